"""Rules endpoints: calculate, match, parameters, rules — thin over :mod:`gazette.rules.engine`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gazette.errors import InvalidInput, NotFound
from gazette.rules.engine import Status, get_engine, render_result
from gazette.rules.money import fen_to_yuan

router = APIRouter(tags=["rules"])


class CalculateRequest(BaseModel):
    situation: dict[str, Any] = Field(
        description="entities keyed by kind then id; money in yuan (numbers or decimal strings)",
        examples=[{"persons": {"p1": {"district": "南湖区", "birth_date": "1980-05-01"}},
                   "vehicle_purchases": {"c1": {"buyer": "p1", "price_yuan": 250000, "new_energy": True,
                                                "date": "2022-10-08"}}}],
    )
    on: dt.date = Field(description="calculation date")
    overrides: dict[str, Any] | None = Field(default=None, description="what-if: parameter id → value (YAML units)")
    rules: list[str] | None = Field(default=None, description="only these rule ids")
    explain: bool = True


# what /match repeats of each result (the full explanation only for a claim, the missing facts for an unknown)
BRIEF_KEYS = ("rule", "title_zh", "title_en", "entity", "entity_type", "kind", "amount_yuan", "period",
              "references")


class MatchRequest(BaseModel):
    situation: dict[str, Any]
    on: dt.date
    entity: str | None = Field(default=None, description="id of the person or enterprise asking (and what links to it)")
    overrides: dict[str, Any] | None = None


@router.post("/calculate", summary="Amounts, conditions and clauses for every rule that applies to a situation")
def calculate(req: CalculateRequest) -> dict[str, Any]:
    return get_engine().calculate(req.situation, req.on, req.overrides, explain=req.explain,
                               rule_ids=set(req.rules) if req.rules else None)


@router.post("/match", summary="What a person or enterprise may claim, and the facts still needed")
def match(req: MatchRequest) -> dict[str, Any]:
    engine = get_engine()
    evaluation = engine.evaluate(req.situation, req.on, req.overrides, explain=True)
    members = None
    if req.entity is not None:
        members = {req.entity}
        found = False
        for plural, items in req.situation.items():
            ent = engine.by_plural.get(plural)
            if ent is None or not isinstance(items, dict):
                continue
            if req.entity in items:
                found = True
            refs = [v.name for v in ent.variables if v.type == "ref"]
            for mid, facts in items.items():
                if isinstance(facts, dict) and any(facts.get(r) == req.entity for r in refs):
                    members.add(mid)
        if not found:
            raise InvalidInput(f"情形中没有 {req.entity}", f"no member {req.entity} in the situation",
                               field="entity", code="entity_not_found")
    claims, needed = [], []
    claimable_fen = 0
    for result in evaluation.results:
        if members is not None and result.entity_id not in members:
            continue
        if result.kind not in ("benefit", "limit"):
            continue
        rendered = render_result(result)
        brief = {key: rendered[key] for key in BRIEF_KEYS}
        pays_something = result.pays_money and bool(result.amount_fen)
        if result.status is Status.ELIGIBLE and (result.kind == "limit" or pays_something):
            claims.append(brief | {"explanation": rendered["explanation"]})
            if result.kind == "benefit":
                claimable_fen += result.amount_fen or 0
        elif result.status is Status.UNKNOWN:
            needed.append(brief | {"missing_facts": rendered["missing_facts"]})
    return {"on": req.on.isoformat(), "entity": req.entity, "claims": claims, "unknown": needed,
            "claimable_total_yuan": fen_to_yuan(claimable_fen)}


@router.get("/parameters/{param_id}", summary="A parameter with its dated history, references and users")
def parameter(param_id: str) -> dict[str, Any]:
    engine = get_engine()
    p = engine.parameter(param_id)
    data = p.to_json()
    data["used_by"] = engine.rules_for(param_id)
    return data


@router.get("/parameters", summary="All parameter ids")
def parameters() -> dict[str, Any]:
    engine = get_engine()
    return {"parameters": [{"id": p.id, "description": p.description, "kind": p.kind} for p in engine.params]}


@router.get("/rules", summary="Every rule: clause id, entity, kind, validity, references")
def rules(on: dt.date | None = None) -> dict[str, Any]:
    engine = get_engine()
    items = [r.to_json() for r in engine.rules if on is None or not r.on_window or r.in_window(on)]
    return {"rules": items}


@router.get("/rules/{rule_id:path}", summary="One rule")
def rule(rule_id: str) -> dict[str, Any]:
    engine = get_engine()
    r = engine.rules_by_id.get(rule_id)
    if r is None:
        raise NotFound("规则", rule_id, field="id", what_en="rule", code="rule_not_found")
    return r.to_json()
