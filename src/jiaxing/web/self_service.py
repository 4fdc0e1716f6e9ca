"""The plumbing every self-service page shares — the citizen's and the enterprise's pages under /me
(``me.py`` and its ``me_vouchers``, ``me_enterprise``, ``me_fund``), the officials' pages and each
scheme's ``pages.py``: who may see a page, the CSRF check, the idempotency key of a rendered form, a
service's error shown on the page, the redirect after a POST, a date or an amount read from a form,
an application's status and timeline, and the template globals that put clauses, numbers and facts
into words.

Thin pages over the scheme services: every page calls them in-process, in one ``unit_of_work`` per
command, so a refused command writes nothing. Every state-changing form is a POST carrying the
session's CSRF token (checked first) and, for money commands, an idempotency key generated per
rendered form (a hidden field): a double submit replays the first result instead of acting twice.
Errors of the services (GazetteError codes) are shown on the page in Chinese and English with the
failed conditions; the status code of the page is the error's.
"""

from __future__ import annotations

import datetime as dt
import secrets
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.auth.web import check_csrf, require_page_roles
from gazette.errors import Forbidden, GazetteError, InvalidInput
from gazette.ledger import audit
from gazette.ledger.money import yuan_to_fen
from gazette.rules.engine import get_engine
from gazette.web.templating import templates

APPLICATION_STATUS = {
    "offered": "待确认（免申即享） Offered",
    "submitted": "已提交 Submitted",
    "under_review": "审核中 Under review",
    "approved": "已核定 Approved",
    "rejected": "已驳回 Rejected",
    "declined": "已放弃 Declined",
    "paid": "已拨付 Paid",
}


# ------------------------------------------------------------------------------ words on the pages


def clause_href(clause_id: str | None) -> str:
    """``嘉政办发〔2022〕47号#一`` → ``/documents/嘉政办发〔2022〕47号#嘉政办发〔2022〕47号#一`` (URL-encoded).
    A rule id with a suffix (``…#四.（三）/listing``) links to its clause (``…#四.（三）``)."""
    if not clause_id:
        return "#"
    clause = clause_id.split("/", 1)[0]
    doc = clause.split("#", 1)[0]
    return f"/documents/{urllib.parse.quote(doc, safe='')}#{urllib.parse.quote(clause, safe='')}"


def clause_label(clause_id: str | None) -> str:
    return (clause_id or "").split("/", 1)[0]


def fmt_num(value: Any) -> str:
    """A decimal string from the engine ('21000000.00') → '21,000,000' (thousands, no useless .00)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,}"


def fact_words(column: str) -> str:
    """A fact's column (``software_revenue_yuan@2021``, ``enterprise.tech_sme``) → its words for a page,
    never the code: ``软件业务收入（2021年） software revenue``."""
    name, _, year = str(column).partition("@")
    name = name.rsplit(".", 1)[-1]
    for entity in get_engine().entities.values():
        variable = entity.variable(name)
        if variable is not None:
            return f"{variable.description_zh}{f'（{year}年）' if year else ''} {variable.description_en or ''}".strip()
    return "其他信息 other information"


templates.env.globals["fact_words"] = fact_words
templates.env.filters["period_words"] = lambda v: {"once": "一次性 one-off", "cumulative": "累计 cumulative"}.get(
    str(v), str(v))  # an award's period in words (a year stays a year)
templates.env.globals["clause_href"] = clause_href
templates.env.globals["clause_label"] = clause_label
templates.env.globals["fmt_num"] = fmt_num


def application_timeline(session, application_id: int) -> list[dict[str, Any]]:
    """What happened to an enterprise application so far (its audit trail), for the enterprise and the officials."""
    return [{"at": r.at, "action": r.action, "status": (r.after or {}).get("status"), "actor": r.actor}
            for r in audit.history(session, entity_type="application", entity_id=application_id)]


# ------------------------------------------------------------------------------ forms


def require(request: Request, *roles: Role) -> Principal:
    """The page's principal (anonymous → login redirect, wrong role → 403 page; both logged)."""
    return require_page_roles(request, *roles)


def csrf(request: Request, form) -> None:
    check_csrf(request, str(form.get("csrf_token", "")))


def new_key(p: Principal, what: str) -> str:
    """An idempotency key for one rendered form, scoped to the user."""
    return f"web:{p.user_id}:{what}:{secrets.token_urlsafe(12)}"


def form_key(p: Principal, form, what: str) -> str:
    """The form's idempotency key; one that is not this user's (tampered) is refused."""
    key = str(form.get("idempotency_key", ""))
    if not key.startswith(f"web:{p.user_id}:{what}:") or len(key) > 200:
        raise InvalidInput("表单已失效，请刷新页面后重新提交", "the form is stale: reload the page and submit again",
                           field="idempotency_key", code="idempotency_key_invalid")
    return key


def error_view(exc: GazetteError) -> dict[str, Any]:
    """A GazetteError for the page: messages, the field, the failed conditions and missing facts."""
    details = exc.details or {}
    failed = []
    for condition in details.get("failed_conditions") or details.get("failed") or []:
        failed.append({"text_zh": condition.get("text_zh") or condition.get("zh") or condition.get("id", ""),
                       "text_en": condition.get("text_en") or condition.get("en") or "",
                       "reference": condition.get("reference") or condition.get("clause") or details.get("clause"),
                       "nearest": condition.get("nearest_text_zh")})
    return {"code": exc.code, "message_zh": exc.message_zh, "message_en": exc.message_en, "field": exc.field,
            "status": http_status(exc), "failed": failed, "missing": list(details.get("missing_facts") or []),
            "clause": details.get("clause")}


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def no_person_error() -> Forbidden:
    """A citizen account without a resident id can hold no voucher and no fund account."""
    return Forbidden("您的账户未登记身份证号，不能领取消费券，请联系管理员",
                     "your account has no person id: ask the administrator", field="person_id", code="person_required")


def parse_date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{value}", f"expected a date YYYY-MM-DD: {value}",
                           field=field, code="invalid_date") from None


def amount_fen(value: Any, field: str) -> int:
    """An amount typed in yuan on a form → fen, with the form's own bilingual message when it is malformed."""
    raw = str(value or "").strip()
    if not raw:
        raise InvalidInput("请填写金额（元）", "an amount (yuan) is required", field=field, code="invalid_amount")
    try:
        return yuan_to_fen(raw, field)
    except GazetteError:
        raise InvalidInput(f"金额格式不正确：{raw}（元，最多两位小数）", f"malformed amount: {raw} (yuan, at most 2 decimals)",
                           field=field, code="invalid_amount") from None


def fen_or_none(yuan: str | None) -> int | None:
    """A service's yuan string (or None) → fen (or None), for the templates' money filters."""
    return None if yuan is None else yuan_to_fen(yuan)
