"""Batch evaluation over a table (Parquet / CSV / Arrow IPC) of one entity, with totals.

Input columns are the entity's variables (docs/variables.md): money in yuan (decimal strings,
integers or floats — floats are rounded half up to the fen) or in fen as ``<name without _yuan>_fen``
integers; yearly variables as ``name@2022`` (or ``name_2022``); linked facts as ``buyer.district``.
Output: one row per input row with ``<rule>|status`` (eligible / ineligible / unknown) and ``<rule>|amount_fen`` for every rule of the
entity. Totals by rule and by district count eligible / unknown rows and sum amounts in fen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from gazette.errors import InvalidInput
from gazette.rules.engine import Engine, Status
from gazette.rules.entities import Entity, split_column
from gazette.rules.money import fen_to_yuan

ELIGIBLE = Status.ELIGIBLE.value
_YEAR_SUFFIX = re.compile(r"^(.*)_(\d{4})$")


def read_table(path: Path) -> pl.DataFrame:
    suffix = path.suffix.lower()
    if not path.exists():
        raise InvalidInput(f"文件不存在：{path}", f"no such file: {path}", field="INPUT")
    try:
        if suffix == ".parquet":
            return pl.read_parquet(path)
        if suffix == ".csv":
            return pl.read_csv(path, infer_schema_length=0)  # all strings: exact money parsing
        if suffix in (".arrow", ".ipc", ".feather"):
            return pl.read_ipc(path)
    except Exception as exc:  # polars raises many kinds; the user needs one line
        raise InvalidInput(f"无法读取 {path}：{exc}", f"cannot read {path}: {exc}", field="INPUT") from None
    raise InvalidInput("输入须为 .parquet、.csv 或 .arrow 文件", "input must be .parquet, .csv or .arrow", field="INPUT")


def write_table(df: pl.DataFrame, path: Path) -> None:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    if suffix == ".parquet":
        df.write_parquet(tmp)
    elif suffix == ".csv":
        from gazette.csvsafe import polars_frame  # no cell a spreadsheet would run as a formula

        polars_frame(df.with_columns(pl.col(pl.Enum).cast(pl.String))).write_csv(tmp)
    elif suffix in (".arrow", ".ipc", ".feather"):
        df.write_ipc(tmp)
    else:
        raise InvalidInput("输出须为 .parquet、.csv 或 .arrow 文件", "output must be .parquet, .csv or .arrow", field="OUTPUT")
    tmp.replace(path)  # no partial output on failure


def guess_entity(engine: Engine, df: pl.DataFrame) -> str:
    best, score = None, 0
    cols = {split_column(_canon_name(c))[0] for c in df.columns}
    for e in engine.entities.values():
        s = len(cols & set(e.by_name))
        if s > score:
            best, score = e.name, s
    if best is None:
        raise InvalidInput("无法从列名判断实体类型，请用 --entity 指定", "cannot tell the entity from the columns; use --entity",
                           field="entity")
    return best


def _canon_name(c: str) -> str:
    m = _YEAR_SUFFIX.match(c)
    return f"{m.group(1)}@{m.group(2)}" if m and "@" not in c else c


def normalise(engine: Engine, entity: Entity, df: pl.DataFrame) -> pl.DataFrame:
    """Rename and convert input columns to the engine's in-memory types."""
    renames = {}
    for c in df.columns:
        n = _canon_name(c)
        base, period = split_column(n)
        if base.endswith("_fen") and entity.variable(base[:-4] + "_yuan") is not None:
            n = base[:-4] + "_yuan" + (f"@{period}" if period else "")
            renames[c] = ("fen", n)
        elif n != c:
            renames[c] = ("as-is", n)
    if renames:
        df = df.rename({c: n for c, (_, n) in renames.items()})
    fen_cols = {n for _, (k, n) in renames.items() if k == "fen"}
    exprs = []
    if "_id" not in df.columns:
        idcol = "id" if "id" in df.columns else None
        exprs.append((pl.col(idcol).cast(pl.String) if idcol else pl.int_range(pl.len()).cast(pl.String)).alias("_id"))
    for c in df.columns:
        if "." in c:
            link, rest = c.split(".", 1)
            lv = entity.variable(link)
            target = engine.entities[lv.target] if lv is not None and lv.target else None
            var = target.variable(split_column(rest)[0]) if target else None
        else:
            var = entity.variable(split_column(c)[0])
        if var is None:
            continue
        exprs.append(_convert(pl.col(c), df.schema[c], var, c in fen_cols).alias(c))
    if not exprs:
        return df
    try:
        return df.with_columns(exprs)
    except pl.exceptions.PolarsError as exc:
        first = str(exc).strip().splitlines()[0][:300]
        raise InvalidInput(f"输入列无法转换：{first}", f"an input column cannot be converted: {first}",
                           field="INPUT") from None


def _convert(col: pl.Expr, dtype: pl.DataType, var, already_scaled: bool) -> pl.Expr:
    t = var.type
    if t in ("money", "decimal"):
        scale = var.column_scale
        if already_scaled or (dtype.is_integer() and scale == 0):
            return col.cast(pl.Int64)
        if dtype.is_integer():
            return col.cast(pl.Int64) * (10**scale)
        if dtype.is_float():
            return (col * (10**scale) + 0.5).floor().cast(pl.Int64)
        return (col.cast(pl.String).str.strip_chars().cast(pl.Decimal(38, scale)) * (10**scale)).cast(pl.Int64)
    if t == "int":
        return col.cast(pl.Int64)
    if t == "str" and var.choices:
        return col.cast(pl.String).cast(var.dtype)
    if t == "bool":
        if dtype == pl.Boolean:
            return col
        return col.cast(pl.String).str.to_lowercase().replace_strict({"true": True, "false": False, "1": True, "0": False},
                                                                     default=None, return_dtype=pl.Boolean)
    if t == "date":
        return col if dtype == pl.Date else col.cast(pl.String).str.to_date()
    if t == "datetime":
        return col if isinstance(dtype, pl.Datetime) else col.cast(pl.String).str.to_datetime()
    return col.cast(pl.String)


@dataclass
class BatchResult:
    rows: int
    entity: str
    by_rule: list[dict[str, Any]]
    by_district: list[dict[str, Any]]
    total_benefits_fen: int
    output: pl.DataFrame

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "entity": self.entity,
            "total_benefits_yuan": fen_to_yuan(self.total_benefits_fen),
            "by_rule": self.by_rule,
            "by_district": self.by_district,
        }


def run_batch(engine: Engine, df: pl.DataFrame, on: dt.date, entity: str | None = None,
              overrides: dict[str, Any] | None = None, chunk_rows: int = 250_000,
              progress: Callable[[int, int], None] | None = None) -> BatchResult:
    entity = entity or guess_entity(engine, df)
    if entity not in engine.entities:
        raise InvalidInput(f"未知实体 {entity}", f"unknown entity {entity}", field="entity")
    ent = engine.entities[entity]
    df = normalise(engine, ent, df)
    compiled = engine.compile(on, overrides)[entity]
    rids = [c.rule.id for c in compiled]
    district = ent.district_fact
    keep = ["_id"] + ([district] if district and district in df.columns else [])
    if district and district not in df.columns and "buyer.district" in df.columns:
        keep.append("buyer.district")
    outs = []
    n = df.height
    for start in range(0, max(n, 1), chunk_rows):
        part = engine.evaluate_frame(entity, df.slice(start, chunk_rows), on, overrides)
        outs.append(part.select([pl.col(k) for k in keep]
                                + [e for c in compiled for e in (engine.status_expr(c.rule), engine.amount_expr(c.rule))]))
        if progress:
            progress(min(start + chunk_rows, n), n)
    out = pl.concat(outs) if outs else pl.DataFrame()
    out = out.rename({f"{r}|amount": f"{r}|amount_fen" for r in rids})
    kinds = {c.rule.id: c.rule.kind for c in compiled}
    by_rule = []
    for r in rids:
        s = out.select(
            (pl.col(f"{r}|status") == ELIGIBLE).sum().alias("eligible"),
            (pl.col(f"{r}|status") == Status.UNKNOWN.value).sum().alias("unknown"),
            pl.when(pl.col(f"{r}|status") == ELIGIBLE).then(pl.col(f"{r}|amount_fen")).otherwise(0).sum().alias("fen"),
        ).row(0, named=True)
        by_rule.append({"rule": r, "kind": kinds[r], "eligible": s["eligible"], "unknown": s["unknown"],
                        "amount_yuan": fen_to_yuan(s["fen"] or 0), "_fen": s["fen"] or 0})
    benefit = [r for r in rids if kinds[r] == "benefit"]
    total = sum(x["_fen"] for x in by_rule if x["kind"] == "benefit")
    for x in by_rule:
        x.pop("_fen")
    by_district: list[dict[str, Any]] = []
    dcol = next((c for c in keep[1:]), None)
    if dcol and benefit:
        paid = pl.sum_horizontal([pl.when(pl.col(f"{r}|status") == ELIGIBLE).then(pl.col(f"{r}|amount_fen")).otherwise(0)
                                  for r in benefit])
        g = (out.group_by(dcol).agg(paid.sum().alias("fen"), pl.len().alias("rows"))
             .sort(dcol, nulls_last=True))
        by_district = [{"district": row[dcol], "rows": row["rows"], "amount_yuan": fen_to_yuan(row["fen"] or 0)}
                       for row in g.iter_rows(named=True)]
    return BatchResult(n, entity, by_rule, by_district, total, out)
