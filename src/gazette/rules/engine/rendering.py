"""The JSON edge of a calculation: typed results → the ``/calculate`` document (yuan strings, ISO dates,
bilingual sentences) that the API, the CLI and the pages show. Nothing here decides anything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from gazette.rules.money import fen_to_yuan, fmt_yuan
from gazette.rules.parameters import render

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
    Threshold,
    Tier,
    Validity,
)


def fmt(v: Any, unit: str) -> str:
    """A value for a sentence: 19,500,000 (money in yuan), 0.15 (decimal), 1,000 (int)."""
    if v is None:
        return "?"
    if unit == "money":
        return fmt_yuan(v)
    if unit.startswith("decimal:"):
        return str(Decimal(v).scaleb(-int(unit.split(":")[1])).normalize())
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def raw(v: Any, unit: str) -> Any:
    """A value for JSON: yuan strings for money, exact decimal strings, ISO dates."""
    if v is None:
        return None
    if unit == "money":
        return fen_to_yuan(v)
    if unit.startswith("decimal:"):
        return str(Decimal(v).scaleb(-int(unit.split(":")[1])))
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return v


def _window(i: Validity) -> list[str | None]:
    return [i.valid_from.isoformat(), i.valid_to.isoformat() if i.valid_to else None]


def _facts(facts: tuple[Fact, ...]) -> dict[str, Any]:
    return {f.column: raw(f.value, f.unit) for f in facts}


def _threshold(th: Threshold, out: dict[str, Any]) -> None:
    out.update({"value": raw(th.value, th.unit), "threshold": raw(th.bound, th.unit), "op": th.op})
    if th.nearest is None:
        return
    v, t, target, would = th.value, th.bound, th.nearest, th.would_qualify_fen
    out["nearest"] = raw(target, th.unit)
    gap = target - v
    sym = {">=": "<", ">": "≤", "<=": ">", "<": "≥"}[th.op]
    more = gap > 0
    amount_en = f"would qualify for {fmt_yuan(would)}" if would else "would meet this condition"
    amount_zh = f"即可获得 {fmt_yuan(would)}" if would else "即可满足本条件"
    out["would_qualify_yuan"] = fen_to_yuan(would) if would else None
    out["nearest_text_en"] = (f"{th.label_en} {fmt(v, th.unit)} {sym} {fmt(t, th.unit)}: "
                              f"{fmt(abs(gap), th.unit)} {'more' if more else 'less'} {amount_en}")
    out["nearest_text_zh"] = (f"{th.label_zh} {fmt(v, th.unit)} {sym} {fmt(t, th.unit)}："
                              f"{'再增加' if more else '减少'} {fmt(abs(gap), th.unit)} {amount_zh}")


def _tier(t: Tier) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": "tier", "param": t.param, "value": raw(t.value, t.unit), "label_en": t.label_en,
                            "label_zh": t.label_zh}
    item["tier"] = t.tier
    if t.value is None:
        return item
    item["tiers"] = t.tiers
    if t.tier is not None:
        item["threshold"] = raw(t.threshold, t.unit)
        item["tier_amount_yuan"] = fen_to_yuan(t.amount_fen)
    if t.next_threshold is not None:
        th, a = t.next_threshold, t.next_amount_fen
        gap = th - t.value
        item["next"] = {"threshold": raw(th, t.unit), "amount_yuan": fen_to_yuan(a), "gap": raw(gap, t.unit)}
        item["text_en"] = (f"{t.label_en} {fmt(t.value, t.unit)} < {fmt(th, t.unit)}: "
                           f"{fmt(gap, t.unit)} more would qualify for {fmt_yuan(a)}")
        item["text_zh"] = (f"{t.label_zh} {fmt(t.value, t.unit)} 低于 {fmt(th, t.unit)}："
                           f"再增加 {fmt(gap, t.unit)} 可适用 {fmt_yuan(a)} 档")
    return item


def render_item(i: ExplanationItem) -> dict[str, Any]:
    if isinstance(i, Validity):
        if i.outcome is Outcome.FAIL:
            return {"kind": "validity", "status": "fail", "text_zh": i.reason_zh, "text_en": i.reason_en,
                    "window": _window(i)}
        return {"kind": "validity", "status": "pass", "window": _window(i),
                "text_zh": f"计算日期 {i.on.isoformat()} 在有效期内", "text_en": f"{i.on.isoformat()} is within the validity window"}
    if isinstance(i, Condition):
        item = {"kind": "condition", "id": i.id, "status": i.outcome.value, "text_zh": i.text_zh, "text_en": i.text_en,
                "facts": _facts(i.facts)}
        if i.reference:
            item["reference"] = i.reference
        if i.missing is not None:
            item["missing"] = list(i.missing)
        if i.threshold is not None:
            _threshold(i.threshold, item)
        return item
    if isinstance(i, ParameterUsed):
        if i.is_scale:
            value = [{"threshold": render(t, i.threshold_unit), "amount": render(a, i.unit)} for t, a in i.value]
        else:
            value = render(i.value, i.unit)
        item = {"kind": "parameter", "id": i.id, "value": value, "unit": i.unit,
                "effective_from": i.effective_from.isoformat(), "references": list(i.references)}
        if i.overridden:
            item["overridden"] = True
        if i.decision:
            item["decision"] = i.decision
        if i.source:
            item["source"] = i.source
        if i.demo:
            item["demo"] = True
        return item
    if isinstance(i, Tier):
        return _tier(i)
    if isinstance(i, Detail):
        return {"kind": "detail", "id": i.id, "text_zh": i.text_zh, "text_en": i.text_en, "value": raw(i.value, i.unit)}
    if isinstance(i, Note):
        return {"kind": "note", "text_zh": i.text_zh, "text_en": i.text_en}
    if isinstance(i, Excluded):
        return {"kind": "condition", "id": "no_duplicate", "status": "fail",
                "text_zh": f"所列奖励条款不得重复享受：已按 {i.kept} 享受更高奖励",
                "text_en": f"listed rewards may not be combined: the higher reward under {i.kept} applies",
                "reference": i.group}
    if isinstance(i, Amount):
        return {"kind": "amount", "amount_yuan": fen_to_yuan(i.amount_fen), "status": i.status.value}
    raise TypeError(type(i))


def render_result(r: RuleResult) -> dict[str, Any]:
    """One rule's result as in ``/calculate``."""
    res: dict[str, Any] = {
        "rule": r.rule_id,
        "title_zh": r.title_zh,
        "title_en": r.title_en,
        "entity": r.entity_id,
        "entity_type": r.entity_type,
        "kind": r.kind,
        "status": r.status.value,
        "amount_yuan": fen_to_yuan(r.amount_fen) if r.pays_money else None,
        "period": r.period,
        "references": list(r.references),
    }
    if r.outcome is not None:
        res["outcome"] = r.outcome
    if r.explanation is None:
        return res
    res["explanation"] = [render_item(i) for i in r.explanation]
    res["missing_facts"] = list(r.missing_facts)
    return res


def render_evaluation(ev: Evaluation) -> dict[str, Any]:
    """The whole ``/calculate`` document."""
    totals = ev.totals
    return {"on": ev.on.isoformat(), "overrides": ev.overrides or {}, "results": [render_result(r) for r in ev.results],
            "totals": {"benefits_yuan": fen_to_yuan(totals.benefits_fen), "eligible": totals.eligible,
                       "unknown": totals.unknown}}
