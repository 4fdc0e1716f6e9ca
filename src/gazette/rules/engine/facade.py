"""The :class:`Engine` facade: one object per pack that loads, compiles, builds situations, evaluates
and explains — each step delegated to its module. Build once (see :func:`gazette.rules.engine.get_engine`);
thread-safe for reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from gazette.errors import InvalidInput
from gazette.rules.entities import Entity
from gazette.rules.parameters import Parameter, Scale
from gazette.rules.rule import Rule

from .compiling import Compiled, Compiler, Program
from .evaluation import SMALL, FrameEvaluator, amount_expr, collect_all, select_rules, status_expr, status_of
from .explanation import Explainer, probes
from .loading import load_policies
from .rendering import render_evaluation
from .results import Evaluation, RuleResult, Status
from .single import evaluate_row, linked_columns, translatable
from .situation import frames_from_parsed, parse_situation


class Engine:
    """A pack's rules, ready to evaluate."""

    def __init__(self, policies_dir: Path, pack_name: str = "pack"):
        pack = load_policies(policies_dir, pack_name)
        self.pack = pack
        self.policies_dir = pack.policies_dir
        self.entities: dict[str, Entity] = pack.entities
        self.by_plural: dict[str, Entity] = pack.by_plural
        self.policies = pack.policies
        self.params = pack.params
        self.rules: list[Rule] = pack.rules
        self.rules_by_id: dict[str, Rule] = pack.rules_by_id
        self.compiler = Compiler(pack)
        self.frames = FrameEvaluator(self.compiler)
        self.explainer = Explainer(pack.entities, pack.params)
        self.row_path = True  # one applicant row by row (tests and the benchmark turn it off to compare)

    # ------------------------------------------------------------------ compile
    def parse_overrides(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        return self.compiler.parse_overrides(raw)

    def compile(self, on: dt.date, overrides: dict[str, Any] | None = None) -> Program:
        return self.compiler.compile(on, overrides)

    def warm(self, on: dt.date) -> None:
        """Compile for a date and translate every rule for the row path (server start: the first request
        is as fast as the rest)."""
        for compiled in self.compile(on).values():
            translatable(compiled)

    def rules_for(self, pid: str) -> list[str]:
        return self.compiler.rules_for(pid)

    def parameter(self, pid: str) -> Parameter | Scale:
        return self.params.get(pid)

    # ------------------------------------------------------------------ frames (batch)
    status_expr = staticmethod(status_expr)
    amount_expr = staticmethod(amount_expr)
    status_of = staticmethod(status_of)

    def required_columns(self, entity: str, on: dt.date, overrides=None) -> set[str]:
        return self.frames.required_columns(entity, on, overrides)

    def ensure_columns(self, entity: Entity, df: pl.DataFrame, needed: set[str],
                       frames: dict[str, pl.DataFrame] | None = None) -> pl.DataFrame:
        return self.frames.ensure_columns(entity, df, needed, frames)

    def finish(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
               explain: bool = False, rule_ids: set[str] | None = None) -> pl.DataFrame:
        return self.frames.finish(entity, df, on, overrides, explain, rule_ids)

    def evaluate_frame(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
                       explain: bool = False, frames: dict[str, pl.DataFrame] | None = None,
                       rule_ids: set[str] | None = None) -> pl.DataFrame:
        return self.frames.evaluate_frame(entity, df, on, overrides, explain, frames, rule_ids)

    def evaluate_many(self, frames: dict[str, pl.DataFrame], on: dt.date, overrides: dict[str, Any] | None = None,
                      rule_ids: set[str] | None = None) -> dict[str, pl.DataFrame]:
        return self.frames.evaluate_many(frames, on, overrides, rule_ids)

    def evaluate_lazy(self, entity: str, df: pl.DataFrame, on: dt.date, overrides: dict[str, Any] | None = None,
                      explain: bool = False, frames: dict[str, pl.DataFrame] | None = None,
                      rule_ids: set[str] | None = None) -> pl.LazyFrame:
        return self.frames.evaluate_lazy(entity, df, on, overrides, explain, frames, rule_ids)

    # ------------------------------------------------------------------ situations
    def frames_from_situation(self, situation: dict[str, Any]) -> dict[str, pl.DataFrame]:
        return frames_from_parsed(parse_situation(self.by_plural, self.entities, situation))

    def _check_rule_ids(self, rule_ids: set[str] | None) -> None:
        unknown = [r for r in rule_ids or () if r not in self.rules_by_id]
        if unknown:
            raise InvalidInput(f"未找到规则：{unknown[0]}", f"rule not found: {unknown[0]}", field="rules",
                               code="rule_not_found")

    def evaluate(self, situation: dict[str, Any], on: dt.date, overrides: dict[str, Any] | None = None, *,
                 explain: bool = True, rule_ids: set[str] | None = None) -> Evaluation:
        """Every rule (or ``rule_ids``) for every member of a situation, typed: amounts in fen,
        :class:`Status` words, explanation items. ``overrides`` are what-if values in YAML units.

        A situation of a few members takes the row-at-a-time path (:mod:`.single`); a larger one, or a
        rule the row path cannot mirror, the frame path. Both give the same results (a property test)."""
        parsed_overrides = self.parse_overrides(overrides)
        self._check_rule_ids(rule_ids)
        parsed = parse_situation(self.by_plural, self.entities, situation)
        program = self.compile(on, parsed_overrides)
        results = None
        if self.row_path and all(len(rows) <= SMALL for rows, _types in parsed.values()):
            try:
                results = self._evaluate_rows(parsed, program, on, explain, rule_ids)
            except Exception:  # noqa: BLE001 - anything the row path cannot mirror: the frame path decides
                results = None
        if results is None:
            results = self._evaluate_frames(parsed, program, on, parsed_overrides, explain, rule_ids)
        return Evaluation(on, dict(overrides or {}), tuple(results))

    def _evaluate_rows(self, parsed: dict, program: Program, on: dt.date, explain: bool,
                       rule_ids: set[str] | None) -> list[RuleResult] | None:
        selected = {name: select_rules(program[name], rule_ids) for name in parsed}
        if not all(translatable(s) for s in selected.values()):
            return None
        members = {name: {row["_id"]: row for row in rows} for name, (rows, _types) in parsed.items()}
        results: list[RuleResult] = []
        for name, (rows, _types) in parsed.items():
            if not rows:
                continue
            ent = self.entities[name]
            needed = set().union(*(c.columns for c in selected[name])) if selected[name] else set()
            inputs = []
            for row in rows:
                facts = dict(row)
                linked_columns(needed, facts, ent, members)
                inputs.append(facts)
            evaluated = [evaluate_row(selected[name], dict(facts), explain) for facts in inputs]
            compiled = [c for c in program[name] if rule_ids is None or c.rule.id in rule_ids]
            would = {}
            if explain:
                for c in compiled:
                    for row_i, row in enumerate(evaluated):
                        for p in probes(c, row, row_i):
                            probe = dict(inputs[row_i])
                            probe[p.column] = p.target
                            out = evaluate_row(select_rules(program[name], {p.rule_id}), probe, False)
                            rule = self.rules_by_id[p.rule_id]
                            ok = status_of(rule, out[f"{p.rule_id}|ok"], out[f"{p.rule_id}|amount"]) is Status.ELIGIBLE
                            would[(p.rule_id, p.row, p.condition)] = out[f"{p.rule_id}|amount"] if ok else None
            for c in compiled:
                for row_i, row in enumerate(evaluated):
                    results.append(self.explainer.result(c, row, explain, on, program[name], would, row_i))
        return results

    def _evaluate_frames(self, parsed: dict, program: Program, on: dt.date, overrides: dict[str, Any], explain: bool,
                         rule_ids: set[str] | None) -> list[RuleResult]:
        frames = frames_from_parsed(parsed)
        names = [n for n, df in frames.items() if df.height]
        lazies = [self.frames.evaluate_lazy(n, frames[n], on, overrides, explain=explain, frames=frames,
                                            rule_ids=rule_ids) for n in names]
        outs = collect_all(lazies, all(frames[n].height <= SMALL for n in names))
        results: list[RuleResult] = []
        for name, out in zip(names, outs, strict=True):
            out = self.frames.finish(name, out, on, overrides, explain, rule_ids)
            compiled = [c for c in program[name] if rule_ids is None or c.rule.id in rule_ids]
            records = out.to_dicts()
            would = self._probe(name, out, records, compiled, on, overrides) if explain else {}
            for c in compiled:
                for row_i, row in enumerate(records):
                    results.append(self.explainer.result(c, row, explain, on, program[name], would, row_i))
        return results

    def _probe(self, entity: str, frame: pl.DataFrame, records: list[dict], compiled: list[Compiled], on: dt.date,
               overrides: dict[str, Any]) -> dict[tuple[str, int, int], int | None]:
        """Re-run the failing rules with each threshold fact set to its nearest qualifying value — one frame.
        Returns what each would pay (None when it still would not be eligible)."""
        todo = [p for c in compiled for row_i, row in enumerate(records) for p in probes(c, row, row_i)]
        if not todo:
            return {}
        base = frame.select([col for col in frame.columns if "|" not in col])  # inputs only (no helper columns)
        rows = []
        for i, p in enumerate(todo):
            row = base.row(p.row, named=True)
            row[p.column], row["_id"] = p.target, str(i)
            rows.append(row)
        # rows in Python, one frame: far cheaper than a slice and a with_columns per probe
        probe = pl.from_dicts(rows, schema=base.schema)
        rids = {p.rule_id for p in todo}
        ev = self.frames.evaluate_frame(entity, probe, on, overrides, rule_ids=rids)
        oks = {rid: ev[f"{rid}|ok"].to_list() for rid in rids}
        amounts = {rid: ev[f"{rid}|amount"].to_list() for rid in rids}
        out = {}
        for i, p in enumerate(todo):
            ok = status_of(self.rules_by_id[p.rule_id], oks[p.rule_id][i], amounts[p.rule_id][i]) is Status.ELIGIBLE
            out[(p.rule_id, p.row, p.condition)] = amounts[p.rule_id][i] if ok else None
        return out

    def calculate(self, situation: dict[str, Any], on: dt.date, overrides_raw: dict[str, Any] | None = None,
                  explain: bool = True, rule_ids: set[str] | None = None) -> dict[str, Any]:
        """The ``/calculate`` JSON document: :meth:`evaluate` rendered at the edge (yuan strings, sentences)."""
        return render_evaluation(self.evaluate(situation, on, overrides_raw, explain=explain, rule_ids=rule_ids))


__all__ = ["Engine", "select_rules"]
