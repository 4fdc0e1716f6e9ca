"""The rules engine, after openfisca-core's split of a tax-benefit system, a simulation builder, a
simulation and a tracer:

* :mod:`.loading` — pack → entities, policies, parameters, rules;
* :mod:`.compiling` — rules → polars expressions for a date and what-if overrides (cached);
* :mod:`.situation` — situation JSON → validated rows and frames;
* :mod:`.evaluation` — compiled rules over frames (one row or millions), exclusive groups;
* :mod:`.explanation` — an evaluated row → a typed :class:`RuleResult` with its explanation items;
* :mod:`.results` — the typed results (:class:`Status`, :class:`Outcome`, :class:`RuleResult`, …);
* :mod:`.rendering` — the JSON edge (yuan strings, sentences) of ``/calculate``, the CLI and the pages.

:class:`Engine` is the facade the rest of the code uses; :func:`get_engine` builds it once per pack.
"""

from __future__ import annotations

from functools import lru_cache

from gazette.errors import Misconfigured
from gazette.rules.parameters import MONEY

from .compiling import Compiled
from .evaluation import STATUS
from .facade import Engine
from .loading import Policy
from .rendering import render_evaluation, render_result
from .results import (
    Amount,
    Condition,
    Detail,
    Evaluation,
    Excluded,
    ExplanationItem,
    Fact,
    Note,
    Outcome,
    ParameterUsed,
    RuleResult,
    Status,
    Threshold,
    Tier,
    Totals,
    Validity,
)
from .situation import load_json, parse_date


@lru_cache(maxsize=4)
def get_engine(pack_name: str | None = None) -> Engine:
    from gazette.packs import load_pack

    pack = load_pack(pack_name)
    if pack.policies_dir is None:
        raise Misconfigured("内容包没有政策规则", f"pack {pack.name} has no policies", code="pack_has_no_policies")
    return Engine(pack.policies_dir, pack.name)


__all__ = [
    "Amount", "Compiled", "Condition", "Detail", "Engine", "Evaluation", "Excluded", "ExplanationItem", "Fact", "MONEY",
    "Note", "Outcome", "ParameterUsed", "Policy", "RuleResult", "STATUS", "Status", "Threshold", "Tier", "Totals",
    "Validity", "get_engine", "load_json", "parse_date", "render_evaluation", "render_result",
]
