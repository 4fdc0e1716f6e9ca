"""Canonical JSON of a request and its hash — pure functions, no database.

Used by idempotency keys and ledger entries alike: two requests are "the same" when their
canonical JSON (sorted keys, no spaces, dates as ISO strings) hashes alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any


def jsonable(value: Any) -> Any:
    """Plain JSON types: dates as ISO strings, Decimals as strings, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "__dict__"):
        return jsonable(vars(value))
    return str(value)


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(jsonable(value), key=repr)
    if hasattr(value, "__dict__"):
        return jsonable(vars(value))
    return str(value)


def canonical_hash(body: Any) -> str:
    """SHA-256 of the canonical JSON of ``body`` (sorted keys, no spaces; dates as ISO strings)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key: object) -> str:
    from gazette.ledger.errors import IdempotencyKeyInvalid

    if not isinstance(key, str) or not key.strip() or len(key) > 200:
        raise IdempotencyKeyInvalid(key)
    return key
