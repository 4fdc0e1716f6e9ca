"""The medical-insurance officer's month of the care half (``/ltc/care/month``, 嘉政发〔2022〕21号):
settle the month (一.（二）), pay the settled claims, screen the month against the rule library
(三.（四）.12) — with the results: claims per provider and their totals (yuan, from fen), findings per rule.

The runs are the care half's own (:mod:`.care.settlement`, :mod:`.care.violations`), keyed by (run, month)
and city-wide as in the API and the CLI; what the page shows is the officer's district (the auditor reads
every district and runs nothing). A rerun is no error: the page says the month was already done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette import validate
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError
from gazette.ledger import clock, get_run
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.ltc.care import params as care_params
from jiaxing.schemes.ltc.care import settlement, violations
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)

READERS = (Role.insurance_officer, Role.auditor)
RUNS = {
    "settle": ("ltc.settle", "结算", "settled"),
    "pay": ("ltc.pay", "支付", "paid"),
    "screen": ("ltc.screen", "违规筛查", "screened"),
}
CLAIM_STATUS = {"paid": "已支付 Paid", "payable": "待支付 Payable"}


def _district(viewer: Principal) -> str | None:
    return None if viewer.role == Role.auditor else viewer.district


def _default_month(session: Session, district: str | None) -> str:
    """The latest month with care recorded in the district (else the last calendar month)."""
    latest = session.execute(text("SELECT MAX(month) FROM ltc_visits" + (" WHERE district = :d" if district else "")),
                             {"d": district}).scalar()
    if latest:
        return str(latest)
    first = clock.now().date().replace(day=1)
    return (first - dt.timedelta(days=1)).isoformat()[:7]


def _claims(session: Session, month: str, district: str | None) -> list[dict[str, Any]]:
    rows = session.execute(text(
        "SELECT pr.name, pr.district, c.lines, c.cost_fen, c.fund_fen, c.personal_fen, c.deduction_fen, c.net_fen, "
        "c.status FROM ltc_claims c JOIN ltc_providers pr ON pr.id = c.provider_id WHERE c.month = :m"
        + (" AND pr.district = :d" if district else "") + " ORDER BY pr.name"), {"m": month, "d": district}).mappings()
    return [{**row, "status_label": CLAIM_STATUS.get(row["status"], row["status"])} for row in rows]


def _findings(session: Session, month: str, district: str | None) -> list[dict[str, Any]]:
    rows = session.execute(text(
        "SELECT rule_id, status, COUNT(*) FROM ltc_findings WHERE month = :m" + (" AND district = :d" if district else "")
        + " GROUP BY rule_id, status ORDER BY rule_id, status"), {"m": month, "d": district}).all()
    by_rule: dict[str, dict[str, Any]] = {}
    for rule_id, status, count in rows:
        rule = violations.BY_ID[rule_id]
        entry = by_rule.setdefault(rule_id, {"rule": rule_id, "title_zh": rule.title_zh, "title_en": rule.title_en,
                                             "severity_zh": violations.SEVERITY_ZH[rule.severity], "total": 0})
        entry[status] = int(count)
        entry["total"] += int(count)
    return list(by_rule.values())


def _visits(session: Session, month: str, district: str | None) -> int:
    return int(session.execute(text("SELECT COUNT(*) FROM ltc_visits WHERE month = :m AND done"
                                    + (" AND district = :d" if district else "")), {"m": month, "d": district}).scalar())


def _page(request: Request, viewer: Principal, *, month: str | None = None, error: GazetteError | None = None,
          done: dict[str, Any] | None = None) -> HTMLResponse:
    district = _district(viewer)
    with unit_of_work() as session:
        if month is None:
            try:
                month = validate.month(request.query_params.get("month") or _default_month(session, district))
            except GazetteError as exc:
                month, error = _default_month(session, district), error or exc
        runs = {}
        for action, (run_type, zh, _) in RUNS.items():
            run = get_run(session, run_type, month)
            runs[action] = {"zh": zh, "completed": bool(run and run.completed), "status": run.status if run else None}
        claims = _claims(session, month, district)
        findings = _findings(session, month, district)
        visits = _visits(session, month, district)
    totals = {name: sum(int(c[name]) for c in claims)
              for name in ("lines", "cost_fen", "fund_fen", "personal_fen", "deduction_fen", "net_fen")}
    context = {"who": viewer, "district": district, "month": month, "runs": runs, "claims": claims, "totals": totals,
               "findings": findings, "flagged": sum(f.get("flagged", 0) for f in findings),
               "found": sum(f["total"] for f in findings), "visits": visits,
               "can_run": viewer.role == Role.insurance_officer, "key": new_key(viewer, "caremonth"),
               "done": done, "error": error_view(error) if error else None,
               "clauses": {"settle": care_params.BENEFIT_CLAUSE, "screen": care_params.SCREEN_CLAUSE}}
    return templates.TemplateResponse(request, "ltc/care/month.html", context,
                                      status_code=http_status(error) if error else 200)


@router.get("/ltc/care/month", response_class=HTMLResponse)
def month_page(request: Request):
    viewer = require(request, *READERS)
    query = request.query_params
    action = query.get("done", "")
    done = {"action": action, "zh": RUNS[action][1], "en": RUNS[action][2], "again": query.get("again") == "1"} \
        if action in RUNS else None
    return _page(request, viewer, done=done)


def _run(action: str, month: str, actor: str):
    if action == "settle":
        return settlement.settle(month, actor=actor)
    if action == "pay":
        return settlement.pay(month, actor=actor)
    return violations.screen(month, actor=actor)


async def _post(request: Request, action: str):
    viewer = require(request, Role.insurance_officer)
    form = await request.form()
    csrf(request, form)
    raw = str(form.get("month", "")).strip()[:20]
    try:
        form_key(viewer, form, "caremonth")
        month = validate.month(raw)
        run = _run(action, month, viewer.username)
    except GazetteError as exc:
        safe = raw if len(raw) == 7 and raw[4] == "-" and raw.replace("-", "").isdigit() else None
        return _page(request, viewer, month=safe, error=exc)
    again = "&again=1" if run.already_completed else ""
    return see_other(f"/ltc/care/month?month={month}&done={action}{again}")


@router.post("/ltc/care/month/settle", response_class=HTMLResponse)
async def settle(request: Request):
    return await _post(request, "settle")


@router.post("/ltc/care/month/pay", response_class=HTMLResponse)
async def pay(request: Request):
    return await _post(request, "pay")


@router.post("/ltc/care/month/screen", response_class=HTMLResponse)
async def screen(request: Request):
    return await _post(request, "screen")
