"""The reporting calendar of 嘉政办发〔2022〕9号#三.（四）: 每月10日、20日及次月5日通报项目新开工情况及统计入库
情况; 当月新开工的项目原则上要求在下月统计入库.

Reading (docs/supervision.md): a notice day that falls on a Saturday or Sunday moves to the next
Monday — the 5th reports on the month before, and moving it earlier would shorten the month's
figures. Public holidays and 调休 working weekends are not in the gazette; an operator who needs
them passes ``holidays`` / ``workdays``.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
from collections.abc import Collection

from gazette import validate
from jiaxing.schemes.supervision import params


def _shift(day: dt.date, holidays: Collection[dt.date], workdays: Collection[dt.date]) -> dt.date:
    while (day.weekday() >= 5 and day not in workdays) or day in holidays:
        day += dt.timedelta(days=1)
    return day


def next_month(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + (m == 12):04d}-{m % 12 + 1:02d}"


def notices(month: str, *, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()) -> list[dict]:
    """The notices about ``month`` (YYYY-MM): the 10th and the 20th of it, and the 5th of the next month."""
    month = validate.month(month, "month")
    y, m = int(month[:4]), int(month[5:7])
    first = dt.date(y, m, 1)
    days = params.value("calendar.notice_days", first)
    ref = params.reference("calendar.notice_days")
    out = []
    for d in days:
        nominal = dt.date(y, m, d) if d >= 10 else dt.date(*map(int, next_month(month).split("-")), d)
        actual = _shift(nominal, holidays, workdays)
        label = {10: "10日通报 mid-month notice", 20: "20日通报 notice of the 20th"}.get(
            d, "次月5日通报 month-end notice (5th of next month)")
        out.append({"month": month, "nominal": nominal.isoformat(), "date": actual.isoformat(),
                    "moved": actual != nominal, "label": label, "clause": ref})
    return out


def statistics_due(started_on: dt.date) -> dt.date:
    """当月新开工的项目原则上要求在下月统计入库: the last day of the month after the start."""
    lag = params.value("calendar.statistics_entry_lag_months", started_on)
    y, m = started_on.year, started_on.month + lag
    y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
    return dt.date(y, m, _cal.monthrange(y, m)[1])
