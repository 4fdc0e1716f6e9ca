"""An enterprise's pages under /me/enterprise: apply for an enterprise clause (a facts form built from
the rule's inputs), see every application with its explanation and timeline, and confirm or decline
a 免申即享 offer."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gazette.api.params import RowId
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError, InvalidInput
from gazette.rules.entities import split_column
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.vouchers import enterprise as enterprise_awards
from jiaxing.schemes.vouchers import errors as voucher_errors
from jiaxing.schemes.vouchers import queries as voucher_queries
from jiaxing.schemes.vouchers.models import Application, EnterpriseProfile
from jiaxing.schemes.vouchers.programmes import engine
from jiaxing.web.self_service import (
    APPLICATION_STATUS,
    application_timeline,
    csrf,
    error_view,
    fen_or_none,
    form_key,
    new_key,
    require,
    see_other,
)

router = APIRouter(include_in_schema=False)

# Clauses whose facts form is built from the rule's inputs (the columns the engine reads on the
# business date); a fact the engine's variable list does not describe falls back to a text field.


def clause_fields(rule, on: dt.date) -> dict[str, list[dict[str, Any]]]:
    """Form fields for a clause: the facts of the enterprise and, for a rule about a loan or a
    certification, of that subject — each with its label, type, choices and year."""
    rules_engine = engine()
    compiled = next((c for c in rules_engine.compile(on)[rule.entity] if c.rule.id == rule.id), None)
    columns = sorted(compiled.columns) if compiled is not None else []
    entity = rules_engine.entities[rule.entity]
    out: dict[str, list[dict[str, Any]]] = {"facts": [], "subject": []}
    for column in columns:
        name, year = split_column(column)
        group, owner = ("facts", entity) if rule.entity == "enterprise" else ("subject", entity)
        if "." in name:  # a linked fact, e.g. enterprise.x on a loan
            link, name = name.split(".", 1)
            link_variable = entity.variable(link)
            owner = (rules_engine.entities[link_variable.target]
                     if link_variable is not None and link_variable.target else entity)
            group = "facts" if owner.name == "enterprise" else group
        variable = owner.variable(name)
        if variable is None or variable.type == "ref":
            continue
        out[group].append({
            "name": name, "year": year, "field": f"{'f' if group == 'facts' else 's'}:{name}" + (f"@{year}" if year else ""),
            "label_zh": variable.description_zh + (f"（{year}年）" if year else ""),
            "label_en": variable.description_en + (f" ({year})" if year else ""),
            "type": variable.type, "choices": list(variable.choices or ()), "unit": variable.unit})
    return out


def parse_fields(form, fields: dict[str, list[dict]]) -> tuple[dict, dict | None]:
    """The posted fields → (facts, subject) for the engine; empty fields stay unknown (omitted)."""
    known = {f["field"]: f for group in fields.values() for f in group}
    facts: dict[str, Any] = {}
    subject: dict[str, Any] = {}
    for key, field in known.items():
        raw = str(form.get(key, "")).strip()
        if raw == "":
            continue
        if field["type"] == "bool":
            if raw not in ("true", "false"):
                raise InvalidInput(f"{field['label_zh']}：请选择是或否", f"{field['label_en']}: choose yes or no",
                                   field=key)
            value: Any = raw == "true"
        elif field["type"] == "int":
            if not re.fullmatch(r"-?\d+", raw):
                raise InvalidInput(f"{field['label_zh']}：应为整数", f"{field['label_en']}: a whole number", field=key)
            value = int(raw)
        else:
            value = raw.replace(",", "") if field["type"] in ("money", "decimal") else raw
        target = facts if key.startswith("f:") else subject
        if field["year"]:
            target.setdefault(field["name"], {})[field["year"]] = value
        else:
            target[field["name"]] = value
    # generic key/value fallback rows (rare facts the form does not list)
    for row in range(5):
        name = str(form.get(f"extra_key_{row}", "")).strip()
        value = str(form.get(f"extra_value_{row}", "")).strip()
        if name and value:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise InvalidInput(f"事实名称无效：{name}", f"invalid fact name: {name}", field=f"extra_key_{row}")
            facts[name] = {"true": True, "false": False}.get(value, value)
    return facts, (subject if fields["subject"] else None)


def _explain_offer(session, rule, application: dict) -> list[dict]:
    """A 免申即享 offer is made by a batch run without explanations; for the enterprise's page the
    engine explains it again from the same data and date: each condition ✓, the tier reached and
    what a higher tier would need ("why not more")."""
    if rule.entity != "enterprise":
        return []
    row = session.get(Application, application["application_id"])
    try:
        res = engine().calculate({"enterprises": {application["enterprise_id"]: row.facts or {}}}, row.on_date,
                                 rule_ids={rule.id}, explain=True)
    except GazetteError:
        return []
    return next((r["explanation"] for r in res["results"] if r["rule"] == rule.id), [])


def _enterprise_context(session, principal: Principal, request: Request, chosen: str | None = None) -> dict[str, Any]:
    on = voucher_queries.business_date(session) or dt.date.today()
    apps = (enterprise_awards.list_applications(session, enterprise_id=principal.enterprise_id, limit=1000)
            if principal.enterprise_id else [])
    apps.sort(key=lambda a: a["application_id"], reverse=True)
    rules = enterprise_awards.clauses()
    for a in apps:
        a["amount_fen"] = fen_or_none(a["amount_yuan"])
        a["cap_fen"] = fen_or_none(a.get("cap_yuan"))
        a["title_zh"] = rules[a["clause"]].title_zh if a["clause"] in rules else ""
        a["title_en"] = rules[a["clause"]].title_en if a["clause"] in rules else ""
        a["status_label"] = APPLICATION_STATUS.get(a["status"], a["status"])
        a["timeline"] = application_timeline(session, a["application_id"])
        a["explanation"] = enterprise_awards.get_application(session, a["application_id"]).get("explanation") or []
        if a["status"] == "offered" and a["clause"] in rules:
            a["explanation"] = _explain_offer(session, rules[a["clause"]], a) or a["explanation"]
        a["confirm_key"] = new_key(principal, f"confirm{a['application_id']}")
    clause_list = [{"id": rid, "title_zh": r.title_zh, "title_en": r.title_en, "entity": r.entity,
                    "open": r.in_window(on)} for rid, r in sorted(rules.items())]
    chosen = chosen or request.query_params.get("clause")
    fields = None
    if chosen in rules:
        fields = clause_fields(rules[chosen], on)
    else:
        chosen = None
    profile = None
    if principal.enterprise_id:
        enterprise_profile = session.get(EnterpriseProfile, principal.enterprise_id)
        if enterprise_profile is not None:
            profile = {"name": enterprise_profile.name, "district": enterprise_profile.district}
    return {"who": principal, "applications": apps, "offers": [a for a in apps if a["status"] == "offered"],
            "clauses": clause_list, "chosen": chosen, "chosen_rule": rules.get(chosen) if chosen else None,
            "fields": fields, "business_date": on, "apply_key": new_key(principal, "apply"), "profile": profile,
            "status_labels": APPLICATION_STATUS}


def _render_enterprise(request: Request, principal: Principal, *, error: GazetteError | None = None,
                       done: dict | None = None, values: dict | None = None, status_code: int = 200) -> HTMLResponse:
    with unit_of_work() as session:
        ctx = _enterprise_context(session, principal, request, (values or {}).get("clause"))
    ctx.update({"error": error_view(error) if error else None, "done": done, "values": values or {}})
    return templates.TemplateResponse(request, "me_enterprise.html", ctx, status_code=status_code)


@router.get("/me/enterprise", response_class=HTMLResponse)
def enterprise_page(request: Request):
    principal = require(request, Role.enterprise)
    q = request.query_params
    done = None
    if q.get("done") and q.get("application", "").isdigit():
        done = {"action": q["done"], "application_id": int(q["application"])}
    return _render_enterprise(request, principal, done=done)


def _own_application(session, principal: Principal, application_id: int) -> dict:
    application = enterprise_awards.get_application(session, application_id)
    if not principal.enterprise_id or application["enterprise_id"] != principal.enterprise_id:
        raise voucher_errors.application_not_found(application_id)
    return application


@router.post("/me/enterprise/applications", response_class=HTMLResponse)
async def submit_application(request: Request):
    principal = require(request, Role.enterprise)
    form = await request.form()
    csrf(request, form)
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    try:
        key = form_key(principal, form, "apply")
        rules = enterprise_awards.clauses()
        clause = values.get("clause", "")
        if clause not in rules:
            raise InvalidInput(f"不是可申请的企业奖补条款：{clause}", f"not an enterprise clause: {clause}", field="clause",
                               code="unknown_clause")
        evidence = [x.strip() for x in re.split(r"[\n,，；;]", values.get("evidence", "")) if x.strip()]
        with unit_of_work() as session:
            on = voucher_queries.business_date(session) or dt.date.today()
            facts, subject = parse_fields(form, clause_fields(rules[clause], on))
            res = enterprise_awards.submit(session, enterprise_id=principal.enterprise_id or "", clause=clause,
                                           facts=facts, subject=subject, evidence=evidence, key=key,
                                           actor=principal.username)
    except GazetteError as exc:
        return _render_enterprise(request, principal, error=exc, values=values, status_code=http_status(exc))
    return see_other(f"/me/enterprise?done=submitted&application={res['application_id']}#application-{res['application_id']}")


@router.post("/me/enterprise/offers/{application_id}/confirm", response_class=HTMLResponse)
async def confirm_offer(request: Request, application_id: RowId):
    principal = require(request, Role.enterprise)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(principal, form, f"confirm{application_id}")
        with unit_of_work() as session:
            _own_application(session, principal, application_id)
            enterprise_awards.confirm(session, application_id=application_id, key=key, actor=principal.username)
    except GazetteError as exc:
        return _render_enterprise(request, principal, error=exc, status_code=http_status(exc))
    return see_other(f"/me/enterprise?done=confirmed&application={application_id}")


@router.post("/me/enterprise/offers/{application_id}/decline", response_class=HTMLResponse)
async def decline_offer(request: Request, application_id: RowId):
    principal = require(request, Role.enterprise)
    form = await request.form()
    csrf(request, form)
    try:
        with unit_of_work() as session:
            _own_application(session, principal, application_id)
            enterprise_awards.decline(session, application_id=application_id, actor=principal.username)
    except GazetteError as exc:
        return _render_enterprise(request, principal, error=exc, status_code=http_status(exc))
    return see_other(f"/me/enterprise?done=declined&application={application_id}")
