"""Compiling a pack's rules for a date and what-if overrides: each rule function called once with a
:class:`~gazette.rules.rule.Builder`, giving its conditions, amount, tiers and parameters used as polars
expressions. Cached per (date, overrides): the same program serves one applicant and millions of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from gazette.errors import InvalidInput
from gazette.rules.parameters import Parameter, ParameterUndefined, parse_override
from gazette.rules.rule import Builder, Cond, Rule

from .loading import LoadedPack

_CACHE_SIZE = 256


@dataclass
class Compiled:
    """One rule on one date: ``active`` False (with the reason) outside its window or when a parameter
    it needs is undefined on the date."""

    rule: Rule
    active: bool
    conditions: list[Cond] = field(default_factory=list)
    amount: pl.Expr | None = None
    builder: Builder | None = None
    inactive_reason: tuple[str, str] | None = None
    memo: dict = field(default_factory=dict)  # per-evaluator artefacts built from this rule, once

    @property
    def columns(self) -> set[str]:
        return self.builder.columns if self.builder else set()


Program = dict[str, list[Compiled]]  # entity name → its compiled rules, in declaration order


class Compiler:
    def __init__(self, pack: LoadedPack):
        self.pack = pack
        self._programs: dict[tuple, Program] = {}

    def parse_overrides(self, raw: dict[str, Any] | None) -> dict[str, Any]:
        """What-if values in YAML units → in-memory values, each checked against its parameter."""
        params = self.pack.params
        out = {}
        for pid, value in (raw or {}).items():
            if pid not in params:
                raise InvalidInput(f"未找到参数：{pid}", f"parameter not found: {pid}", field=f"overrides.{pid}",
                                   code="parameter_not_found")
            out[pid] = parse_override(params.get(pid), value)
        return out

    def compile(self, on: dt.date, overrides: dict[str, Any] | None = None) -> Program:
        overrides = overrides or {}
        key = (on, repr(sorted(overrides.items())))
        hit = self._programs.get(key)
        if hit is not None:
            return hit
        program: Program = {name: [] for name in self.pack.entities}
        for r in self.pack.rules:
            program[r.entity].append(self._compile_rule(r, on, overrides))
        if len(self._programs) > _CACHE_SIZE:
            self._programs.clear()
        self._programs[key] = program
        return program

    def _compile_rule(self, r: Rule, on: dt.date, overrides: dict[str, Any]) -> Compiled:
        if r.on_window and not r.in_window(on):
            end = r.valid_to.isoformat() if r.valid_to else "—"
            return Compiled(r, False, inactive_reason=(
                f"{on.isoformat()} 不在本条有效期 {r.valid_from.isoformat()} 至 {end} 内",
                f"{on.isoformat()} is outside this clause's validity {r.valid_from.isoformat()} to {end}"))
        b = Builder(r, on, self.pack.params, overrides, self.pack.entities[r.entity], self.pack.entities)
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

    def rules_for(self, pid: str) -> list[str]:
        """Rules that read a parameter (found by compiling on each start date of the parameter)."""
        p = self.pack.params.get(pid)
        dates = {s for s, _ in p.history} if isinstance(p, Parameter) else {s for b in p.brackets for s, _ in b.amount}
        dates |= {r.valid_from for r in self.pack.rules if r.policy == pid.split(".", 1)[0]}
        dates = {d for d in dates if p.defined_on(d)}
        users = set()
        for d in dates:
            for comp in self.compile(d).values():
                for c in comp:
                    if c.builder and pid in c.builder.params_used:
                        users.add(c.rule.id)
        return sorted(users)
