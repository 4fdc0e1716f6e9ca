"""Self-service pages under /me: a citizen's vouchers (claim, redeem, cancel), an enterprise's
applications and 免申即享 offers, a flexible worker's provident-fund account.

Thin: every page calls the scheme services in-process, in one ``unit_of_work`` per command, so
a refused command writes nothing. Every state-changing form is a POST carrying the session's
CSRF token (checked first) and, for money commands, an idempotency key generated per rendered
form (a hidden field): a double submit replays the first result instead of acting twice.
Errors of the services (GazetteError codes) are shown on the page in Chinese and English with
the failed conditions; the status code of the page is the error's.

Part of the Jiaxing pack (mounted through ``Pack.pages``), beside the schemes it serves.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gazette.api.params import RowId
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import Forbidden, GazetteError, InvalidInput
from gazette.store.db import unit_of_work
from gazette.web.templating import templates

router = APIRouter(include_in_schema=False)

OFFICIAL_ROLES = (Role.district_officer, Role.city_admin, Role.auditor)
STATEMENT_PAGE = 20

VOUCHER_STATUS = {
    "claimed": "已领取（待使用） Claimed",
    "redeemed": "已核销 Redeemed",
    "cancelled": "已退券 Cancelled",
    "expired": "已过期 Expired",
    "refunded": "已退货退回 Refunded",
}
APPLICATION_STATUS = {
    "offered": "待确认（免申即享） Offered",
    "submitted": "已提交 Submitted",
    "under_review": "审核中 Under review",
    "approved": "已核定 Approved",
    "rejected": "已驳回 Rejected",
    "declined": "已放弃 Declined",
    "paid": "已拨付 Paid",
}
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
CATEGORY_LABELS = {
    "air_conditioner": "空调 Air conditioner", "refrigerator": "冰箱 Refrigerator",
    "washing_machine": "洗衣机 Washing machine", "television": "电视机 Television",
    "integrated_stove": "集成灶 Integrated stove", "other": "其他 Other",
}
PROGRAMME_LABELS = {"nev": "新能源汽车消费券 NEV voucher", "appliances": "绿色智能家电消费券 Appliance voucher"}


# ------------------------------------------------------------------------------ shared helpers


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
    from decimal import Decimal, InvalidOperation

    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{d:,.0f}" if d == d.to_integral_value() else f"{d:,}"


def fact_words(column: str) -> str:
    """A fact's column (``software_revenue_yuan@2021``, ``enterprise.tech_sme``) → its words for a page,
    never the code: ``软件业务收入（2021年） software revenue``."""
    from gazette.rules.engine import get_engine

    name, _, year = str(column).partition("@")
    name = name.rsplit(".", 1)[-1]
    for ent in get_engine().entities.values():
        var = ent.variable(name)
        if var is not None:
            return f"{var.description_zh}{f'（{year}年）' if year else ''} {var.description_en or ''}".strip()
    return "其他信息 other information"


templates.env.globals["fact_words"] = fact_words
templates.env.filters["period_words"] = lambda v: {"once": "一次性 one-off", "cumulative": "累计 cumulative"}.get(
    str(v), str(v))  # an award's period in words (a year stays a year)
templates.env.globals["clause_href"] = clause_href
templates.env.globals["clause_label"] = clause_label
templates.env.globals["fmt_num"] = fmt_num


def require(request: Request, *roles: Role) -> Principal:
    """The page's principal (anonymous → login redirect, wrong role → 403 page; both logged)."""
    from gazette.auth.web import require_page_roles

    return require_page_roles(request, *roles)


def csrf(request: Request, form) -> None:
    from gazette.auth.web import check_csrf

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
    d = exc.details or {}
    failed = []
    for f in d.get("failed_conditions") or d.get("failed") or []:
        failed.append({"text_zh": f.get("text_zh") or f.get("zh") or f.get("id", ""),
                       "text_en": f.get("text_en") or f.get("en") or "",
                       "reference": f.get("reference") or f.get("clause") or d.get("clause"),
                       "nearest": f.get("nearest_text_zh")})
    return {"code": exc.code, "message_zh": exc.message_zh, "message_en": exc.message_en, "field": exc.field,
            "status": http_status(exc), "failed": failed, "missing": list(d.get("missing_facts") or []),
            "clause": d.get("clause")}


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _parse_date(value: Any, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{value}", f"expected a date YYYY-MM-DD: {value}",
                           field=field, code="invalid_date") from None


def _fen(value: Any, field: str) -> int:
    from gazette.ledger.money import yuan_to_fen

    raw = str(value or "").strip()
    if not raw:
        raise InvalidInput("请填写金额（元）", "an amount (yuan) is required", field=field, code="invalid_amount")
    try:
        return yuan_to_fen(raw, field)
    except GazetteError:
        raise InvalidInput(f"金额格式不正确：{raw}（元，最多两位小数）", f"malformed amount: {raw} (yuan, at most 2 decimals)",
                           field=field, code="invalid_amount") from None


# ------------------------------------------------------------------------------ /me


@router.get("/me", response_class=HTMLResponse)
def me(request: Request):
    p = require(request, *Role)
    if p.role == Role.enterprise:
        return see_other("/me/enterprise")
    if p.role in OFFICIAL_ROLES:
        return see_other("/officials")
    if p.role != Role.citizen:  # a scheme's staff land on the first service the pack lists for their role
        from gazette.packs import load_pack

        own = next((item.href for item in load_pack().nav if p.role.value in item.roles), "/")
        return see_other(own)
    if p.person_id and _has_fund_account(p.person_id) and not _has_vouchers(p.person_id):
        return see_other("/me/fund")  # a flexible worker lands on their own service
    return see_other("/me/vouchers")


def _has_fund_account(person_id: str) -> bool:
    try:
        from jiaxing.schemes.provident_fund.models import FundAccount

        with unit_of_work() as session:
            return session.query(FundAccount.id).filter(FundAccount.person_id == person_id).first() is not None
    except Exception:  # noqa: BLE001 — no fund tables: not a fund user
        return False


def _has_vouchers(person_id: str) -> bool:
    try:
        from jiaxing.schemes.vouchers import service as V

        with unit_of_work() as session:
            return bool(V.list_vouchers(session, person_id=person_id, limit=1))
    except Exception:  # noqa: BLE001
        return False


# ------------------------------------------------------------------------------ vouchers (citizen)


def _voucher_context(session, p: Principal, request: Request) -> dict[str, Any]:
    from jiaxing.schemes.vouchers import queries as Q
    from jiaxing.schemes.vouchers import service as V
    from jiaxing.schemes.vouchers.models import Programme
    from jiaxing.schemes.vouchers.programmes import DISTRICTS

    vouchers = V.list_vouchers(session, person_id=p.person_id, limit=1000) if p.person_id else []
    vouchers.sort(key=lambda v: v["voucher_id"], reverse=True)
    programmes = []
    for prog in session.query(Programme).order_by(Programme.code):
        programmes.append({"code": prog.code, "name": prog.name, "clause": prog.clause, "max_face_fen": prog.max_face_fen,
                           "window_start": prog.window_start, "window_end": prog.window_end})
    for v in vouchers:
        v["face_fen"] = _yuan_to_fen(v.get("face_yuan"))
        v["reserved_fen"] = _yuan_to_fen(v.get("reserved_yuan"))
        v["status_label"] = VOUCHER_STATUS.get(v["status"], v["status"])
        v["redeem_key"] = new_key(p, f"redeem{v['voucher_id']}")
        v["cancel_key"] = new_key(p, f"cancel{v['voucher_id']}")
        purchase = v.get("purchase") or {}
        v["price_fen"] = _yuan_to_fen(purchase["price_yuan"]) if purchase.get("price_yuan") else None
        calc = purchase.get("calculation") or {}
        v["tier"] = calc.get("tier")
    q = request.query_params
    district = q.get("district") if q.get("district") in DISTRICTS else (p.district if p.district in DISTRICTS else "")
    programme = q.get("programme") if q.get("programme") in ("nev", "appliances") else "nev"
    # what the person holds: one live voucher per programme — the page shows it instead of a claim button
    held = {v["programme"]: v for v in vouchers if v["status"] in ("claimed", "redeemed")}
    purchase = finder_purchase(q)
    expected = expected_face(programme, purchase, district) if purchase else None
    return {"who": p, "vouchers": vouchers, "programmes": programmes, "districts": DISTRICTS,
            "business_date": Q.business_date(session), "claim_key": new_key(p, "claim"),
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
    from jiaxing.schemes.vouchers.purchases import face_value

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


def _yuan_to_fen(y: str | None) -> int | None:
    if y is None:
        return None
    from gazette.ledger.money import yuan_to_fen

    return yuan_to_fen(y)


def _render_vouchers(request: Request, p: Principal, *, error: GazetteError | None = None, done: dict | None = None,
                     values: dict | None = None, status_code: int = 200) -> HTMLResponse:
    with unit_of_work() as session:
        ctx = _voucher_context(session, p, request)
    ctx.update({"error": error_view(error) if error else None, "done": done, "values": values or {}})
    return templates.TemplateResponse(request, "me_vouchers.html", ctx, status_code=status_code)


@router.get("/me/vouchers", response_class=HTMLResponse)
def vouchers_page(request: Request):
    p = require(request, Role.citizen)
    done = None
    q = request.query_params
    if q.get("done") and q.get("voucher", "").isdigit() and p.person_id:
        from jiaxing.schemes.vouchers import service as V

        with unit_of_work() as session:
            try:
                v = V.get_voucher(session, int(q["voucher"]))
            except GazetteError:
                v = None
        if v is not None and v["person_id"] == p.person_id:
            done = {"action": q["done"], "voucher": v, "face_fen": _yuan_to_fen(v.get("face_yuan")),
                    "reserved_fen": _yuan_to_fen(v.get("reserved_yuan"))}
    return _render_vouchers(request, p, done=done)


def _no_person() -> Forbidden:
    return Forbidden("您的账户未登记身份证号，不能领取消费券，请联系管理员",
                     "your account has no person id: ask the administrator", field="person_id", code="person_required")


@router.post("/me/vouchers/claim", response_class=HTMLResponse)
async def claim_voucher(request: Request):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = {"programme": str(form.get("programme", "")), "district": str(form.get("district", ""))}
    carried = {k: str(form.get(k, ""))[:30] for k in ("price", "date", "category", "label") if form.get(k)}
    try:
        if not p.person_id:
            raise _no_person()
        key = form_key(p, form, "claim")
        from jiaxing.schemes.vouchers import service as V

        with unit_of_work() as session:
            res = V.claim(session, programme=values["programme"], district=values["district"], person_id=p.person_id,
                          key=key, actor=p.username)
    except GazetteError as exc:
        return _render_vouchers(request, p, error=exc, values=values, status_code=http_status(exc))
    return see_other(f"/me/vouchers?done=claimed&voucher={res['voucher_id']}"
                     + (("&" + urllib.parse.urlencode({"programme": values["programme"], "district": values["district"],
                                                        **carried})) if carried else ""))


def _own_voucher(session, p: Principal, voucher_id: int) -> dict:
    from jiaxing.schemes.vouchers import errors as VE
    from jiaxing.schemes.vouchers import service as V

    v = V.get_voucher(session, voucher_id)
    if not p.person_id or v["person_id"] != p.person_id:
        raise VE.voucher_not_found(voucher_id)  # someone else's voucher: as if it did not exist
    return v


@router.post("/me/vouchers/{voucher_id}/redeem", response_class=HTMLResponse)
async def redeem_voucher(request: Request, voucher_id: RowId):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    try:
        key = form_key(p, form, f"redeem{voucher_id}")
        from jiaxing.schemes.vouchers import service as V

        with unit_of_work() as session:
            v = _own_voucher(session, p, voucher_id)
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
            V.redeem(session, voucher_id=voucher_id, purchase=purchase, key=key, actor=p.username)
    except GazetteError as exc:
        return _render_vouchers(request, p, error=exc, values={**values, "voucher_id": voucher_id},
                                status_code=http_status(exc))
    return see_other(f"/me/vouchers?done=redeemed&voucher={voucher_id}")


@router.post("/me/vouchers/{voucher_id}/cancel", response_class=HTMLResponse)
async def cancel_voucher(request: Request, voucher_id: RowId):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(p, form, f"cancel{voucher_id}")
        from jiaxing.schemes.vouchers import service as V

        with unit_of_work() as session:
            _own_voucher(session, p, voucher_id)
            V.cancel(session, voucher_id=voucher_id, key=key, reason="本人退券 cancelled by the holder",
                     actor=p.username)
    except GazetteError as exc:
        return _render_vouchers(request, p, error=exc, status_code=http_status(exc))
    return see_other(f"/me/vouchers?done=cancelled&voucher={voucher_id}")


# ------------------------------------------------------------------------------ enterprise

# Clauses whose facts form is built from the rule's inputs (the columns the engine reads on the
# business date); a fact the engine's variable list does not describe falls back to a text field.


def clause_fields(rule, on: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Form fields for a clause: the facts of the enterprise and, for a rule about a loan or a
    certification, of that subject — each with its label, type, choices and year."""
    from gazette.rules.entities import split_column
    from jiaxing.schemes.vouchers.programmes import engine

    eng = engine()
    compiled = next((c for c in eng.compile(on)[rule.entity] if c.rule.id == rule.id), None)
    columns = sorted(compiled.columns) if compiled is not None else []
    ent = eng.entities[rule.entity]
    out: dict[str, list[dict[str, Any]]] = {"facts": [], "subject": []}
    for col in columns:
        name, year = split_column(col)
        group, owner = ("facts", ent) if rule.entity == "enterprise" else ("subject", ent)
        if "." in name:  # a linked fact, e.g. enterprise.x on a loan
            link, name = name.split(".", 1)
            lv = ent.variable(link)
            owner = eng.entities[lv.target] if lv is not None and lv.target else ent
            group = "facts" if owner.name == "enterprise" else group
        var = owner.variable(name)
        if var is None or var.type == "ref":
            continue
        out[group].append({
            "name": name, "year": year, "field": f"{'f' if group == 'facts' else 's'}:{name}" + (f"@{year}" if year else ""),
            "label_zh": var.description_zh + (f"（{year}年）" if year else ""),
            "label_en": var.description_en + (f" ({year})" if year else ""),
            "type": var.type, "choices": list(var.choices or ()), "unit": var.unit})
    return out


_FIELD = re.compile(r"^([fs]):([A-Za-z_][A-Za-z0-9_]*)(?:@(\d{4}))?$")


def parse_fields(form, fields: dict[str, list[dict]]) -> tuple[dict, dict | None]:
    """The posted fields → (facts, subject) for the engine; empty fields stay unknown (omitted)."""
    known = {f["field"]: f for group in fields.values() for f in group}
    facts: dict[str, Any] = {}
    subject: dict[str, Any] = {}
    for key, f in known.items():
        raw = str(form.get(key, "")).strip()
        if raw == "":
            continue
        if f["type"] == "bool":
            if raw not in ("true", "false"):
                raise InvalidInput(f"{f['label_zh']}：请选择是或否", f"{f['label_en']}: choose yes or no", field=key)
            value: Any = raw == "true"
        elif f["type"] == "int":
            if not re.fullmatch(r"-?\d+", raw):
                raise InvalidInput(f"{f['label_zh']}：应为整数", f"{f['label_en']}: a whole number", field=key)
            value = int(raw)
        else:
            value = raw.replace(",", "") if f["type"] in ("money", "decimal") else raw
        target = facts if key.startswith("f:") else subject
        if f["year"]:
            target.setdefault(f["name"], {})[f["year"]] = value
        else:
            target[f["name"]] = value
    # generic key/value fallback rows (rare facts the form does not list)
    for i in range(5):
        k = str(form.get(f"extra_key_{i}", "")).strip()
        v = str(form.get(f"extra_value_{i}", "")).strip()
        if k and v:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                raise InvalidInput(f"事实名称无效：{k}", f"invalid fact name: {k}", field=f"extra_key_{i}")
            facts[k] = {"true": True, "false": False}.get(v, v)
    return facts, (subject if fields["subject"] else None)


def _timeline(session, application_id: int) -> list[dict[str, Any]]:
    from gazette.ledger import audit

    return [{"at": r.at, "action": r.action, "status": (r.after or {}).get("status"), "actor": r.actor}
            for r in audit.history(session, entity_type="application", entity_id=application_id)]


def _explain_offer(session, rule, a: dict) -> list[dict]:
    """A 免申即享 offer is made by a batch run without explanations; for the enterprise's page the
    engine explains it again from the same data and date: each condition ✓, the tier reached and
    what a higher tier would need ("why not more")."""
    from jiaxing.schemes.vouchers.models import Application
    from jiaxing.schemes.vouchers.programmes import engine

    if rule.entity != "enterprise":
        return []
    row = session.get(Application, a["application_id"])
    try:
        res = engine().calculate({"enterprises": {a["enterprise_id"]: row.facts or {}}}, row.on_date,
                                 rule_ids={rule.id}, explain=True)
    except GazetteError:
        return []
    return next((r["explanation"] for r in res["results"] if r["rule"] == rule.id), [])


def _enterprise_context(session, p: Principal, request: Request, chosen: str | None = None) -> dict[str, Any]:
    from jiaxing.schemes.vouchers import enterprise as EN
    from jiaxing.schemes.vouchers import queries as Q

    on = Q.business_date(session) or dt.date.today()
    apps = EN.list_applications(session, enterprise_id=p.enterprise_id, limit=1000) if p.enterprise_id else []
    apps.sort(key=lambda a: a["application_id"], reverse=True)
    rules = EN.clauses()
    for a in apps:
        a["amount_fen"] = _yuan_to_fen(a["amount_yuan"])
        a["cap_fen"] = _yuan_to_fen(a.get("cap_yuan"))
        a["title_zh"] = rules[a["clause"]].title_zh if a["clause"] in rules else ""
        a["title_en"] = rules[a["clause"]].title_en if a["clause"] in rules else ""
        a["status_label"] = APPLICATION_STATUS.get(a["status"], a["status"])
        a["timeline"] = _timeline(session, a["application_id"])
        a["explanation"] = EN.get_application(session, a["application_id"]).get("explanation") or []
        if a["status"] == "offered" and a["clause"] in rules:
            a["explanation"] = _explain_offer(session, rules[a["clause"]], a) or a["explanation"]
        a["confirm_key"] = new_key(p, f"confirm{a['application_id']}")
    clause_list = [{"id": rid, "title_zh": r.title_zh, "title_en": r.title_en, "entity": r.entity,
                    "open": r.in_window(on)} for rid, r in sorted(rules.items())]
    chosen = chosen or request.query_params.get("clause")
    fields = None
    if chosen in rules:
        fields = clause_fields(rules[chosen], on)
    else:
        chosen = None
    profile = None
    if p.enterprise_id:
        from jiaxing.schemes.vouchers.models import EnterpriseProfile

        ep = session.get(EnterpriseProfile, p.enterprise_id)
        if ep is not None:
            profile = {"name": ep.name, "district": ep.district}
    return {"who": p, "applications": apps, "offers": [a for a in apps if a["status"] == "offered"],
            "clauses": clause_list, "chosen": chosen, "chosen_rule": rules.get(chosen) if chosen else None,
            "fields": fields, "business_date": on, "apply_key": new_key(p, "apply"), "profile": profile,
            "status_labels": APPLICATION_STATUS}


def _render_enterprise(request: Request, p: Principal, *, error: GazetteError | None = None, done: dict | None = None,
                       values: dict | None = None, status_code: int = 200) -> HTMLResponse:
    with unit_of_work() as session:
        ctx = _enterprise_context(session, p, request, (values or {}).get("clause"))
    ctx.update({"error": error_view(error) if error else None, "done": done, "values": values or {}})
    return templates.TemplateResponse(request, "me_enterprise.html", ctx, status_code=status_code)


@router.get("/me/enterprise", response_class=HTMLResponse)
def enterprise_page(request: Request):
    p = require(request, Role.enterprise)
    q = request.query_params
    done = None
    if q.get("done") and q.get("application", "").isdigit():
        done = {"action": q["done"], "application_id": int(q["application"])}
    return _render_enterprise(request, p, done=done)


def _own_application(session, p: Principal, application_id: int) -> dict:
    from jiaxing.schemes.vouchers import enterprise as EN
    from jiaxing.schemes.vouchers import errors as VE

    a = EN.get_application(session, application_id)
    if not p.enterprise_id or a["enterprise_id"] != p.enterprise_id:
        raise VE.application_not_found(application_id)
    return a


@router.post("/me/enterprise/applications", response_class=HTMLResponse)
async def submit_application(request: Request):
    p = require(request, Role.enterprise)
    form = await request.form()
    csrf(request, form)
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    try:
        key = form_key(p, form, "apply")
        from jiaxing.schemes.vouchers import enterprise as EN
        from jiaxing.schemes.vouchers import queries as Q

        rules = EN.clauses()
        clause = values.get("clause", "")
        if clause not in rules:
            raise InvalidInput(f"不是可申请的企业奖补条款：{clause}", f"not an enterprise clause: {clause}", field="clause",
                               code="unknown_clause")
        evidence = [x.strip() for x in re.split(r"[\n,，；;]", values.get("evidence", "")) if x.strip()]
        with unit_of_work() as session:
            on = Q.business_date(session) or dt.date.today()
            facts, subject = parse_fields(form, clause_fields(rules[clause], on))
            res = EN.submit(session, enterprise_id=p.enterprise_id or "", clause=clause, facts=facts, subject=subject,
                            evidence=evidence, key=key, actor=p.username)
    except GazetteError as exc:
        return _render_enterprise(request, p, error=exc, values=values, status_code=http_status(exc))
    return see_other(f"/me/enterprise?done=submitted&application={res['application_id']}#application-{res['application_id']}")


@router.post("/me/enterprise/offers/{application_id}/confirm", response_class=HTMLResponse)
async def confirm_offer(request: Request, application_id: RowId):
    p = require(request, Role.enterprise)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(p, form, f"confirm{application_id}")
        from jiaxing.schemes.vouchers import enterprise as EN

        with unit_of_work() as session:
            _own_application(session, p, application_id)
            EN.confirm(session, application_id=application_id, key=key, actor=p.username)
    except GazetteError as exc:
        return _render_enterprise(request, p, error=exc, status_code=http_status(exc))
    return see_other(f"/me/enterprise?done=confirmed&application={application_id}")


@router.post("/me/enterprise/offers/{application_id}/decline", response_class=HTMLResponse)
async def decline_offer(request: Request, application_id: RowId):
    p = require(request, Role.enterprise)
    form = await request.form()
    csrf(request, form)
    try:
        from jiaxing.schemes.vouchers import enterprise as EN

        with unit_of_work() as session:
            _own_application(session, p, application_id)
            EN.decline(session, application_id=application_id, actor=p.username)
    except GazetteError as exc:
        return _render_enterprise(request, p, error=exc, status_code=http_status(exc))
    return see_other(f"/me/enterprise?done=declined&application={application_id}")


# ------------------------------------------------------------------------------ provident fund


def facts_from_id(person_id: str | None) -> dict[str, Any]:
    """Birth date and sex read from a resident id through the shared validator (gazette.validate:
    length, date of birth, check digit); an id that does not hold gives nothing to prefill."""
    from gazette import validate

    try:
        pid = validate.person_id(person_id or "")
    except GazetteError:
        return {}
    return {"birth_date": validate.birth_date(pid), "sex": validate.sex(pid)}


def _fund_context(session, p: Principal, request: Request) -> dict[str, Any]:
    from jiaxing.schemes.provident_fund import domain as D
    from jiaxing.schemes.provident_fund import service as S

    ctx: dict[str, Any] = {"who": p, "account": None, "setup_error": None}
    try:
        today = S.today(session)
    except GazetteError as exc:
        ctx["setup_error"] = error_view(exc)
        return ctx
    ctx["business_date"] = today
    account = None
    if p.person_id:
        try:
            account = S.view(session, p.person_id)
        except GazetteError as exc:
            if exc.code != "account_not_found":
                raise
    q = request.query_params
    if account is None:
        try:
            b = S.bounds(session, today)
            lo, hi = S.rate_bounds(today)
            ctx["bounds"] = {"min_fen": b.min_wage_fen, "max_fen": b.ceiling_fen, "avg_fen": b.avg_wage_fen,
                             "multiple": b.multiple, "rate_min": lo / 100, "rate_max": hi / 100}
        except GazetteError as exc:
            ctx["setup_error"] = error_view(exc)
        guess = facts_from_id(p.person_id)
        # nothing is assumed: the legal name is typed by the person (the account's display name is not it),
        # the declarations start unticked, base and rate come only from the finder's link
        ctx["prefill"] = {"name": "", "sex": guess.get("sex", ""),
                          "birth_date": guess["birth_date"].isoformat() if guess else "",
                          "base": q.get("base", "")[:20], "rate": q.get("rate", "")[:10], "flexible_pension": False,
                          "stable_residence_income": False, "full_capacity": False}
        ctx["open_key"] = new_key(p, "fundopen")
        quote = getattr(request.state, "fund_quote", None)
        if quote and "bounds" in ctx:  # 试算 preview (writes nothing)
            try:
                base_fen = D.check_base(_fen(quote.get("base"), "base"), S.bounds(session, today))
                rate_bp = D.check_rate(D.parse_rate(quote.get("rate", "")))
                ctx["quote"] = {"monthly_fen": D.monthly_amount(base_fen, rate_bp, S.rounding_unit(today)),
                                "base_fen": base_fen, "rate": f"{rate_bp / 100:g}%"}
            except GazetteError as exc:
                ctx["quote_error"] = error_view(exc)
        ctx["clauses"] = {k: D.clause(k) for k in ("第八条", "第十一条", "第十二条", "第十三条", "第十六条", "第十七条")}
        return ctx
    try:
        page = max(1, int(q.get("page", "1")))
    except ValueError:
        page = 1
    st = S.statement(session, p.person_id)
    lines = list(reversed(st["lines"]))  # newest first
    pages = max(1, -(-len(lines) // STATEMENT_PAGE))
    page = min(page, pages)
    for ln in lines:
        ln["kind_label"] = STATEMENT_KIND.get(ln["kind"], ln["kind"])
    from jiaxing.schemes.provident_fund.models import FundAccount

    acc = session.query(FundAccount).filter(FundAccount.person_id == p.person_id).one()
    nd = account.get("next_debit")
    ctx.update({
        "account": account, "monthly_fen": acc.monthly_fen, "base_fen": acc.base_fen, "rate": account["rate"],
        "balance_fen": acc.balance_fen, "prepaid_fen": acc.prepaid_fen,
        "next_debit": nd, "status_label": FUND_STATUS.get(acc.status, acc.status),
        "seal_label": SEAL_REASON.get(acc.seal_reason or "", acc.seal_reason),
        "lines": lines[(page - 1) * STATEMENT_PAGE: page * STATEMENT_PAGE], "page": page, "pages": pages,
        "total_lines": len(lines), "prepay_key": new_key(p, "fundprepay"), "stop_key": new_key(p, "fundstop"),
        "prepay_limit": D.month_label(D.settlement_year_last_month(today)),
        "clauses": {k: D.clause(k) for k in ("第十二条", "第十三条", "第十四条", "第十六条", "第十七条", "第二十条")},
    })
    return ctx


def _render_fund(request: Request, p: Principal, *, error: GazetteError | None = None, done: dict | None = None,
                 values: dict | None = None, status_code: int = 200) -> Response:
    with unit_of_work() as session:
        ctx = _fund_context(session, p, request)
    if values:
        ctx.setdefault("prefill", {}).update(values)
    ctx.update({"error": error_view(error) if error else None, "done": done, "values": values or {}})
    return templates.TemplateResponse(request, "me_fund.html", ctx, status_code=status_code)


@router.get("/me/fund", response_class=HTMLResponse)
def fund_page(request: Request):
    p = require(request, Role.citizen)
    q = request.query_params
    done = {"action": q["done"]} if q.get("done") in ("opened", "prepaid", "stopped", "unsealed") else None
    return _render_fund(request, p, done=done)


@router.post("/me/fund/open", response_class=HTMLResponse)
async def open_fund_account(request: Request):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    values["flexible_pension"] = form.get("flexible_pension") == "on"
    values["stable_residence_income"] = form.get("stable_residence_income") == "on"
    values["full_capacity"] = form.get("full_capacity") == "on"
    try:
        if not p.person_id:
            raise _no_person()
        key = form_key(p, form, "fundopen")
        from jiaxing.schemes.provident_fund import service as S
        from jiaxing.schemes.provident_fund.domain import Applicant

        name = values.get("name", "").strip()
        if not name:
            raise InvalidInput("请填写姓名（与身份证一致）", "enter your name as on your ID card", field="name",
                               code="name_required")
        a = Applicant(person_id=p.person_id, name=name[:100], sex=values.get("sex", ""),
                      birth_date=_parse_date(values.get("birth_date", ""), "birth_date"),
                      flexible_pension=values["flexible_pension"],
                      stable_residence_income=values["stable_residence_income"],
                      full_capacity=values["full_capacity"])
        with unit_of_work() as session:
            S.open_account(session, a, _fen(values.get("base"), "base"), values.get("rate", "").strip(), key=key,
                           actor=p.username)
    except GazetteError as exc:
        return _render_fund(request, p, error=exc, values=values, status_code=http_status(exc))
    return see_other("/me/fund?done=opened")


@router.post("/me/fund/quote", response_class=HTMLResponse)
async def quote_fund(request: Request):
    """试算: the monthly amount for the base and rate on the open-account form (writes nothing)."""
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    values["flexible_pension"] = form.get("flexible_pension") == "on"
    values["stable_residence_income"] = form.get("stable_residence_income") == "on"
    values["full_capacity"] = form.get("full_capacity") == "on"
    request.state.fund_quote = {"base": values.get("base", ""), "rate": values.get("rate", "")}
    return _render_fund(request, p, values=values)


@router.post("/me/fund/prepay", response_class=HTMLResponse)
async def prepay_fund(request: Request):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(p, form, "fundprepay")
        from jiaxing.schemes.provident_fund import service as S

        with unit_of_work() as session:
            S.prepay(session, p.person_id or "", str(form.get("through", "")).strip(), key=key, actor=p.username)
    except GazetteError as exc:
        return _render_fund(request, p, error=exc, status_code=http_status(exc))
    return see_other("/me/fund?done=prepaid")


@router.post("/me/fund/stop", response_class=HTMLResponse)
async def stop_fund(request: Request):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(p, form, "fundstop")
        from jiaxing.schemes.provident_fund import service as S

        with unit_of_work() as session:
            S.stop(session, p.person_id or "", key=key, actor=p.username)
    except GazetteError as exc:
        return _render_fund(request, p, error=exc, status_code=http_status(exc))
    return see_other("/me/fund?done=stopped")


@router.post("/me/fund/unseal", response_class=HTMLResponse)
async def unseal_fund(request: Request):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    try:
        from jiaxing.schemes.provident_fund import service as S

        with unit_of_work() as session:
            S.unseal(session, p.person_id or "", actor=p.username)
    except GazetteError as exc:
        return _render_fund(request, p, error=exc, status_code=http_status(exc))
    return see_other("/me/fund?done=unsealed")
