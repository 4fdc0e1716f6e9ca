"""Officials' dashboards under /officials: voucher budget burn by district and claims per day,
the enterprise-application pipeline, provident-fund collections and arrears — each with a
server-rendered SVG chart, the same numbers in a table and a CSV export (UTF-8 with BOM, amounts
in yuan with two decimals from integer fen).

Who sees what (decision, also in docs and the helper's report):

* **city_admin** — everything, with the action buttons (review / approve / reject / pay an
  application, the 免申即享 offer run, the voucher expiry run).
* **auditor** — everything, read-only: no action buttons, and every POST is refused (403) by
  ``require_page_roles`` before anything is read from the form.
* **district_officer** — only their own district, everywhere, and read-only:
  voucher pools, claims, charts and CSV are filtered to the district; applications are shown
  only for enterprises whose registered district (``vch_enterprises.district``, the 免申即享
  enterprise data) is the officer's — an application of an enterprise without a registered
  district is city-level and visible to the city roles only; the provident fund has no district
  at all (accounts are city-wide, run by the city's fund centre), so officers are refused the
  fund dashboard and its CSV (403), and no fund figure appears on their overview.
  A ``?district=`` parameter is honoured only for the city-wide roles.
"""

from __future__ import annotations

import csv
import io
import secrets
import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gazette import csvsafe
from gazette.api.params import RowId
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError, InvalidInput
from gazette.ledger.money import fen_to_yuan
from gazette.store.db import unit_of_work
from gazette.web import charts
from gazette.web.templating import templates
from jiaxing.schemes.provident_fund import domain as fund_rules
from jiaxing.schemes.provident_fund import queries as fund_queries
from jiaxing.schemes.vouchers import enterprise as enterprise_awards
from jiaxing.schemes.vouchers import errors as voucher_errors
from jiaxing.schemes.vouchers import queries as voucher_queries
from jiaxing.schemes.vouchers import service as voucher_service
from jiaxing.schemes.vouchers.programmes import DISTRICTS, SPECS
from jiaxing.web.self_service import (
    APPLICATION_STATUS,
    application_timeline,
    csrf,
    error_view,
    fact_words,
    require,
    see_other,
)

router = APIRouter(include_in_schema=False)

VIEW_ROLES = (Role.district_officer, Role.city_admin, Role.auditor)
FUND_ROLES = (Role.city_admin, Role.auditor)
PROGRAMMES = {"nev": "新能源汽车消费券 NEV vouchers", "appliances": "绿色智能家电消费券 Appliance vouchers"}


def scope(p: Principal, request: Request) -> str | None:
    """The district a page is filtered to: an officer's own, always; for the city-wide roles an
    optional ``?district=`` (None = the whole city)."""
    if p.role == Role.district_officer:
        return p.district or "\u0000none"  # an officer without a district sees nothing
    d = request.query_params.get("district") or None
    return d if d in DISTRICTS else None


def yuan(fen: int | None) -> str:
    """Fen → '1234.56' for CSV (no thousands separator: spreadsheets read it as a number)."""
    return "" if fen is None else fen_to_yuan(fen)


def csv_response(filename: str, header: list[str], rows: list[list[Any]]) -> Response:
    buf = io.StringIO()
    buf.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese correctly
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:  # gazette.csvsafe: no cell a spreadsheet would run as a formula
        w.writerow(csvsafe.row("" if v is None else v for v in r))
    return Response(buf.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _disposition(filename), "Cache-Control": "no-store"})


def _disposition(filename: str) -> str:
    """An ASCII fallback name plus the UTF-8 name (RFC 6266 / 5987) for a Chinese district."""
    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "" for c in filename) or "export.csv"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urllib.parse.quote(filename, safe='')}"


def _base_ctx(p: Principal, request: Request, district: str | None) -> dict[str, Any]:
    return {"who": p, "district": district if district != "\u0000none" else None,
            "is_officer": p.role == Role.district_officer, "can_act": p.role == Role.city_admin,
            "read_only": p.role != Role.city_admin, "districts": DISTRICTS,
            "query": request.url.query}


# ------------------------------------------------------------------------------ overview


@router.get("/officials", response_class=HTMLResponse)
def overview(request: Request):
    p = require(request, *VIEW_ROLES)
    district = scope(p, request)
    with unit_of_work() as session:
        pools = voucher_queries.pool_rows(session, district)
        pipe = voucher_queries.pipeline(session, district)
        fund = fund_queries.totals(session) if p.role in FUND_ROLES else None
        on = voucher_queries.business_date(session)
    totals = {k: sum(r[f"{k}_fen"] for r in pools) for k in ("budget", "pool", "issued", "redeemed")}
    ctx = _base_ctx(p, request, district)
    ctx.update({"totals": totals, "pools_count": len(pools), "pipeline": pipe, "fund": fund, "business_date": on,
                "status_labels": APPLICATION_STATUS})
    return templates.TemplateResponse(request, "officials.html", ctx)


# ------------------------------------------------------------------------------ vouchers


def _voucher_data(session, district: str | None, programme: str | None):
    return voucher_queries.pool_rows(session, district, programme), voucher_queries.claims_per_day(session, district, programme)


@router.get("/officials/vouchers", response_class=HTMLResponse)
def vouchers(request: Request):
    p = require(request, *VIEW_ROLES)
    district = scope(p, request)
    programme = request.query_params.get("programme")
    programme = programme if programme in PROGRAMMES else None
    with unit_of_work() as session:
        pools, claims = _voucher_data(session, district, programme)
        on = voucher_queries.business_date(session)
    where = district or "全市 city-wide"
    burn = []
    for code in PROGRAMMES:
        mine = [r for r in pools if r["programme"] == code]
        if not mine:
            continue
        chart = charts.bar_chart(
            chart_id=f"burn-{code}", title=f"{SPECS[code].name}：各地预算、已领、已核销（{where}）",
            desc="每个县（市、区）资金池的预算、已领取未使用（预留）和已核销金额，单位万元；精确数字见下表。"
                 "Budget, issued (reserved by claimed vouchers) and redeemed amounts per district pool, in 10,000 yuan.",
            categories=[r["district"] for r in mine],
            series=[charts.Series("预算 Budget", [r["budget_fen"] for r in mine], "预算"),
                    charts.Series("已领 Issued", [r["issued_fen"] for r in mine], "已领"),
                    charts.Series("已核销 Redeemed", [r["redeemed_fen"] for r in mine], "核销")],
            fmt=charts.wan, split=True)
        burn.append({"code": code, "name": SPECS[code].name, "clause": SPECS[code].budget_rule,
                     "voucher_clause": SPECS[code].clause, "rows": mine, "chart": chart,
                     "totals": {k: sum(r[f"{k}_fen"] for r in mine) for k in ("budget", "pool", "issued", "redeemed")}})
    days = sorted({c["day"] for c in claims})
    progs = [c for c in PROGRAMMES if any(x["programme"] == c for x in claims)]
    per = {(c["day"], c["programme"]): c["claims"] for c in claims}
    day_rows = [{"day": d, **{c: per.get((d, c), 0) for c in PROGRAMMES}, "total": sum(per.get((d, c), 0) for c in PROGRAMMES)}
                for d in days]
    claims_chart = charts.column_chart(
        chart_id="claims-per-day", title=f"每日领券数（{where}） Claims per day",
        desc="按营业日统计的消费券领取张数，分项目；精确数字见下表。Vouchers claimed per business day, per programme.",
        categories=[d.strftime("%m-%d") for d in days],
        series=[charts.Series(PROGRAMMES[c], [per.get((d, c), 0) for d in days]) for c in progs] or
        [charts.Series("领券 Claims", [])], fmt=str)
    ctx = _base_ctx(p, request, district)
    ctx.update({"burn": burn, "claims_chart": claims_chart, "day_rows": day_rows, "programme": programme,
                "programmes": PROGRAMMES, "business_date": on,
                "done": request.query_params.get("done"), "error": None})
    return templates.TemplateResponse(request, "officials_vouchers.html", ctx)


@router.get("/officials/vouchers.csv")
def vouchers_csv(request: Request, table: str = "pools"):
    p = require(request, *VIEW_ROLES)
    district = scope(p, request)
    programme = request.query_params.get("programme")
    programme = programme if programme in PROGRAMMES else None
    with unit_of_work() as session:
        pools, claims = _voucher_data(session, district, programme)
    suffix = f"-{district}" if district and district != "\u0000none" else ""
    if table == "claims":
        return csv_response(f"voucher-claims{suffix}.csv", ["日期 date", "项目 programme", "领券数 claims"],
                            [[c["day"].isoformat(), c["programme"], c["claims"]] for c in claims])
    header = ["项目 programme", "县（市、区） district", "预算 budget (yuan)", "剩余可领 remaining (yuan)",
              "已领未用 issued (yuan)", "已核销 redeemed (yuan)", "已领张数 claimed", "已核销张数 redeemed",
              "已退券 cancelled", "已过期 expired", "已退货 refunded", "依据 clause"]
    rows = [[r["programme"], r["district"], yuan(r["budget_fen"]), yuan(r["pool_fen"]), yuan(r["issued_fen"]),
             yuan(r["redeemed_fen"]), r["vouchers"]["claimed"], r["vouchers"]["redeemed"], r["vouchers"]["cancelled"],
             r["vouchers"]["expired"], r["vouchers"]["refunded"], r["clause"]] for r in pools]
    return csv_response(f"voucher-pools{suffix}.csv", header, rows)


@router.post("/officials/vouchers/expiry", response_class=HTMLResponse)
async def run_expiry(request: Request):
    """The expiry run for the business date (city admin only; idempotent by date)."""
    p = require(request, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    try:
        run = voucher_service.expire(actor=p.username)
    except GazetteError as exc:
        return _error_page(request, exc)
    n = (run.result or {}).get("expired_total", 0)
    return see_other(f"/officials/vouchers?done=expiry&n={n}")


def _error_page(request: Request, exc: GazetteError) -> HTMLResponse:
    return templates.TemplateResponse(request, "officials_error.html", {"error": error_view(exc)},
                                      status_code=http_status(exc))


# ------------------------------------------------------------------------------ applications


@router.get("/officials/applications", response_class=HTMLResponse)
def applications(request: Request):
    p = require(request, *VIEW_ROLES)
    district = scope(p, request)
    status = request.query_params.get("status")
    status = status if status in APPLICATION_STATUS else None
    with unit_of_work() as session:
        pipe = voucher_queries.pipeline(session, district)
        rows = voucher_queries.applications(session, district, status)
    live = [s for s in pipe["by_status"] if s["count"]]
    chart = charts.bar_chart(
        chart_id="pipeline", title="申请办理进度（按状态） Application pipeline by status",
        desc="各状态的申请件数与金额；精确数字见下表。Number and amount of applications per status.",
        categories=[APPLICATION_STATUS[s["status"]] for s in live],
        series=[charts.Series("金额 Amount", [s["amount_fen"] for s in live], "")],
        fmt=charts.wan, label_width=190, split=True)
    ctx = _base_ctx(p, request, district)
    ctx.update({"pipeline": pipe, "rows": rows, "chart": chart, "status": status, "status_labels": APPLICATION_STATUS,
                "done": request.query_params.get("done"), "keys": {r["application_id"]: secrets.token_urlsafe(8)
                                                                   for r in rows}})
    return templates.TemplateResponse(request, "officials_applications.html", ctx)


@router.get("/officials/applications.csv")
def applications_csv(request: Request, table: str = "list"):
    p = require(request, *VIEW_ROLES)
    district = scope(p, request)
    with unit_of_work() as session:
        pipe = voucher_queries.pipeline(session, district)
        rows = voucher_queries.applications(session, district, None, limit=5000)
    if table == "status":
        return csv_response("applications-by-status.csv", ["状态 status", "件数 count", "金额 amount (yuan)"],
                            [[s["status"], s["count"], yuan(s["amount_fen"])] for s in pipe["by_status"]])
    if table == "clause":
        return csv_response("applications-by-clause.csv", ["条款 clause", "名称 title", "件数 count", "金额 amount (yuan)"],
                            [[c["clause"], c["title_zh"], c["count"], yuan(c["amount_fen"])] for c in pipe["by_clause"]])
    header = ["编号 id", "企业 enterprise_id", "企业名称 name", "县（市、区） district", "条款 clause", "名称 title",
              "年度 period", "状态 status", "来源 source", "日期 on", "金额 amount (yuan)", "上限 cap (yuan)"]
    return csv_response("applications.csv", header, [
        [r["application_id"], r["enterprise_id"], r["enterprise_name"], r["district"], r["clause"], r["title_zh"],
         r["period"], r["status"], r["source"], r["on"].isoformat(), yuan(r["amount_fen"]), yuan(r["cap_fen"])]
        for r in rows])


def _application_view(session, p: Principal, request: Request, application_id: int) -> dict[str, Any]:
    """One application for an official: who, which clause, the facts and evidence the amount rests on, the
    engine's explanation, the computed amount and its cap, and what happened so far. An officer sees only an
    application of an enterprise of their district (any other answers as not found)."""
    district = scope(p, request)
    row = next((r for r in voucher_queries.applications(session, district, None, limit=5000)
                if r["application_id"] == application_id), None)
    if row is None:
        raise voucher_errors.application_not_found(application_id)
    a = enterprise_awards.get_application(session, application_id)
    facts = []
    for name, value in sorted((a.get("facts") or {}).items()):
        if isinstance(value, dict):  # a yearly fact
            facts += [(fact_words(f"{name}@{y}"), v) for y, v in sorted(value.items())]
        else:
            facts.append((fact_words(name), value))
    subject = [(fact_words(k), v) for k, v in sorted((a.get("subject") or {}).items())]
    return {"row": row, "app": a, "facts": facts, "subject": subject, "evidence": a.get("evidence") or [],
            "explanation": a.get("explanation") or [], "timeline": application_timeline(session, application_id),
            "nonce": secrets.token_urlsafe(8)}


def _fact_shown(v: Any) -> str:
    if v is True:
        return "是 yes"
    if v is False:
        return "否 no"
    return str(v)


templates.env.filters["fact_shown"] = _fact_shown


@router.get("/officials/applications/{application_id}", response_class=HTMLResponse)
def application_page(request: Request, application_id: RowId):
    p = require(request, *VIEW_ROLES)
    try:
        with unit_of_work() as session:
            view = _application_view(session, p, request, application_id)
    except GazetteError as exc:
        return _error_page(request, exc)
    ctx = _base_ctx(p, request, scope(p, request))
    ctx.update({**view, "status_labels": APPLICATION_STATUS, "done": request.query_params.get("done"), "error": None})
    return templates.TemplateResponse(request, "officials_application.html", ctx)


CONFIRMED = ("approve", "pay")  # money decisions: the official confirms the facts and the amount first


@router.post("/officials/applications/{application_id}/{action}", response_class=HTMLResponse)
async def application_action(request: Request, application_id: RowId, action: str):
    """Review, approve, reject or pay one application (city admin only). Approving and paying ask for a
    confirmation on the application's own page (its facts, evidence and computed amount are shown there)."""
    p = require(request, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    key = f"web:{p.user_id}:{action}{application_id}:{str(form.get('nonce', ''))[:40]}"
    if action in CONFIRMED and form.get("confirm") != "yes":
        exc = InvalidInput("请先核对申请的事实、材料和核定金额，并勾选确认", "check the facts, evidence and amount, "
                           "then tick the confirmation", field="confirm", code="confirmation_required")
        with unit_of_work() as session:
            try:
                view = _application_view(session, p, request, application_id)
            except GazetteError as not_found:
                return _error_page(request, not_found)
        ctx = _base_ctx(p, request, scope(p, request))
        ctx.update({**view, "status_labels": APPLICATION_STATUS, "done": None, "error": error_view(exc)})
        return templates.TemplateResponse(request, "officials_application.html", ctx, status_code=422)
    try:
        with unit_of_work() as session:
            if action == "review":
                enterprise_awards.start_review(session, application_id=application_id, actor=p.username)
            elif action == "approve":
                enterprise_awards.approve(session, application_id=application_id, key=key, actor=p.username)
            elif action == "reject":
                enterprise_awards.reject(session, application_id=application_id, reason=str(form.get("reason", "")), actor=p.username)
            elif action == "pay":
                enterprise_awards.pay(session, application_id=application_id, key=key, actor=p.username)
            else:
                raise InvalidInput(f"未知操作：{action}", f"unknown action: {action}", field="action",
                                   code="unknown_action")
    except GazetteError as exc:
        return _error_page(request, exc)
    if action in CONFIRMED:
        return see_other(f"/officials/applications/{application_id}?done={action}")
    return see_other(f"/officials/applications?done={action}#app-{application_id}")


@router.post("/officials/applications/no-apply-run", response_class=HTMLResponse)
async def no_apply_run(request: Request):
    """免申即享: offer every enterprise what its data entitles it to (run keyed by the date)."""
    p = require(request, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    try:
        enterprise_awards.no_apply_run(actor=p.username)
    except GazetteError as exc:
        return _error_page(request, exc)
    return see_other("/officials/applications?done=no-apply")


# ------------------------------------------------------------------------------ provident fund


def _fund_data(session) -> dict[str, Any]:

    return {"totals": fund_queries.totals(session), "months": fund_queries.collections_per_month(session), "arrears": fund_queries.arrears(session),
            "sealed": fund_queries.sealed(session), "business_date": fund_queries.business_date(session)}


@router.get("/officials/fund", response_class=HTMLResponse)
def fund(request: Request):
    p = require(request, *FUND_ROLES)
    with unit_of_work() as session:
        data = _fund_data(session)
    months = data["months"][-24:]
    chart = charts.column_chart(
        chart_id="fund-collections", title="每月归集额 Contributions collected per month",
        desc="按缴存月份统计的委托扣款到账金额与预缴到期入账金额（万元）、以及扣款失败金额；精确数字见下表。"
             "Money collected per month by direct debit and from prepayments, and failed debits, in 10,000 yuan.",
        categories=[m["month"] for m in months],
        series=[charts.Series("扣款到账 Debited", [m["debit_fen"] for m in months]),
                charts.Series("预缴入账 Prepaid", [m["prepaid_fen"] for m in months]),
                charts.Series("扣款失败 Failed", [m["failed_fen"] for m in months])],
        fmt=charts.wan)
    ctx = _base_ctx(p, request, None)
    ctx.update({**data, "chart": chart, "clauses": {k: fund_rules.clause(k) for k in ("第十三条", "第十六条", "第十七条")}})
    return templates.TemplateResponse(request, "officials_fund.html", ctx)


@router.get("/officials/fund.csv")
def fund_csv(request: Request, table: str = "collections"):
    require(request, *FUND_ROLES)
    with unit_of_work() as session:
        data = _fund_data(session)
    if table == "arrears":
        return csv_response("fund-arrears.csv", ["身份证号 person_id", "姓名 name", "欠缴月数 failed months",
                                                 "最近欠缴 last failed", "欠缴金额 amount (yuan)", "催收月份 reminded"],
                            [[a["person_id"], a["name"], a["failed_months"], a["last_failed"], yuan(a["failed_fen"]),
                              a["reminded_month"]] for a in data["arrears"]])
    if table == "sealed":
        return csv_response("fund-sealed.csv", ["身份证号 person_id", "姓名 name", "封存原因 reason", "余额 balance (yuan)"],
                            [[s["person_id"], s["name"], s["seal_reason"], yuan(s["balance_fen"])]
                             for s in data["sealed"]])
    header = ["月份 month", "扣款到账笔数 debited", "扣款到账 debited (yuan)", "预缴入账笔数 prepaid",
              "预缴入账 prepaid (yuan)", "合计 collected (yuan)", "失败笔数 failed", "失败金额 failed (yuan)",
              "待回盘笔数 pending", "待回盘 pending (yuan)"]
    return csv_response("fund-collections.csv", header, [
        [m["month"], m["debit_count"], yuan(m["debit_fen"]), m["prepaid_count"], yuan(m["prepaid_fen"]),
         yuan(m["collected_fen"]), m["failed_count"], yuan(m["failed_fen"]), m["pending_count"], yuan(m["pending_fen"])]
        for m in data["months"]])

