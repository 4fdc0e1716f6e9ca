"""Wall-clock timestamps, always timezone-aware in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)


def as_shanghai(value: dt.datetime | None) -> dt.datetime | None:
    """A stored timestamp as an aware Asia/Shanghai datetime.

    PostgreSQL returns aware values; SQLite drops the offset, and we always store Shanghai
    wall time there, so a naive value is Shanghai time.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=SHANGHAI)
    return value.astimezone(SHANGHAI)


def check_date(value: object, field: str = "business_date") -> dt.date:
    from gazette.ledger.errors import InvalidBusinessDate

    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidBusinessDate(
            f"业务日期必须是日期：{value!r}", f"business date must be a date: {value!r}", value=repr(value)
        )
    return value
