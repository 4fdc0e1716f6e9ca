"""A flexible worker's housing provident fund under /me/fund (嘉公积金〔2022〕9号): open an account
(with a 试算 preview that writes nothing), see the balance and the statement, prepay, stop, unseal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gazette import validate
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError, InvalidInput
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.provident_fund import domain as fund_rules
from jiaxing.schemes.provident_fund import service as fund_service
from jiaxing.schemes.provident_fund.domain import Applicant
from jiaxing.schemes.provident_fund.models import FundAccount
from jiaxing.web.self_service import (
    amount_fen,
    csrf,
    error_view,
    form_key,
    new_key,
    no_person_error,
    parse_date,
    require,
    see_other,
)

router = APIRouter(include_in_schema=False)

STATEMENT_PAGE = 20

FUND_STATUS = {"active": "缴存中 Active", "sealed": "已封存 Sealed", "transferred": "已转出 Transferred"}
SEAL_REASON = {
    "request": "本人申请停缴（第十六条） Stopped on request",
    "retirement": "达到法定退休年龄（第十六条） Retirement age",
    "arrears": "连续欠缴三个月、催收无效（第十七条） Arrears",
    "employment": "转入单位缴存（第十八条） Moved to an employer",
}
STATEMENT_KIND = {
    "collection": "按月缴存 Monthly debit", "prepaid_due": "预缴到期入账 Prepaid month credited",
    "prepay": "预缴 Prepayment", "interest": "结息 Interest", "refund": "预缴退回 Prepayment refund",
    "transfer_in": "转入 Transfer in", "transfer_out": "转出 Transfer out",
}
DECLARATIONS = ("flexible_pension", "stable_residence_income", "full_capacity")


def facts_from_id(person_id: str | None) -> dict[str, Any]:
    """Birth date and sex read from a resident id through the shared validator (gazette.validate:
    length, date of birth, check digit); an id that does not hold gives nothing to prefill."""
    try:
        checked_id = validate.person_id(person_id or "")
    except GazetteError:
        return {}
    return {"birth_date": validate.birth_date(checked_id), "sex": validate.sex(checked_id)}


def _opening_context(session, principal: Principal, request: Request, ctx: dict[str, Any], today) -> dict[str, Any]:
    """No account yet: the bounds of base and rate, the open-account form (nothing assumed) and a 试算 preview."""
    q = request.query_params
    try:
        bounds = fund_service.bounds(session, today)
        rate_min, rate_max = fund_service.rate_bounds(today)
        ctx["bounds"] = {"min_fen": bounds.min_wage_fen, "max_fen": bounds.ceiling_fen, "avg_fen": bounds.avg_wage_fen,
                         "multiple": bounds.multiple, "rate_min": rate_min / 100, "rate_max": rate_max / 100}
    except GazetteError as exc:
        ctx["setup_error"] = error_view(exc)
    guess = facts_from_id(principal.person_id)
    # nothing is assumed: the legal name is typed by the person (the account's display name is not it),
    # the declarations start unticked, base and rate come only from the finder's link
    ctx["prefill"] = {"name": "", "sex": guess.get("sex", ""),
                      "birth_date": guess["birth_date"].isoformat() if guess else "",
                      "base": q.get("base", "")[:20], "rate": q.get("rate", "")[:10], "flexible_pension": False,
                      "stable_residence_income": False, "full_capacity": False}
    ctx["open_key"] = new_key(principal, "fundopen")
    quote = getattr(request.state, "fund_quote", None)
    if quote and "bounds" in ctx:  # 试算 preview (writes nothing)
        try:
            base_fen = fund_rules.check_base(amount_fen(quote.get("base"), "base"), fund_service.bounds(session, today))
            rate_bp = fund_rules.check_rate(fund_rules.parse_rate(quote.get("rate", "")))
            ctx["quote"] = {"monthly_fen": fund_rules.monthly_amount(base_fen, rate_bp, fund_service.rounding_unit(today)),
                            "base_fen": base_fen, "rate": f"{rate_bp / 100:g}%"}
        except GazetteError as exc:
            ctx["quote_error"] = error_view(exc)
    ctx["clauses"] = {k: fund_rules.clause(k) for k in ("第八条", "第十一条", "第十二条", "第十三条", "第十六条", "第十七条")}
    return ctx


def _fund_context(session, principal: Principal, request: Request) -> dict[str, Any]:
    ctx: dict[str, Any] = {"who": principal, "account": None, "setup_error": None}
    try:
        today = fund_service.today(session)
    except GazetteError as exc:
        ctx["setup_error"] = error_view(exc)
        return ctx
    ctx["business_date"] = today
    account = None
    if principal.person_id:
        try:
            account = fund_service.view(session, principal.person_id)
        except GazetteError as exc:
            if exc.code != "account_not_found":
                raise
    if account is None:
        return _opening_context(session, principal, request, ctx, today)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    statement = fund_service.statement(session, principal.person_id)
    lines = list(reversed(statement["lines"]))  # newest first
    pages = max(1, -(-len(lines) // STATEMENT_PAGE))
    page = min(page, pages)
    for line in lines:
        line["kind_label"] = STATEMENT_KIND.get(line["kind"], line["kind"])
    row = session.query(FundAccount).filter(FundAccount.person_id == principal.person_id).one()
    ctx.update({
        "account": account, "monthly_fen": row.monthly_fen, "base_fen": row.base_fen, "rate": account["rate"],
        "balance_fen": row.balance_fen, "prepaid_fen": row.prepaid_fen,
        "next_debit": account.get("next_debit"), "status_label": FUND_STATUS.get(row.status, row.status),
        "seal_label": SEAL_REASON.get(row.seal_reason or "", row.seal_reason),
        "lines": lines[(page - 1) * STATEMENT_PAGE: page * STATEMENT_PAGE], "page": page, "pages": pages,
        "total_lines": len(lines), "prepay_key": new_key(principal, "fundprepay"),
        "stop_key": new_key(principal, "fundstop"),
        "prepay_limit": fund_rules.month_label(fund_rules.settlement_year_last_month(today)),
        "clauses": {k: fund_rules.clause(k) for k in ("第十二条", "第十三条", "第十四条", "第十六条", "第十七条", "第二十条")},
    })
    return ctx


def _render_fund(request: Request, principal: Principal, *, error: GazetteError | None = None, done: dict | None = None,
                 values: dict | None = None, status_code: int = 200) -> Response:
    with unit_of_work() as session:
        ctx = _fund_context(session, principal, request)
    if values:
        ctx.setdefault("prefill", {}).update(values)
    ctx.update({"error": error_view(error) if error else None, "done": done, "values": values or {}})
    return templates.TemplateResponse(request, "me_fund.html", ctx, status_code=status_code)


def _opening_values(form) -> dict[str, Any]:
    """The open-account form as typed (to show it again), the declarations as ticked or not."""
    values: dict[str, Any] = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    for declaration in DECLARATIONS:
        values[declaration] = form.get(declaration) == "on"
    return values


@router.get("/me/fund", response_class=HTMLResponse)
def fund_page(request: Request):
    principal = require(request, Role.citizen)
    q = request.query_params
    done = {"action": q["done"]} if q.get("done") in ("opened", "prepaid", "stopped", "unsealed") else None
    return _render_fund(request, principal, done=done)


@router.post("/me/fund/open", response_class=HTMLResponse)
async def open_fund_account(request: Request):
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = _opening_values(form)
    try:
        if not principal.person_id:
            raise no_person_error()
        key = form_key(principal, form, "fundopen")
        name = values.get("name", "").strip()
        if not name:
            raise InvalidInput("请填写姓名（与身份证一致）", "enter your name as on your ID card", field="name",
                               code="name_required")
        applicant = Applicant(person_id=principal.person_id, name=name[:100], sex=values.get("sex", ""),
                              birth_date=parse_date(values.get("birth_date", ""), "birth_date"),
                              flexible_pension=values["flexible_pension"],
                              stable_residence_income=values["stable_residence_income"],
                              full_capacity=values["full_capacity"])
        with unit_of_work() as session:
            fund_service.open_account(session, applicant, amount_fen(values.get("base"), "base"),
                                      values.get("rate", "").strip(), key=key, actor=principal.username)
    except GazetteError as exc:
        return _render_fund(request, principal, error=exc, values=values, status_code=http_status(exc))
    return see_other("/me/fund?done=opened")


@router.post("/me/fund/quote", response_class=HTMLResponse)
async def quote_fund(request: Request):
    """试算: the monthly amount for the base and rate on the open-account form (writes nothing)."""
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = _opening_values(form)
    request.state.fund_quote = {"base": values.get("base", ""), "rate": values.get("rate", "")}
    return _render_fund(request, principal, values=values)


@router.post("/me/fund/prepay", response_class=HTMLResponse)
async def prepay_fund(request: Request):
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(principal, form, "fundprepay")
        with unit_of_work() as session:
            fund_service.prepay(session, principal.person_id or "", str(form.get("through", "")).strip(), key=key,
                                actor=principal.username)
    except GazetteError as exc:
        return _render_fund(request, principal, error=exc, status_code=http_status(exc))
    return see_other("/me/fund?done=prepaid")


@router.post("/me/fund/stop", response_class=HTMLResponse)
async def stop_fund(request: Request):
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(principal, form, "fundstop")
        with unit_of_work() as session:
            fund_service.stop(session, principal.person_id or "", key=key, actor=principal.username)
    except GazetteError as exc:
        return _render_fund(request, principal, error=exc, status_code=http_status(exc))
    return see_other("/me/fund?done=stopped")


@router.post("/me/fund/unseal", response_class=HTMLResponse)
async def unseal_fund(request: Request):
    principal = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        with unit_of_work() as session:
            fund_service.unseal(session, principal.person_id or "", actor=principal.username)
    except GazetteError as exc:
        return _render_fund(request, principal, error=exc, status_code=http_status(exc))
    return see_other("/me/fund?done=unsealed")
