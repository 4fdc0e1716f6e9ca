"""Evaluating compiled rules over frames (like openfisca-core's simulation): one polars query turns a
frame of one entity into ``<rule>|ok`` (three-valued) and ``<rule>|amount`` (fen) columns for every rule
of that entity — one row or millions. The status word derives from the two (:meth:`status_expr`);
exclusive groups (所列奖励条款不得重复享受) are applied after the query (:meth:`finish`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from gazette.rules.entities import Entity, split_column
from gazette.rules.rule import Rule, lit_int

from .compiling import Compiled, Compiler
from .results import Status

STATUS = pl.Enum([s.value for s in Status])
_NO_OPT = pl.QueryOptFlags.none()
# wide, row-wise expressions over a table in memory: the in-memory engine beats streaming here (measured)
ENGINE = "in-memory"
_ST = {s: pl.lit(s.value, dtype=STATUS) for s in Status}
SMALL = 64  # rows up to which the query optimiser costs more than it saves


def collect_all(lazies: list[pl.LazyFrame], small: bool) -> list[pl.DataFrame]:
    return pl.collect_all(lazies, optimizations=_NO_OPT, engine=ENGINE) if small else pl.collect_all(lazies, engine=ENGINE)


def status_of(rule: Rule, ok: bool | None, amount: int | None) -> Status:
    """The status word from a rule's ``ok`` and ``amount`` values (the row-wise twin of :func:`status_expr`)."""
    if ok is False:
        return Status.INELIGIBLE
    if ok is None or (rule.unit and amount is None):
        return Status.UNKNOWN
    return Status.ELIGIBLE


def status_expr(rule: Rule) -> pl.Expr:
    """The status word of a rule from its ``ok`` and ``amount`` columns."""
    ok, amt = pl.col(f"{rule.id}|ok"), pl.col(f"{rule.id}|amount")
    paid = ok & amt.is_not_null() if rule.unit else ok
    return (pl.when(ok.not_()).then(_ST[Status.INELIGIBLE]).when(paid).then(_ST[Status.ELIGIBLE])
            .otherwise(_ST[Status.UNKNOWN]).alias(f"{rule.id}|status"))


def amount_expr(rule: Rule) -> pl.Expr:
    """The amount as users see it: null when the status is unknown."""
    ok, amt = pl.col(f"{rule.id}|ok"), pl.col(f"{rule.id}|amount")
    return pl.when(ok.is_null()).then(lit_int(None)).otherwise(amt).alias(f"{rule.id}|amount")


def exclusive_groups(compiled: list[Compiled]) -> dict[str, list[str]]:
    """Exclusive group → its active rules (groups of two or more only)."""
    groups: dict[str, list[str]] = {}
    for c in compiled:
        if c.rule.exclusive_group and c.active:
            groups.setdefault(c.rule.exclusive_group, []).append(c.rule.id)
    return {g: r for g, r in groups.items() if len(r) >= 2}


def select_rules(compiled: list[Compiled], rule_ids: set[str] | None) -> list[Compiled]:
    if rule_ids is None:
        return compiled
    # rules sharing an exclusive group are evaluated together
    groups = {c.rule.exclusive_group for c in compiled if c.rule.id in rule_ids and c.rule.exclusive_group}
    return [c for c in compiled if c.rule.id in rule_ids or (c.rule.exclusive_group in groups)]


class FrameEvaluator:
    def __init__(self, compiler: Compiler):
        self.compiler = compiler
        self.entities = compiler.pack.entities
        self._excl_cache: dict[tuple, list[list[pl.Expr]]] = {}
        self._null_cache: dict[tuple[str, str], pl.Expr] = {}

    # ------------------------------------------------------------------ columns

    def required_columns(self, entity: str, on: dt.date, overrides=None) -> set[str]:
        cols: set[str] = set()
        for c in self.compiler.compile(on, overrides)[entity]:
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

    # ------------------------------------------------------------------ expressions per rule

    def _stage_a(self, c: Compiled, explain: bool) -> list[pl.Expr]:
        key = ("a", explain)
        if key not in c.memo:
            c.memo[key] = self._build_stage_a(c, explain)
        return c.memo[key]

    @staticmethod
    def _build_stage_a(c: Compiled, explain: bool) -> list[pl.Expr]:
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

    @staticmethod
    def _build_stage_b(c: Compiled, explain: bool) -> list[pl.Expr]:
        """``<rule>|ok`` (Kleene AND of the conditions: true / false / null = unknown) and ``<rule>|amount``
        (fen when ok; null when ok but the amount's own facts are missing; 0 otherwise — read it with the
        status)."""
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
    def _exclusive_exprs(g: str, rids: list[str], explain: bool) -> list[list[pl.Expr]]:
        """Within a group only the highest eligible amount is paid (first rule on ties)."""
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

    # ------------------------------------------------------------------ frames

    def finish(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
               explain: bool = False, rule_ids: set[str] | None = None) -> pl.DataFrame:
        """Apply exclusive groups to a collected evaluation. Only rows where two or more rules of a group
        pay something can change, so those rows alone are recomputed and written back."""
        compiled = select_rules(self.compiler.compile(on, overrides)[entity], rule_ids)
        for g, rids in exclusive_groups(compiled).items():
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
            sub = sub.collect(optimizations=_NO_OPT, engine=ENGINE)
            out_cols = cols + ([f"{r}|excluded_by" for r in rids] if explain else [])
            df = df.with_columns([df[c].clone().scatter(idx, sub[c]) for c in out_cols])
        return df

    def evaluate_frame(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
                       explain: bool = False, frames: dict[str, pl.DataFrame] | None = None,
                       rule_ids: set[str] | None = None) -> pl.DataFrame:
        """``<rule>|ok`` and ``<rule>|amount`` (fen) for every rule of ``entity`` (see :func:`status_expr`)."""
        lf = self.evaluate_lazy(entity, df, on, overrides, explain, frames, rule_ids)
        out = lf.collect(optimizations=_NO_OPT, engine=ENGINE) if df.height <= SMALL else lf.collect(engine=ENGINE)
        return self.finish(entity, out, on, overrides, explain, rule_ids)

    def evaluate_many(self, frames: dict[str, pl.DataFrame], on: dt.date, overrides: dict[str, Any] | None = None,
                      rule_ids: set[str] | None = None) -> dict[str, pl.DataFrame]:
        """Several entity tables in one parallel query (e.g. a whole population: people, purchases, firms)."""
        names = list(frames)
        outs = pl.collect_all([self.evaluate_lazy(n, frames[n], on, overrides, False, frames, rule_ids) for n in names],
                              engine=ENGINE)
        return {n: self.finish(n, o, on, overrides, False, rule_ids) for n, o in zip(names, outs, strict=True)}

    def evaluate_lazy(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
                      explain: bool = False, frames: dict[str, pl.DataFrame] | None = None,
                      rule_ids: set[str] | None = None) -> pl.LazyFrame:
        """The same evaluation as a lazy query (several entities can then be collected together); pass the
        collected frame through :meth:`finish` to apply exclusive groups."""
        ent = self.entities[entity]
        compiled = select_rules(self.compiler.compile(on, overrides)[entity], rule_ids)
        needed: set[str] = set()
        for c in compiled:
            needed |= c.columns
        # typed nulls for absent facts are added lazily: an eager with_columns costs a whole extra query
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
