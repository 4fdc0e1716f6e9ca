"""Entities and variables, declared by the pack.

An entity (person, enterprise, vehicle_purchase, …) is a table: one row per member, keyed by the id
used in the situation. A variable is a column with a type, a unit and, when it varies over time, a
period (``year``): a yearly variable is given as ``{"2021": …, "2022": …}`` and becomes the columns
``name@2021``, ``name@2022``. A ``ref`` variable links to another entity (a purchase's ``buyer`` is a
person); rules read linked facts as ``"buyer.district"``.

Types and their in-memory form (polars dtype):

=========  =====================================================  ============
type       situation JSON                                         column
=========  =====================================================  ============
money      yuan, number or decimal string ("250000", 2.5e5)       Int64 fen
decimal    number or decimal string, ``scale`` places kept        Int64 ×10^scale
int        integer                                                Int64
bool       true / false                                           Boolean
str        text, optionally one of ``choices``                    String
date       "YYYY-MM-DD"                                           Date
datetime   ISO 8601; without offset it is Asia/Shanghai time      Datetime (local)
ref        id of a member of the ``target`` entity                String
=========  =====================================================  ============
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import polars as pl

from gazette import validate
from gazette.errors import InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")

DTYPES: dict[str, pl.DataType] = {
    "money": pl.Int64(),
    "decimal": pl.Int64(),
    "int": pl.Int64(),
    "bool": pl.Boolean(),
    "str": pl.String(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "ref": pl.String(),
}


@dataclass(frozen=True)
class Variable:
    name: str
    type: str
    description_zh: str
    description_en: str = ""
    unit: str | None = None
    period: str | None = None  # None (constant) or "year"
    scale: int = 0  # decimal places kept for type "decimal"
    choices: tuple[str, ...] | None = None
    target: str | None = None  # entity name for type "ref"

    @property
    def dtype(self) -> pl.DataType:
        if self.type == "str" and self.choices:
            return pl.Enum(list(self.choices))
        return DTYPES[self.type]

    @property
    def column_scale(self) -> int:
        return 2 if self.type == "money" else self.scale

    def parse(self, value, field: str):
        """One situation value → its in-memory form (validated)."""
        if value is None:
            return None
        t = self.type
        if t in ("money", "decimal"):
            # one validator with one documented range (gazette.validate, docs/security.md): the engine
            # never sees a value that could overflow its Int64 columns
            return validate.scaled_number(value, field, scale=self.column_scale)
        if t == "int":
            return validate.whole_number(value, field)
        if t == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise InvalidInput("应为 true 或 false", f"expected true or false, got {value!r}", field=field)
        if t in ("str", "ref"):
            if not isinstance(value, str):
                raise InvalidInput("应为文本", f"expected a string, got {value!r}", field=field)
            if self.choices and value not in self.choices:
                raise InvalidInput(
                    f"取值无效，可选：{'、'.join(self.choices)}",
                    f"invalid value {value!r}; one of: {', '.join(self.choices)}",
                    field=field,
                )
            return value
        if t == "date":
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            try:
                return dt.date.fromisoformat(str(value))
            except ValueError:
                raise InvalidInput("日期格式应为 YYYY-MM-DD", f"expected a date YYYY-MM-DD, got {value!r}",
                                   field=field) from None
        if t == "datetime":
            try:
                v = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
            except ValueError:
                raise InvalidInput("时间格式应为 ISO 8601", f"expected an ISO 8601 date-time, got {value!r}",
                                   field=field) from None
            if v.tzinfo is not None:
                v = v.astimezone(SHANGHAI).replace(tzinfo=None)
            return v
        raise AssertionError(t)

    def doc_row(self, entity: Entity) -> str:
        unit = self.unit or {"money": "yuan (fen inside)", "bool": "—", "date": "date", "datetime": "Asia/Shanghai"}.get(
            self.type, "—")
        extra = f" one of: {', '.join(self.choices)}." if self.choices else ""
        if self.type == "decimal":
            unit = f"{unit}, {self.scale} decimals"
        if self.type == "ref":
            extra = f" id of a `{self.target}`."
        return (f"| `{self.name}` | {entity.name} | {self.type} | {unit} | {self.period or '—'} | "
                f"{self.description_zh} — {self.description_en}{extra} |")


@dataclass(frozen=True)
class Entity:
    name: str
    plural: str  # the key in the situation JSON
    description_zh: str
    description_en: str = ""
    variables: tuple[Variable, ...] = field(default_factory=tuple)
    district_fact: str | None = None  # column used for "totals by district"

    def variable(self, name: str) -> Variable | None:
        for v in self.variables:
            if v.name == name:
                return v
        return None

    @property
    def by_name(self) -> dict[str, Variable]:
        return {v.name: v for v in self.variables}


def column_name(var: str, period: int | str | None) -> str:
    return var if period is None else f"{var}@{period}"


def split_column(col: str) -> tuple[str, str | None]:
    if "@" in col:
        v, p = col.split("@", 1)
        return v, p
    return col, None
