"""The rules engine: load a pack's entities, parameters and rules; compile; evaluate; explain.

One code path: :meth:`Engine.evaluate_frame` turns a polars DataFrame of one entity into ``<rule>|ok``
(three-valued) and ``<rule>|amount`` (fen) columns for every rule of that entity — one row (a
citizen's purchase) or millions (a batch); the status word derives from the two.
:meth:`Engine.calculate` builds the frames from a situation JSON and, with ``explain=True``, reads the
per-condition, per-threshold and per-tier columns of the same expressions back into an explanation.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from gazette.errors import GazetteError, InvalidInput
from gazette.rules.entities import Entity, Variable, column_name, split_column
from gazette.rules.money import fen_to_yuan, fmt_yuan
from gazette.rules.parameters import (
    MONEY,
    Parameter,
    ParameterSet,
    ParameterUndefined,
    Scale,
    load_parameter_file,
    parse_override,
    render,
)
from gazette.rules.rule import Builder, Cond, Rule, lit_int

STATUS = pl.Enum(["eligible", "ineligible", "unknown"])
_NO_OPT = pl.QueryOptFlags.none()
# wide, row-wise expressions over a table in memory: the in-memory engine beats streaming here (measured)
_ENGINE = "in-memory"
_ST = {k: pl.lit(k, dtype=STATUS) for k in ("eligible", "ineligible", "unknown")}


@dataclass
class Policy:
    name: str
    path: Path
    rules: list[Rule]
    parameters: dict[str, Parameter | Scale]

    @property
    def tests_path(self) -> Path:
        return self.path / "tests.yaml"


@dataclass
class Compiled:
    rule: Rule
    active: bool
    conditions: list[Cond] = field(default_factory=list)
    amount: pl.Expr | None = None
    builder: Builder | None = None
    inactive_reason: tuple[str, str] | None = None
    memo: dict = field(default_factory=dict)

    @property
    def columns(self) -> set[str]:
        return self.builder.columns if self.builder else set()


def _load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise GazetteError("bad_pack", f"无法加载 {path}", f"cannot load {path}", status=500)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Engine:
    """A pack's rules, ready to evaluate. Build once (see :func:`get_engine`); thread-safe for reads."""

    def __init__(self, policies_dir: Path, pack_name: str = "pack"):
        self.policies_dir = Path(policies_dir)
        ent_mod = _load_module(self.policies_dir / "entities.py", f"_gazette_{pack_name}_entities")
        self.entities: dict[str, Entity] = {e.name: e for e in ent_mod.ENTITIES}
        self.by_plural: dict[str, Entity] = {e.plural: e for e in ent_mod.ENTITIES}
        self.policies: list[Policy] = []
        params: dict[str, Parameter | Scale] = {}
        self.rules: list[Rule] = []
        for folder in sorted(p for p in self.policies_dir.iterdir() if (p / "rules.py").exists()):
            name = folder.name
            fparams = load_parameter_file(folder / "parameters.yaml", name) if (folder / "parameters.yaml").exists() else {}
            params.update(fparams)
            mod = _load_module(folder / "rules.py", f"_gazette_{pack_name}_{name}_rules")
            rules = [v for v in vars(mod).values() if isinstance(v, Rule)]
            for r in rules:
                r.policy = name
                if r.entity not in self.entities:
                    raise GazetteError("bad_pack", f"规则 {r.id} 的实体未声明", f"rule {r.id}: unknown entity {r.entity}",
                                       status=500)
            self.rules.extend(rules)
            self.policies.append(Policy(name, folder, rules, fparams))
        self.params = ParameterSet(params)
        self.rules_by_id = {r.id: r for r in self.rules}
        if len(self.rules_by_id) != len(self.rules):
            raise GazetteError("bad_pack", "规则 id 重复", "duplicate rule ids", status=500)
        self._compiled: dict[tuple, dict[str, list[Compiled]]] = {}
        self._excl_cache: dict[tuple, list[list[pl.Expr]]] = {}
        self._null_cache: dict[tuple[str, str], pl.Expr] = {}

    # ------------------------------------------------------------------ compile

    def parse_overrides(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        out = {}
        for pid, value in (raw or {}).items():
            if pid not in self.params:
                raise GazetteError("parameter_not_found", f"未找到参数：{pid}", f"parameter not found: {pid}",
                                   field=f"overrides.{pid}", status=422)
            out[pid] = parse_override(self.params.get(pid), value)
        return out

    def compile(self, on: dt.date, overrides: dict[str, Any] | None = None) -> dict[str, list[Compiled]]:
        overrides = overrides or {}
        key = (on, repr(sorted(overrides.items())))
        hit = self._compiled.get(key)
        if hit is not None:
            return hit
        program: dict[str, list[Compiled]] = {name: [] for name in self.entities}
        for r in self.rules:
            program[r.entity].append(self._compile_rule(r, on, overrides))
        if len(self._compiled) > 256:
            self._compiled.clear()
        self._compiled[key] = program
        return program

    def _compile_rule(self, r: Rule, on: dt.date, overrides: dict[str, Any]) -> Compiled:
        if r.on_window and not r.in_window(on):
            end = r.valid_to.isoformat() if r.valid_to else "—"
            return Compiled(r, False, inactive_reason=(
                f"{on.isoformat()} 不在本条有效期 {r.valid_from.isoformat()} 至 {end} 内",
                f"{on.isoformat()} is outside this clause's validity {r.valid_from.isoformat()} to {end}"))
        b = Builder(r, on, self.params, overrides, self.entities[r.entity], self.entities)
        if r.event_date:
            c = b.col(r.event_date)
            lo, hi = r.valid_from, r.valid_to
            e = pl.col(c) >= pl.lit(lo)
            if hi is not None:
                e = e & (pl.col(c) <= pl.lit(hi))
            b.require("validity", e, facts=[c],
                      zh=f"发生日期在有效期内（{lo.isoformat()} 至 {hi.isoformat() if hi else '—'}）",
                      en=f"event date within the validity window ({lo.isoformat()} to {hi.isoformat() if hi else '—'})")
        try:
            r.fn(b)
        except ParameterUndefined as exc:
            return Compiled(r, False, inactive_reason=(exc.message_zh, exc.message_en))
        return Compiled(r, True, list(b.conditions), b.amount_expr, b)

    # ------------------------------------------------------------------ frames

    def required_columns(self, entity: str, on: dt.date, overrides=None) -> set[str]:
        cols: set[str] = set()
        for c in self.compile(on, overrides)[entity]:
            cols |= c.columns
        return cols

    def _dtype_of(self, entity: Entity, col: str) -> pl.DataType:
        if "." in col:
            link, rest = col.split(".", 1)
            entity = self.entities[entity.variable(link).target]
            col = rest
        name, _ = split_column(col)
        v = entity.variable(name)
        return v.dtype if v else pl.String()

    def ensure_columns(self, entity: Entity, df: pl.DataFrame, needed: set[str],
                       frames: dict[str, pl.DataFrame] | None = None) -> pl.DataFrame:
        """Add every needed column: linked facts joined from ``frames``, the rest as typed nulls."""
        missing = [c for c in needed if c not in df.columns]
        links: dict[str, list[str]] = {}
        for c in missing:
            if "." in c:
                links.setdefault(c.split(".", 1)[0], []).append(c)
        for link, cols in links.items():
            target = entity.variable(link).target
            tf = (frames or {}).get(target)
            if tf is not None and link in df.columns:
                avail = [c for c in cols if c.split(".", 1)[1] in tf.columns]
                if avail:
                    right = tf.select([pl.col("_id").alias(link)] + [pl.col(c.split(".", 1)[1]).alias(c) for c in avail])
                    df = df.join(right, on=link, how="left", maintain_order="left")
        adds = self._missing_nulls(entity, df, needed)
        return df.with_columns(adds) if adds else df

    def _missing_nulls(self, entity: Entity, df: pl.DataFrame, needed: set[str]) -> list[pl.Expr]:
        return [self._null(entity, c) for c in sorted(needed) if c not in df.columns]

    def _null(self, entity: Entity, col: str) -> pl.Expr:
        key = (entity.name, col)
        e = self._null_cache.get(key)
        if e is None:
            e = self._null_cache[key] = pl.lit(None, dtype=self._dtype_of(entity, col)).alias(col)
        return e

    # ------------------------------------------------------------------ evaluation

    def _stage_a(self, c: Compiled, explain: bool) -> list[pl.Expr]:
        key = ("a", explain)
        if key not in c.memo:
            c.memo[key] = self._build_stage_a(c, explain)
        return c.memo[key]

    def _build_stage_a(self, c: Compiled, explain: bool) -> list[pl.Expr]:
        """Conditions and the raw amount, each once (stage B refers to them by column)."""
        rid = c.rule.id
        if not c.active:
            return []
        # in batch mode the conditions stay inside stage B (no column each); explain needs them one by one
        out = [cd.expr.alias(f"{rid}|c{k}") for k, cd in enumerate(c.conditions)] if explain else []
        if c.amount is not None and not c.amount.meta.is_literal():  # a constant amount needs no column
            out.append(c.amount.alias(f"{rid}|raw"))
        if explain:
            b = c.builder
            for k, cd in enumerate(c.conditions):
                th = cd.threshold
                if th is not None:  # a plain fact and a constant bound need no column
                    if th.column is None:
                        out.append(th.value.alias(f"{rid}|v{k}"))
                    if th.const is None:
                        out.append(th.threshold.alias(f"{rid}|t{k}"))
            for k, t in enumerate(b.tiers):
                if t.column is None:
                    out.append(t.value.alias(f"{rid}|tv{k}"))
            for k, d in enumerate(b.details):
                out.append(d.expr.alias(f"{rid}|d{k}"))
        return out

    def _stage_b(self, c: Compiled, explain: bool) -> list[pl.Expr]:
        key = ("b", explain)
        if key not in c.memo:
            c.memo[key] = self._build_stage_b(c, explain)
        return c.memo[key]

    def _build_stage_b(self, c: Compiled, explain: bool) -> list[pl.Expr]:
        """``<rule>|ok`` (Kleene AND of the conditions: true / false / null = unknown) and ``<rule>|amount``
        (fen when ok; null when ok but the amount's own facts are missing; 0 otherwise — read it with the
        status). The status word is derived from the two (:meth:`status_expr`, :meth:`status_of`)."""
        rid = c.rule.id
        if not c.active:
            return [pl.lit(False).alias(f"{rid}|ok"), lit_int(0 if c.rule.unit else None).alias(f"{rid}|amount")]
        if explain:
            conds = [pl.col(f"{rid}|c{k}") for k in range(len(c.conditions))]
        else:
            conds = [cd.expr for cd in c.conditions]
        ok = pl.all_horizontal(conds) if conds else pl.lit(True)
        if c.amount is None:
            amount = lit_int(None)
        else:
            raw = c.amount if c.amount.meta.is_literal() else pl.col(f"{rid}|raw")
            amount = pl.when(ok).then(raw).otherwise(lit_int(0))  # cheapest form (measured)
        return [ok.alias(f"{rid}|ok"), amount.alias(f"{rid}|amount")]

    @staticmethod
    def status_expr(rule: Rule) -> pl.Expr:
        """The status word of a rule from its ``ok`` and ``amount`` columns."""
        ok, amt = pl.col(f"{rule.id}|ok"), pl.col(f"{rule.id}|amount")
        paid = ok & amt.is_not_null() if rule.unit else ok
        return (pl.when(ok.not_()).then(_ST["ineligible"]).when(paid).then(_ST["eligible"]).otherwise(_ST["unknown"])
                .alias(f"{rule.id}|status"))

    @staticmethod
    def amount_expr(rule: Rule) -> pl.Expr:
        """The amount as users see it: null when the status is unknown."""
        ok, amt = pl.col(f"{rule.id}|ok"), pl.col(f"{rule.id}|amount")
        return pl.when(ok.is_null()).then(lit_int(None)).otherwise(amt).alias(f"{rule.id}|amount")

    @staticmethod
    def status_of(rule: Rule, ok: bool | None, amount: int | None) -> str:
        if ok is False:
            return "ineligible"
        if ok is None or (rule.unit and amount is None):
            return "unknown"
        return "eligible"

    @staticmethod
    def _groups(compiled: list[Compiled]) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = {}
        for c in compiled:
            if c.rule.exclusive_group and c.active:
                groups.setdefault(c.rule.exclusive_group, []).append(c.rule.id)
        return {g: r for g, r in groups.items() if len(r) >= 2}

    def _exclusive_exprs(self, g: str, rids: list[str], explain: bool) -> list[list[pl.Expr]]:
        """所列奖励条款不得重复享受: within a group only the highest eligible amount is paid (first rule on ties)."""
        # an ineligible rule's amount is 0 and an unknown one's null (ignored by max_horizontal), so the
        # amounts alone decide; the first rule (declaration order) reaching the best amount wins
        amts = [pl.col(f"{r}|amount") for r in rids]
        best = pl.max_horizontal(amts)
        winner = pl.when(best <= 0).then(pl.lit(None, dtype=pl.Int8))
        for i, a in enumerate(amts):
            winner = winner.when(a == best).then(pl.lit(i, dtype=pl.Int8))
        first = [winner.otherwise(pl.lit(None, dtype=pl.Int8)).alias(f"{g}|winner")]
        w = pl.col(f"{g}|winner")
        second = []
        for i, r in enumerate(rids):
            # Kleene: amount ≤ 0 → false (w is null only then); an unknown amount stays unknown
            excluded = (pl.col(f"{r}|amount") > 0) & (w != i)
            second += [
                (pl.col(f"{r}|ok") & excluded.not_()).alias(f"{r}|ok"),
                pl.when(excluded).then(lit_int(0)).otherwise(pl.col(f"{r}|amount")).alias(f"{r}|amount"),
            ]
            if explain:
                second.append(pl.when(excluded).then(w).otherwise(pl.lit(None, dtype=pl.Int8)).alias(f"{r}|excluded_by"))
        return [first, second]

    def finish(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
               explain: bool = False, rule_ids: set[str] | None = None) -> pl.DataFrame:
        """Apply exclusive groups to a collected evaluation. Only rows where two or more rules of a group
        pay something can change, so those rows alone are recomputed and written back."""
        compiled = self._select(self.compile(on, overrides)[entity], rule_ids)
        for g, rids in self._groups(compiled).items():
            cols = [f"{r}|{k}" for r in rids for k in ("ok", "amount")]
            if explain:
                df = df.with_columns([pl.lit(None, dtype=pl.Int8).alias(f"{r}|excluded_by") for r in rids])
            several = pl.sum_horizontal([(pl.col(f"{r}|amount") > 0).fill_null(False) for r in rids]) >= 2
            idx = df.select(several.alias("m")).to_series().arg_true()
            if idx.len() == 0:
                continue
            key = (g, tuple(rids), explain)
            stages = self._excl_cache.get(key)
            if stages is None:
                stages = self._excl_cache[key] = self._exclusive_exprs(g, rids, explain)
            sub = df.select(cols).gather(idx).lazy()
            for exprs in stages:
                sub = sub.with_columns(exprs)
            sub = sub.collect(optimizations=_NO_OPT, engine=_ENGINE)
            out_cols = cols + ([f"{r}|excluded_by" for r in rids] if explain else [])
            df = df.with_columns([df[c].clone().scatter(idx, sub[c]) for c in out_cols])
        return df

    @staticmethod
    def _select(compiled: list[Compiled], rule_ids: set[str] | None) -> list[Compiled]:
        if rule_ids is None:
            return compiled
        # rules sharing an exclusive group are evaluated together
        groups = {c.rule.exclusive_group for c in compiled if c.rule.id in rule_ids and c.rule.exclusive_group}
        return [c for c in compiled if c.rule.id in rule_ids or (c.rule.exclusive_group in groups)]

    def evaluate_frame(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
                       explain: bool = False, frames: dict[str, pl.DataFrame] | None = None,
                       rule_ids: set[str] | None = None) -> pl.DataFrame:
        """``<rule>|ok`` and ``<rule>|amount`` (fen) for every rule of ``entity`` (see :meth:`status_expr`)."""
        lf = self.evaluate_lazy(entity, df, on, overrides, explain, frames, rule_ids)
        # one applicant: the query optimiser costs more than it saves; millions of rows: let it work
        out = lf.collect(optimizations=_NO_OPT, engine=_ENGINE) if df.height <= 64 else lf.collect(engine=_ENGINE)
        return self.finish(entity, out, on, overrides, explain, rule_ids)

    def evaluate_many(self, frames: dict[str, pl.DataFrame], on: dt.date, overrides: dict[str, Any] | None = None,
                      rule_ids: set[str] | None = None) -> dict[str, pl.DataFrame]:
        """Several entity tables in one parallel query (e.g. a whole population: people, purchases, firms)."""
        names = list(frames)
        outs = pl.collect_all([self.evaluate_lazy(n, frames[n], on, overrides, False, frames, rule_ids) for n in names],
                              engine=_ENGINE)
        return {n: self.finish(n, o, on, overrides, False, rule_ids) for n, o in zip(names, outs, strict=True)}

    def evaluate_lazy(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
                      explain: bool = False, frames: dict[str, pl.DataFrame] | None = None,
                      rule_ids: set[str] | None = None) -> pl.LazyFrame:
        """The same evaluation as a lazy query (several entities can then be collected together); pass the
        collected frame through :meth:`finish` to apply exclusive groups."""
        ent = self.entities[entity]
        compiled = self._select(self.compile(on, overrides)[entity], rule_ids)
        needed: set[str] = set()
        for c in compiled:
            needed |= c.columns
        # typed nulls for absent facts are added lazily: an eager with_columns costs a whole extra query,
        # which dominates one applicant's calculation
        links_only = {c for c in needed if "." in c}
        df = self.ensure_columns(ent, df, links_only, frames) if links_only else df
        nulls = self._missing_nulls(ent, df, needed)
        input_columns = df.columns + [e.meta.output_name() for e in nulls]
        lf = df.lazy().with_columns(nulls) if nulls else df.lazy()
        if not compiled:
            return lf
        # a rule's lets may build on each other: the k-th lets of all rules form stage k
        depth = max((len(c.builder.lets) for c in compiled if c.builder), default=0)
        for k in range(depth):
            lf = lf.with_columns([c.builder.lets[k][1].alias(c.builder.lets[k][0])
                                  for c in compiled if c.builder and len(c.builder.lets) > k])
        stage_a = [e for c in compiled for e in self._stage_a(c, explain)]
        if stage_a:
            lf = lf.with_columns(stage_a)
        lf = lf.with_columns([e for c in compiled for e in self._stage_b(c, explain)])
        if not explain:  # keep the input and the results, drop the helpers
            lf = lf.select([pl.col(col) for col in input_columns]
                           + [pl.col(f"{c.rule.id}|{k}") for c in compiled for k in ("ok", "amount")])
        return lf

    # ------------------------------------------------------------------ situations

    def frames_from_situation(self, situation: dict[str, Any]) -> dict[str, pl.DataFrame]:
        if not isinstance(situation, dict):
            raise InvalidInput("情形应为 JSON 对象", "a situation must be a JSON object", field="situation")
        frames: dict[str, pl.DataFrame] = {}
        for plural, members in situation.items():
            ent = self.by_plural.get(plural)
            if ent is None:
                raise InvalidInput(
                    f"未知的实体类型 {plural}，可选：{', '.join(self.by_plural)}",
                    f"unknown entity kind {plural!r}; one of: {', '.join(self.by_plural)}", field=plural)
            if not isinstance(members, dict):
                raise InvalidInput("实体集合应为以 id 为键的对象", "entities must be an object keyed by id", field=plural)
            frames[ent.name] = self._frame(ent, members)
        for name, df in frames.items():  # links must resolve
            ent = self.entities[name]
            for v in ent.variables:
                if v.type == "ref" and v.name in df.columns:
                    known = set(frames[v.target]["_id"].to_list()) if v.target in frames else set()
                    for mid, ref in zip(df["_id"].to_list(), df[v.name].to_list(), strict=True):
                        if ref is not None and ref not in known:
                            raise InvalidInput(f"{v.name} 引用了不存在的 {v.target}：{ref}",
                                               f"{v.name} refers to an unknown {v.target}: {ref}",
                                               field=f"{ent.plural}.{mid}.{v.name}")
        return frames

    def _frame(self, ent: Entity, members: dict[str, Any]) -> pl.DataFrame:
        types: dict[str, pl.DataType] = {"_id": pl.String()}
        rows: list[dict[str, Any]] = []
        for mid, facts in members.items():
            if not isinstance(facts, dict):
                raise InvalidInput("实体应为对象", "each entity must be an object", field=f"{ent.plural}.{mid}")
            row: dict[str, Any] = {"_id": str(mid)}
            for name, value in facts.items():
                where = f"{ent.plural}.{mid}.{name}"
                v: Variable | None = ent.variable(name)
                if v is None:
                    raise InvalidInput(f"{ent.name} 没有变量 {name}（见 docs/variables.md）",
                                       f"{ent.name} has no variable {name!r} (see docs/variables.md)", field=where)
                if v.period == "year":
                    if not isinstance(value, dict):
                        raise InvalidInput("按年变量应为 {\"2022\": 值} 形式", "a yearly variable takes {\"2022\": value}",
                                           field=where)
                    for period, pv in value.items():
                        p = str(period)
                        if not (len(p) == 4 and p.isdigit()):
                            raise InvalidInput("年份应为四位数字", f"period must be a year: {period!r}", field=where)
                        c = column_name(name, p)
                        row[c] = v.parse(pv, f"{where}.{p}")
                        types[c] = v.dtype
                else:
                    row[name] = v.parse(value, where)
                    types[name] = v.dtype
            rows.append(row)
        # from_dicts with a schema builds a one-row frame ~8× faster than column lists (it matters for
        # one applicant's calculation); absent facts become typed nulls
        return pl.from_dicts(rows, schema=types)

    def calculate(self, situation: dict[str, Any], on: dt.date, overrides_raw: dict[str, Any] | None = None,
                  explain: bool = True, rule_ids: set[str] | None = None) -> dict[str, Any]:
        overrides = self.parse_overrides(overrides_raw)
        if rule_ids:
            unknown = [r for r in rule_ids if r not in self.rules_by_id]
            if unknown:
                raise GazetteError("rule_not_found", f"未找到规则：{unknown[0]}", f"rule not found: {unknown[0]}",
                                   field="rules", status=422)
        frames = self.frames_from_situation(situation)
        results = []
        names = [n for n, df in frames.items() if df.height]
        lazies = [self.evaluate_lazy(n, frames[n], on, overrides, explain=explain, frames=frames, rule_ids=rule_ids)
                  for n in names]
        small = all(frames[n].height <= 64 for n in names)
        outs = pl.collect_all(lazies, optimizations=_NO_OPT, engine=_ENGINE) if small else pl.collect_all(lazies, engine=_ENGINE)
        for name, out in zip(names, outs, strict=True):
            out = self.finish(name, out, on, overrides, explain, rule_ids)
            compiled = [c for c in self.compile(on, overrides)[name] if rule_ids is None or c.rule.id in rule_ids]
            records = out.to_dicts()
            pending: list = []
            for c in compiled:
                for row_i, row in enumerate(records):
                    results.append(self._result(c, row, explain, out, row_i, on, overrides, pending))
            if pending:
                self._resolve_nearest(name, out, on, overrides, pending)
        totals = self._totals_single(results)
        return {"on": on.isoformat(), "overrides": overrides_raw or {}, "results": results, "totals": totals}

    def _totals_single(self, results: list[dict]) -> dict[str, Any]:
        paid = sum(r["_fen"] for r in results if r["status"] == "eligible" and r["kind"] == "benefit" and r["_fen"])
        for r in results:
            r.pop("_fen", None)
        return {"benefits_yuan": fen_to_yuan(paid),
                "eligible": sum(1 for r in results if r["status"] == "eligible"),
                "unknown": sum(1 for r in results if r["status"] == "unknown")}

    # ------------------------------------------------------------------ explanation

    def _fmt(self, v: Any, unit: str) -> str:
        if v is None:
            return "?"
        if unit == "money":
            return fmt_yuan(v)
        if unit.startswith("decimal:"):
            return str(Decimal(v).scaleb(-int(unit.split(":")[1])).normalize())
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    def _raw(self, v: Any, unit: str) -> Any:
        if v is None:
            return None
        if unit == "money":
            return fen_to_yuan(v)
        if unit.startswith("decimal:"):
            return str(Decimal(v).scaleb(-int(unit.split(":")[1])))
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        return v

    def _fact_json(self, ent: Entity, col: str, v: Any) -> Any:
        e = ent
        c = col
        if "." in c:
            link, c = c.split(".", 1)
            e = self.entities[ent.variable(link).target]
        var = e.variable(split_column(c)[0])
        unit = "money" if var and var.type == "money" else (f"decimal:{var.scale}" if var and var.type == "decimal" else "")
        return self._raw(v, unit)

    def _result(self, c: Compiled, row: dict, explain: bool, frame: pl.DataFrame, row_i: int, on: dt.date,
                overrides: dict, pending: list | None = None) -> dict:
        r = c.rule
        rid = r.id
        ent = self.entities[r.entity]
        fen = row.get(f"{rid}|amount")
        status = self.status_of(r, row.get(f"{rid}|ok"), fen)
        if status == "unknown":
            fen = None
        res: dict[str, Any] = {
            "rule": rid,
            "title_zh": r.title_zh,
            "title_en": r.title_en,
            "entity": row["_id"],
            "entity_type": r.entity,
            "kind": r.kind,
            "status": status,
            "amount_yuan": fen_to_yuan(fen) if r.unit else None,
            "period": r.period,
            "references": r.references,
            "_fen": fen,
        }
        if r.kind == "prohibition":
            res["outcome"] = {"eligible": "prohibited", "ineligible": "permitted", "unknown": "unknown"}[status]
        if not explain:
            return res
        expl: list[dict] = []
        missing: list[str] = []
        if not c.active:
            expl.append({"kind": "validity", "status": "fail", "text_zh": c.inactive_reason[0],
                         "text_en": c.inactive_reason[1],
                         "window": [r.valid_from.isoformat(), r.valid_to.isoformat() if r.valid_to else None]})
        else:
            b = c.builder
            expl.append({"kind": "validity", "status": "pass",
                         "window": [r.valid_from.isoformat(), r.valid_to.isoformat() if r.valid_to else None],
                         "text_zh": f"计算日期 {on.isoformat()} 在有效期内", "text_en": f"{on.isoformat()} is within the validity window"})
            for k, cd in enumerate(c.conditions):
                val = row.get(f"{rid}|c{k}")
                st = "pass" if val is True else "fail" if val is False else "unknown"
                facts = {f: self._fact_json(ent, f, row.get(f)) for f in cd.facts}
                item = {"kind": "condition", "id": cd.id, "status": st, "text_zh": cd.zh, "text_en": cd.en, "facts": facts}
                if cd.reference:
                    item["reference"] = cd.reference
                if st == "unknown":
                    miss = [f for f in cd.facts if row.get(f) is None]
                    item["missing"] = miss
                    missing += [m for m in miss if m not in missing]
                if cd.threshold is not None:
                    self._threshold(c, cd, k, row, st, frame, row_i, pending, item)
                expl.append(item)
            for pu in b.params_used.values():
                p = self.params.get(pu.id)
                unit = p.amount_unit if isinstance(p, Scale) else p.unit
                if isinstance(p, Scale):
                    value = [{"threshold": render(t, p.threshold_unit), "amount": render(a, unit)} for t, a in pu.value]
                else:
                    value = render(pu.value, unit)
                item = {"kind": "parameter", "id": pu.id, "value": value, "unit": unit,
                        "effective_from": pu.start.isoformat(), "references": pu.references}
                if pu.overridden:
                    item["overridden"] = True
                if pu.decision:
                    item["decision"] = pu.decision
                if pu.source:
                    item["source"] = pu.source
                if pu.demo:
                    item["demo"] = True
                expl.append(item)
            for k, t in enumerate(b.tiers):
                expl.append(self._tier(t, row.get(t.column) if t.column is not None else row.get(f"{rid}|tv{k}")))
            for k, d in enumerate(b.details):
                expl.append({"kind": "detail", "id": d.id, "text_zh": d.zh, "text_en": d.en,
                             "value": self._raw(row.get(f"{rid}|d{k}"), d.unit)})
            for zh, en in b.notes:
                expl.append({"kind": "note", "text_zh": zh, "text_en": en})
            ex = row.get(f"{rid}|excluded_by")
            if ex is not None:
                ex = self._groups(self.compile(on, overrides)[r.entity])[r.exclusive_group][ex]
                expl.append({"kind": "condition", "id": "no_duplicate", "status": "fail",
                             "text_zh": f"所列奖励条款不得重复享受：已按 {ex} 享受更高奖励",
                             "text_en": f"listed rewards may not be combined: the higher reward under {ex} applies",
                             "reference": r.exclusive_group})
        if r.unit:
            expl.append({"kind": "amount", "amount_yuan": fen_to_yuan(fen), "status": status})
        res["explanation"] = expl
        res["missing_facts"] = missing if status == "unknown" else []
        return res

    def _tier(self, t, v) -> dict:
        item: dict[str, Any] = {"kind": "tier", "param": t.param, "value": self._raw(v, t.unit), "label_en": t.label_en,
                                "label_zh": t.label_zh}
        if v is None:
            item["tier"] = None
            return item
        idx = None
        for i, (th, _a) in enumerate(t.rows):
            if v >= th:
                idx = i
        item["tier"] = None if idx is None else idx + 1
        item["tiers"] = len(t.rows)
        if idx is not None:
            item["threshold"] = self._raw(t.rows[idx][0], t.unit)
            item["tier_amount_yuan"] = fen_to_yuan(t.rows[idx][1])
        nxt = 0 if idx is None else idx + 1
        if nxt < len(t.rows):
            th, a = t.rows[nxt]
            gap = th - v
            item["next"] = {"threshold": self._raw(th, t.unit), "amount_yuan": fen_to_yuan(a), "gap": self._raw(gap, t.unit)}
            item["text_en"] = (f"{t.label_en} {self._fmt(v, t.unit)} < {self._fmt(th, t.unit)}: "
                               f"{self._fmt(gap, t.unit)} more would qualify for {fmt_yuan(a)}")
            item["text_zh"] = (f"{t.label_zh} {self._fmt(v, t.unit)} 低于 {self._fmt(th, t.unit)}："
                               f"再增加 {self._fmt(gap, t.unit)} 可适用 {fmt_yuan(a)} 档")
        return item

    def _threshold(self, c: Compiled, cd: Cond, k: int, row: dict, st: str, frame: pl.DataFrame, row_i: int,
                   pending: list | None, out: dict) -> dict:
        th = cd.threshold
        rid = c.rule.id
        v = row.get(th.column) if th.column is not None else row.get(f"{rid}|v{k}")
        t = th.const if th.const is not None else row.get(f"{rid}|t{k}")
        out.update({"value": self._raw(v, th.unit), "threshold": self._raw(t, th.unit), "op": th.op})
        if st != "fail" or v is None or t is None:
            return out
        target = {">=": t, ">": t + 1, "<=": t, "<": t - 1}[th.op]
        out["nearest"] = self._raw(target, th.unit)
        self._nearest_text(out, th, v, t, target, None)
        if pending is not None and th.column is not None and th.column in frame.columns:
            pending.append((out, c.rule.id, row_i, th, v, t, target))
        return out

    def _nearest_text(self, out: dict, th, v, t, target, would) -> None:
        gap = target - v
        sym = {">=": "<", ">": "≤", "<=": ">", "<": "≥"}[th.op]
        more = gap > 0
        amount_en = f"would qualify for {fmt_yuan(would)}" if would else "would meet this condition"
        amount_zh = f"即可获得 {fmt_yuan(would)}" if would else "即可满足本条件"
        out["would_qualify_yuan"] = fen_to_yuan(would) if would else None
        out["nearest_text_en"] = (f"{th.label_en} {self._fmt(v, th.unit)} {sym} {self._fmt(t, th.unit)}: "
                                  f"{self._fmt(abs(gap), th.unit)} {'more' if more else 'less'} {amount_en}")
        out["nearest_text_zh"] = (f"{th.label_zh} {self._fmt(v, th.unit)} {sym} {self._fmt(t, th.unit)}："
                                  f"{'再增加' if more else '减少'} {self._fmt(abs(gap), th.unit)} {amount_zh}")

    def _resolve_nearest(self, entity: str, frame: pl.DataFrame, on: dt.date, overrides: dict, pending: list) -> None:
        """Re-run the failing rules with each threshold fact set to its nearest qualifying value — one frame."""
        base = frame.select([col for col in frame.columns if "|" not in col])  # inputs only (no helper columns)
        rows = []
        for i, (_out, _rid, row_i, th, _v, _t, target) in enumerate(pending):
            row = base.row(row_i, named=True)
            row[th.column], row["_id"] = target, str(i)
            rows.append(row)
        # rows in Python, one frame: far cheaper than a slice and a with_columns per probe
        probe = pl.from_dicts(rows, schema=base.schema)
        rids = {p[1] for p in pending}
        ev = self.evaluate_frame(entity, probe, on, overrides, rule_ids=rids)
        oks = {rid: ev[f"{rid}|ok"].to_list() for rid in rids}
        amounts = {rid: ev[f"{rid}|amount"].to_list() for rid in rids}
        for i, (out, rid, _row_i, th, v, t, target) in enumerate(pending):
            ok = self.status_of(self.rules_by_id[rid], oks[rid][i], amounts[rid][i]) == "eligible"
            would = amounts[rid][i] if ok else None
            self._nearest_text(out, th, v, t, target, would)

    # ------------------------------------------------------------------ helpers for interfaces

    def parameter(self, pid: str) -> Parameter | Scale:
        return self.params.get(pid)

    def rules_for(self, pid: str) -> list[str]:
        """Rules that read a parameter (found by compiling on each start date of the parameter)."""
        p = self.params.get(pid)
        dates = {s for s, _ in p.history} if isinstance(p, Parameter) else {s for b in p.brackets for s, _ in b.amount}
        dates |= {r.valid_from for r in self.rules if r.policy == pid.split(".", 1)[0]}
        dates = {d for d in dates if p.defined_on(d)}
        users = set()
        for d in dates:
            for comp in self.compile(d).values():
                for c in comp:
                    if c.builder and pid in c.builder.params_used:
                        users.add(c.rule.id)
        return sorted(users)


@lru_cache(maxsize=4)
def get_engine(pack_name: str | None = None) -> Engine:
    from gazette.packs import load_pack

    pack = load_pack(pack_name)
    if pack.policies_dir is None:
        raise GazetteError("pack_has_no_policies", "内容包没有政策规则", f"pack {pack.name} has no policies", status=500)
    return Engine(pack.policies_dir, pack.name)


def parse_date(value: str | dt.date, field: str = "on") -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("日期格式应为 YYYY-MM-DD", f"expected a date YYYY-MM-DD, got {value!r}", field=field) from None


def load_json(text: str, field: str = "situation") -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"JSON 格式错误：{exc.msg}（第 {exc.lineno} 行）", f"malformed JSON: {exc.msg} (line {exc.lineno})",
                           field=field) from None


__all__ = ["Engine", "get_engine", "parse_date", "load_json", "MONEY", "STATUS"]
