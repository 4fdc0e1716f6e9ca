"""A citizen's consumption vouchers under /me/vouchers: claim one (the finder's purchase carried over,
with the face value it will have), redeem it against a purchase, cancel it."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gazette.api.params import RowId
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError, InvalidInput
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.vouchers import errors as voucher_errors
from jiaxing.schemes.vouchers import queries as voucher_queries
from jiaxing.schemes.vouchers import service as voucher_service
from jiaxing.schemes.vouchers.models import Programme
from jiaxing.schemes.vouchers.programmes import DISTRICTS
from jiaxing.schemes.vouchers.purchases import face_value
from jiaxing.web.self_service import (
    csrf,
    error_view,
    fen_or_none,
    form_key,
    new_key,
    no_person_error,
    require,
    see_other,
)

router = APIRouter(include_in_schema=False)

VOUCHER_STATUS = {
    "claimed": "已领取（待使用） Claimed",
    "redeemed": "已核销 Redeemed",
    "cancelled": "已退券 Cancelled",
    "expired": "已过期 Expired",
    "refunded": "已退货退回 Refunded",
}
CATEGORY_LABELS = {
    "air_conditioner": "空调 Air conditioner", "refrigerator": "冰箱 Refrigerator",
    "washing_machine": "洗衣机 Washing machine", "television": "电视机 Television",
    "integrated_stove": "集成灶 Integrated stove", "other": "其他 Other",
}
PROGRAMME_LABELS = {"nev": "新能源汽车消费券 NEV voucher", "appliances": "绿色智能家电消费券 Appliance voucher"}


def _voucher_context(session, principal: Principal, request: Request) -> dict[str, Any]:
    vouchers = (voucher_service.list_vouchers(session, person_id=principal.person_id, limit=1000)
                if principal.person_id else [])
    vouchers.sort(key=lambda v: v["voucher_id"], reverse=True)
    programmes = []
    for prog in session.query(Programme).order_by(Programme.code):
        programmes.append({"code": prog.code, "name": prog.name, "clause": prog.clause, "max_face_fen": prog.max_face_fen,
                           "window_start": prog.window_start, "window_end": prog.window_end})
    for v in vouchers:
        v["face_fen"] = fen_or_none(v.get("face_yuan"))
        v["reserved_fen"] = fen_or_none(v.get("reserved_yuan"))
        v["status_label"] = VOUCHER_STATUS.get(v["status"], v["status"])
        v["redeem_key"] = new_key(principal, f"redeem{v['voucher_id']}")
        v["cancel_key"] = new_key(principal, f"cancel{v['voucher_id']}")
        purchase = v.get("purchase") or {}
        v["price_fen"] = fen_or_none(purchase["price_yuan"]) if purchase.get("price_yuan") else None
        calc = purchase.get("calculation") or {}
        v["tier"] = calc.get("tier")
    q = request.query_params
    district = q.get("district") if q.get("district") in DISTRICTS else (
        principal.district if principal.district in DISTRICTS else "")
    programme = q.get("programme") if q.get("programme") in ("nev", "appliances") else "nev"
    # what the person holds: one live voucher per programme — the page shows it instead of a claim button
    held = {v["programme"]: v for v in vouchers if v["status"] in ("claimed", "redeemed")}
    purchase = finder_purchase(q)
    expected = expected_face(programme, purchase, district) if purchase else None
    return {"who": principal, "vouchers": vouchers, "programmes": programmes, "districts": DISTRICTS,
            "business_date": voucher_queries.business_date(session), "claim_key": new_key(principal, "claim"),
            "prefill": {"district": district, "programme": programme, **purchase}, "categories": CATEGORY_LABELS,
            "programme_labels": PROGRAMME_LABELS, "held": held, "expected": expected,
            "open_programmes": [g for g in programmes if g["code"] not in held]}


def finder_purchase(q) -> dict[str, str]:
    """The purchase the finder computed (its claim link carries price, date, category, label), kept so the
    claim page shows the same amount and the redeem form keeps the price."""
    out: dict[str, str] = {}
    for key, size in (("price", 20), ("date", 10), ("category", 30), ("label", 1)):
        v = str(q.get(key, "")).strip()[:size]
        if v:
            out[key] = v
    return out


def expected_face(programme: str, purchase: dict[str, str], district: str) -> dict[str, Any] | None:
    """The face value the engine gives the finder's purchase — what the voucher will be worth when used."""
    facts: dict[str, Any] = {"price_yuan": purchase.get("price"), "date": purchase.get("date"), "district": district}
    if programme == "nev":
        facts["new_energy"] = True
    else:
        facts["category"] = purchase.get("category")
        if purchase.get("label", "").isdigit():
            facts["energy_label"] = int(purchase["label"])
    try:
        on = dt.date.fromisoformat(str(purchase.get("date")))
        fen, calc = face_value(programme, {k: v for k, v in facts.items() if v is not None}, on, "purchase")
    except (GazetteError, ValueError, TypeError):
        return None
    return {"fen": fen, "clause": calc["rule"], "price": purchase.get("price"), "date": purchase.get("date")}


def _render_vouchers(request: Request, principal: Principal, *, error: GazetteError | None = None,
                     done: dict | None = None, values: dict | None = None, status_code: int = 200) -> HTMLResponse:
    with unit_of_work() as session:
        ctx = _voucher_context(session, principal, request)
    ctx.update({"error": error_view(error) if error else None, "done": done, "values": values or {}})
    return templates.TemplateResponse(request, "me_vouchers.html", ctx, status_code=status_code)


@router.get("/me/vouchers", response_class=HTMLResponse)
def vouchers_page(request: Request):
    principal = require(request, Role.citizen)
    done = None
    q = request.query_params
    if q.get("done") and q.get("voucher", "").isdigit() and principal.person_id:
        with unit_of_work() as session:
            try:
                v = voucher_service.get_voucher(session, int(q["voucher"]))
            except GazetteError:
                v = None
        if v is not None and v["person_id"] == principal.person_id:
            done = {"action": q["done"], "voucher": v, "face_fen": fen_or_none(v.get("face_yuan")),
                    "reserved_fen": fen_or_none(v.get("reserved_yuan"))}
    return _render_vouchers(request, principal, done=done)


@router.post("/me/vouchers/claim", response_class=HTMLResponse)
async def claim_voucher(request: Request):
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = {"programme": str(form.get("programme", "")), "district": str(form.get("district", ""))}
    carried = {k: str(form.get(k, ""))[:30] for k in ("price", "date", "category", "label") if form.get(k)}
    try:
        if not principal.person_id:
            raise no_person_error()
        key = form_key(principal, form, "claim")
        with unit_of_work() as session:
            res = voucher_service.claim(session, programme=values["programme"], district=values["district"],
                                        person_id=principal.person_id, key=key, actor=principal.username)
    except GazetteError as exc:
        return _render_vouchers(request, principal, error=exc, values=values, status_code=http_status(exc))
    return see_other(f"/me/vouchers?done=claimed&voucher={res['voucher_id']}"
                     + (("&" + urllib.parse.urlencode({"programme": values["programme"], "district": values["district"],
                                                        **carried})) if carried else ""))


def _own_voucher(session, principal: Principal, voucher_id: int) -> dict:
    v = voucher_service.get_voucher(session, voucher_id)
    if not principal.person_id or v["person_id"] != principal.person_id:
        raise voucher_errors.voucher_not_found(voucher_id)  # someone else's voucher: as if it did not exist
    return v


@router.post("/me/vouchers/{voucher_id}/redeem", response_class=HTMLResponse)
async def redeem_voucher(request: Request, voucher_id: RowId):
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    try:
        key = form_key(principal, form, f"redeem{voucher_id}")
        with unit_of_work() as session:
            v = _own_voucher(session, principal, voucher_id)
            purchase: dict[str, Any] = {"price_yuan": values.get("price_yuan", "").strip(),
                                        "date": values.get("date", "").strip()}
            if v["programme"] == "nev":
                purchase["new_energy"] = values.get("new_energy") == "on"
            else:
                if values.get("category"):
                    purchase["category"] = values["category"]
                label = values.get("energy_label", "").strip()
                if label:
                    if not label.isdigit():
                        raise InvalidInput("能效等级应为 1–5", "the energy label is a grade 1–5", field="energy_label",
                                           code="invalid_purchase")
                    purchase["energy_label"] = int(label)
            voucher_service.redeem(session, voucher_id=voucher_id, purchase=purchase, key=key,
                                   actor=principal.username)
    except GazetteError as exc:
        return _render_vouchers(request, principal, error=exc, values={**values, "voucher_id": voucher_id},
                                status_code=http_status(exc))
    return see_other(f"/me/vouchers?done=redeemed&voucher={voucher_id}")


@router.post("/me/vouchers/{voucher_id}/cancel", response_class=HTMLResponse)
async def cancel_voucher(request: Request, voucher_id: RowId):
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(principal, form, f"cancel{voucher_id}")
        with unit_of_work() as session:
            _own_voucher(session, principal, voucher_id)
            voucher_service.cancel(session, voucher_id=voucher_id, key=key, reason="本人退券 cancelled by the holder",
                                   actor=principal.username)
    except GazetteError as exc:
        return _render_vouchers(request, principal, error=exc, status_code=http_status(exc))
    return see_other(f"/me/vouchers?done=cancelled&voucher={voucher_id}")
