"""A purchase a voucher is redeemed against: its validation (price, date, the programme's facts)
and the face value the rules engine gives it, with its clause and tier.

The engine answers in fen (``RuleResult.amount_fen``); yuan strings are made only for the stored
calculation record, which is what the client sees.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from gazette import validate
from gazette.errors import InvalidInput
from gazette.ledger.money import fen_to_yuan
from gazette.rules.engine.rendering import render_item
from gazette.rules.engine.results import Status, Tier
from jiaxing.schemes.vouchers import errors
from jiaxing.schemes.vouchers.programmes import SPECS, engine

MAX_PRICE_YUAN = Decimal("100000000")  # 1亿 yuan: an "absurd" price above this is refused


def parse_price(value: Any, field: str = "purchase.price_yuan") -> Decimal:
    if isinstance(value, bool) or value is None:
        raise errors.invalid("invalid_price", "价格应为元为单位的数字", "price must be a number of yuan", field)
    try:  # the shared validator: plain decimals of at most 40 characters, no exponent, bounded
        d = validate.decimal_number(value, field, maximum=MAX_PRICE_YUAN)
    except InvalidInput as exc:
        shown = str(value)[:50]
        if exc.code == "out_of_range":
            raise errors.invalid("invalid_price", f"价格不合理（超过 {MAX_PRICE_YUAN} 元）", f"absurd price (above {MAX_PRICE_YUAN} yuan)",
                            field, {"value": shown, "max_yuan": str(MAX_PRICE_YUAN)}) from None
        raise errors.invalid("invalid_price", f"价格格式不正确：{shown!r}", f"malformed price: {shown!r}", field) from None
    if d <= 0:
        raise errors.invalid("invalid_price", "价格必须大于零", "price must be greater than zero", field, {"value": str(value)})
    if d > MAX_PRICE_YUAN:
        raise errors.invalid("invalid_price", f"价格不合理（超过 {MAX_PRICE_YUAN} 元）", f"absurd price (above {MAX_PRICE_YUAN} yuan)",
                        field, {"value": str(value), "max_yuan": str(MAX_PRICE_YUAN)})
    if d != d.quantize(Decimal("0.01")):
        raise errors.invalid("invalid_price", "价格最多保留两位小数（分）", "price has more than two decimals", field)
    return d.quantize(Decimal("0.01"))


def parse_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise errors.invalid("invalid_date", f"日期格式应为 YYYY-MM-DD：{value!r}", f"expected a date YYYY-MM-DD, got {value!r}",
                        field) from None


def normalise_purchase(programme: str, purchase: Any) -> dict[str, Any]:
    """Validate a purchase before anything is written: price, date and the programme's facts."""
    if not isinstance(purchase, dict):
        raise errors.invalid("invalid_purchase", "购买信息应为对象", "purchase must be an object", "purchase")
    spec = SPECS[programme]
    allowed = {"price_yuan", "date", "invoice", *spec.facts}
    extra = sorted(set(purchase) - allowed)
    if extra:
        raise errors.invalid("invalid_purchase", f"购买信息含未知字段：{extra[0]}", f"unknown purchase field: {extra[0]}",
                        f"purchase.{extra[0]}")
    out: dict[str, Any] = {"price_yuan": str(parse_price(purchase.get("price_yuan"))),
                           "date": parse_date(purchase.get("date"), "purchase.date").isoformat()}
    if "invoice" in purchase:
        inv = purchase["invoice"]
        if not isinstance(inv, str) or not (1 <= len(inv) <= 100):
            raise errors.invalid("invalid_purchase", "发票号应为 1–100 字的文本", "invoice must be 1–100 characters", "purchase.invoice")
        out["invoice"] = inv
    for f in spec.facts:
        if f in purchase and purchase[f] is not None:
            out[f] = purchase[f]
    return out


def face_value(programme: str, situation_facts: dict[str, Any], on: dt.date, field: str) -> tuple[int, dict[str, Any]]:
    """The face value in fen the engine gives this purchase, and the calculation record; raises
    ``not_eligible`` (or ``facts_missing``) with the failed conditions."""
    spec = SPECS[programme]
    ev = engine().evaluate({spec.plural: {"purchase": situation_facts}}, on, rule_ids={spec.clause}, explain=True)
    r = ev.one(spec.clause)
    items = [render_item(i) for i in r.explanation or ()]
    if r.status is not Status.ELIGIBLE:
        failed = [{k: c.get(k) for k in ("id", "text_zh", "text_en", "facts", "reference", "nearest_text_zh") if c.get(k)}
                  for c in items if c.get("kind") in ("condition", "validity") and c.get("status") == "fail"]
        raise errors.not_eligible(spec.clause, failed, list(r.missing_facts), field)
    fen = int(r.amount_fen or 0)
    tier = next((i for i in r.explanation or () if isinstance(i, Tier)), None)
    calc = {"rule": spec.clause, "references": list(r.references), "amount_yuan": fen_to_yuan(fen),
            "tier": tier.tier if tier else None, "on": on.isoformat()}
    return fen, calc


def priced_purchase(programme: str, district: str, reserved_fen: int, window_start: dt.date, window_end: dt.date,
                    on: dt.date, purchase: Any) -> tuple[dict[str, Any], int, dict[str, Any]]:
    """The purchase checked (its date in the programme's window and not after ``on``) and priced by
    the engine: ``(purchase as stored, face in fen — at most the reserve, calculation)``. No database:
    the one-statement redemption (:mod:`.hotpath`) calls it with what it read."""
    p = normalise_purchase(programme, purchase)
    pdate = dt.date.fromisoformat(p["date"])
    if not (window_start <= pdate <= window_end):
        raise errors.window_closed("购买", pdate, window_start, window_end, "purchase.date")
    if pdate > on:
        raise errors.invalid("invalid_date", f"购买日期 {pdate} 晚于当前业务日期 {on}", f"purchase date {pdate} is after today ({on})",
                        "purchase.date")
    facts = {k: p[k] for k in p if k != "invoice"}
    facts["district"] = district
    face, calc = face_value(programme, facts, pdate, "purchase")
    return p, min(face, reserved_fen), calc
