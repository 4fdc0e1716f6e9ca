"""CSV cells a spreadsheet will not execute (CSV/formula injection, OWASP).

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be read as a formula
by Excel, LibreOffice or WPS (``=HYPERLINK(…)`` in a worker's name). Every CSV the project writes
passes its text cells through :func:`cell`, which prefixes such a cell with an apostrophe — shown
as text, never evaluated. Numbers stay numbers: a negative amount written by the program as an int
or a plain decimal string (``-12.50``) is left alone.
"""

from __future__ import annotations

import re
from typing import Any

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def cell(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(DANGEROUS) or _NUMBER.match(value):
        return value
    return "'" + value


def row(values) -> list[Any]:
    return [cell(v) for v in values]


def polars_frame(df):
    """The same for every text column of a polars DataFrame (batch outputs written as CSV)."""
    import polars as pl

    exprs = []
    for name, dtype in df.schema.items():
        if dtype in (pl.String, pl.Utf8) or isinstance(dtype, (pl.Enum, pl.Categorical)):
            col = pl.col(name).cast(pl.String)
            risky = col.str.contains(r"^[=+\-@\t\r]") & ~col.str.contains(r"^-?\d+(\.\d+)?$")
            exprs.append(pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name))
    return df.with_columns(exprs) if exprs else df
