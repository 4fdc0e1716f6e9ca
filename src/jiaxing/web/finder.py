"""The policy finder (政策计算器): a short question flow, then what you can claim, how much, why, what
would change the answer and how to claim — every amount with its clause.

URLs: ``/finder?step=<id>&<answers>`` shows a step; its form submits ``after=<id>`` and is redirected
to the next step (or to ``/finder/result?<answers>``, the permalink) once the answers so far are valid.
``/finder/r/<slug>`` is the short link: the same answers, compressed into the path (nothing stored).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gazette.api.problems import error_page
from gazette.auth.web import page_principal
from gazette.corpus import service as corpus_service
from gazette.errors import GazetteError, NotFound
from gazette.rules.engine import get_engine
from gazette.rules.money import fmt_yuan, yuan_to_fen
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.districts import DISTRICTS
from jiaxing.web import finder_flow
from jiaxing.web.finder_calc import STATUS_SYMBOL, STATUS_WORD, Calc, build_calcs, clause_of, fund_quote, run
from jiaxing.web.finder_charts import chart_for
from jiaxing.web.finder_pdf import NoFont, render_pdf
from jiaxing.web.finder_questions import STEP_BY_ID, VALUE_WORDS, Answers, Step, choice_label, field_for

router = APIRouter(include_in_schema=False)


def _today() -> dt.date:
    return dt.date.today()


def _now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai"))


def doc_href(clause_id: str) -> str:
    """``嘉政办发〔2022〕47号#一`` → ``/documents/<文号>#<clause id>`` (the reader's clause anchor)."""
    doc = clause_id.split("#", 1)[0]
    return f"/documents/{quote(doc, safe='')}#{quote(clause_id, safe='')}"


def clause_label(clause_id: str) -> str:
    """``嘉政办发〔2022〕47号#一`` → ``嘉政办发〔2022〕47号 一`` for reading."""
    doc, _, path = clause_id.partition("#")
    return f"{doc} {path}".strip()


templates.env.globals["finder_doc_href"] = doc_href
templates.env.globals["finder_clause_label"] = clause_label
templates.env.filters["finder_money"] = lambda v: _money(v) if v is not None else "—"


# ---------------------------------------------------------------- the question flow


def _suggestions(request: Request) -> dict[str, str]:
    """Defaults from the logged-in user (who they are, their district) — only suggested, never assumed:
    the finder works the same for anonymous visitors and nothing is sent until the user submits."""
    try:
        user = page_principal(request)
    except Exception:  # noqa: BLE001 — no auth tables yet: no suggestions
        return {}
    if user is None:
        return {}
    out: dict[str, str] = {}
    role = str(getattr(user, "role", ""))
    if role in ("citizen", "enterprise"):
        out["who"] = role
    district = getattr(user, "district", None)
    if district in DISTRICTS:
        for name in ("district", "ent_district"):
            out[name] = district
    return out


def _render_step(request: Request, a: Answers, step: Step, problems: list[finder_flow.Problem] | None = None,
                 status: int = 200) -> HTMLResponse:
    steps = finder_flow.flow(a)
    ids = [s.id for s in steps]
    idx = ids.index(step.id) if step.id in ids else 0
    back = None
    if idx > 0:
        back = "/finder?" + finder_flow.query(a, step=ids[idx - 1])
    own = {f.name for f in step.fields}
    suggested = _suggestions(request) if not problems else {}
    values: dict[str, Any] = {}
    for f in step.fields:
        v = a.get(f.name)
        values[f.name] = v if v is not None else ([] if f.kind == "multi" else suggested.get(f.name, f.default))
    ctx = {
        "step": step, "number": idx + 1, "total": len(steps) if finder_flow.flow_known(a) else None,
        "hidden": finder_flow.hidden_items(a, own), "values": values,
        "problems": problems or [], "errors": {p.field: p for p in problems or []}, "back": back,
        "restart": "/finder", "today": _today().isoformat(),
    }
    return templates.TemplateResponse(request, "finder.html", ctx, status_code=status)


@router.get("/finder", response_class=HTMLResponse)
def finder(request: Request):
    items = list(request.query_params.multi_items())
    a = finder_flow.answers_from(items)
    params = request.query_params
    after = params.get("after")
    if after and after in STEP_BY_ID:
        clean, bad, problems = finder_flow.check_all(a)
        ids = [s.id for s in finder_flow.flow(a)]
        if bad is not None and (after not in ids or ids.index(bad.id) <= ids.index(after)):
            return _render_step(request, a, bad, problems, status=422)
        nxt = ids[ids.index(after) + 1] if after in ids and ids.index(after) + 1 < len(ids) else None
        if nxt is None:
            return RedirectResponse("/finder/result?" + finder_flow.query(a), status_code=303)
        return RedirectResponse("/finder?" + finder_flow.query(a, step=nxt), status_code=303)
    steps = finder_flow.flow(a)
    wanted = params.get("step")
    step = next((s for s in steps if s.id == wanted), steps[0])
    # the answers before the requested step must hold; otherwise show the first step that does not
    for s in steps:
        if s.id == step.id:
            break
        _, problems = finder_flow.check_step(s, a)
        if problems:
            return _render_step(request, a, s, problems, status=422)
    return _render_step(request, a, step)


# ---------------------------------------------------------------- results


def _variable(engine, entity: str, fact: str):
    name = fact.partition("@")[0]
    ent = engine.entities.get(entity)
    if "." in name and ent is not None:
        link, name = name.split(".", 1)
        v = ent.variable(link)
        ent = engine.entities.get(v.target) if v else None
    return ent.variable(name) if ent is not None else None


def _fact_label(engine, entity: str, fact: str) -> str:
    year = fact.partition("@")[2]
    v = _variable(engine, entity, fact)
    label = v.description_zh if v else fact.partition("@")[0]
    return f"{label}（{year}年）" if year else label


def _money(v: Any) -> str:
    try:
        return fmt_yuan(yuan_to_fen(v)) + " 元"
    except GazetteError:
        return str(v)


def _fact_value(v: Any, var=None, entity: str = "", fact: str = "") -> str:
    if v is None:
        return "? 需确认 to be confirmed"
    if v is True:
        return "是 yes"
    if v is False:
        return "否 no"
    if var is not None and var.type == "money":
        return _money(v)
    if isinstance(v, str):
        return choice_label(field_for(entity, fact), v)
    return str(v)


def _param_value(value: Any, money: bool) -> str:
    """A parameter's value for reading: a scale as its brackets, a list joined, money with 元."""
    if isinstance(value, list):
        parts = []
        for row in value:
            if isinstance(row, dict) and "threshold" in row:
                amount = row.get("amount", row.get("rate"))
                parts.append(f"≥ {_money(row['threshold'])} → {_money(amount) if money else amount}")
            else:
                parts.append(VALUE_WORDS.get(str(row), str(row)))
        return "；".join(parts)
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    return _money(value) if money and value is not None else str(value)


def _view(engine, calc: Calc, r: dict, answers: Answers | None = None) -> dict[str, Any]:
    """One engine result → what the page shows."""
    rule = engine.rules_by_id[r["rule"]]
    fen = yuan_to_fen(r["amount_yuan"]) if r.get("amount_yuan") is not None else None
    conditions, params, whatif, larger, details, notes = [], [], [], [], [], []
    tier = None
    not_in_force = None
    ent = r["entity_type"]
    for item in r.get("explanation", []):
        kind = item["kind"]
        if kind in ("validity", "condition"):
            st = item["status"]
            if st == "fail" and (kind == "validity" or item.get("id") == "validity"):
                not_in_force = _not_in_force(rule, calc, item)
            facts = [(_fact_label(engine, ent, k), _fact_value(v, _variable(engine, ent, k), ent, k))
                     for k, v in (item.get("facts") or {}).items()]
            text_zh = item.get("text_zh", "")
            text_en = item.get("text_en", "")
            if kind == "validity" and item.get("window"):
                w = item["window"]
                text_zh += f"（有效期 {w[0]} 至 {w[1] or '—'}）"
            cond = {"symbol": STATUS_SYMBOL[st], "status": st, "word": STATUS_WORD[st], "zh": text_zh, "en": text_en,
                    "facts": facts, "reference": item.get("reference"),
                    "missing": [_missing(engine, ent, m, answers) for m in item.get("missing", [])],
                    "nearest_zh": item.get("nearest_text_zh"), "nearest_en": item.get("nearest_text_en")}
            conditions.append(cond)
            if st == "fail" and item.get("nearest_text_en"):
                whatif.append((item["nearest_text_zh"], item["nearest_text_en"]))
        elif kind == "parameter":
            value = item["value"]
            money = item.get("unit") == "currency-CNY"
            value = _param_value(value, money)
            pobj = engine.params.get(item["id"])
            params.append({"id": item["id"], "value": value, "unit": item.get("unit"),
                           "name": getattr(pobj, "description", "") or item["id"],
                           "effective_from": item["effective_from"], "references": item.get("references", []),
                           "decision": item.get("decision"), "demo": item.get("demo"), "source": item.get("source")})
        elif kind == "tier":
            tier = item
            if item.get("text_en"):
                target = larger if r["status"] == "eligible" else whatif
                target.append((item["text_zh"], item["text_en"]))
        elif kind == "detail":
            val = item.get("value")
            shown = _money(val) if isinstance(val, str) and val.endswith(tuple(f".{n:02d}" for n in range(100))) \
                else _fact_value(val)
            details.append((item["text_zh"], item["text_en"], shown))
        elif kind == "note":
            notes.append((item["text_zh"], item["text_en"]))
    seen: set[str] = set()  # a failed threshold and the tier may say the same thing: keep the first
    whatif = [w for w in whatif if not (w[1] in seen or seen.add(w[1]))]
    clause = clause_of(rule.id)
    refs = [clause] + [x for x in rule.references if x != clause]
    return {
        "rule": rule.id, "title_zh": r["title_zh"], "title_en": r["title_en"], "status": r["status"],
        "kind": r["kind"], "fen": fen, "has_unit": rule.unit is not None, "period": r.get("period"),
        "clause": clause, "references": refs, "conditions": conditions, "params": params, "tier": tier,
        "whatif": whatif, "larger": larger, "details": details, "notes": notes,
        "missing": [_missing(engine, ent, m, answers) for m in r.get("missing_facts", [])],
        "claim": calc.claim.get(rule.id) if r["status"] == "eligible" else None,
        "offline": calc.offline.get(rule.id) if r["status"] != "ineligible" else None,
        "not_in_force": not_in_force, "valid_from": rule.valid_from, "valid_to": rule.valid_to,
        "chart": chart_for(calc, r, rule),
    }


def _not_in_force(rule, calc: Calc, item: dict) -> dict[str, str]:
    """Outside a policy's validity: "not in force on that date", never "you do not qualify"."""
    day = calc.on
    for v in (item.get("facts") or {}).values():  # an event-dated rule: the event's own date
        try:
            day = dt.date.fromisoformat(str(v)[:10])
        except ValueError:
            pass
    if rule.valid_to is not None and day > rule.valid_to:
        end = rule.valid_to.isoformat()
        return {"zh": f"该政策已于 {end} 失效，{day.isoformat()} 不在施行期内",
                "en": f"not in force on that date: it ended on {end}", "date": day.isoformat()}
    start = rule.valid_from.isoformat()
    return {"zh": f"该政策自 {start} 起施行，{day.isoformat()} 不在施行期内",
            "en": f"not in force on that date: it applies from {start}", "date": day.isoformat()}


def _missing(engine, entity: str, fact: str, answers: Answers | None) -> dict[str, str | None]:
    """A missing fact → its label and a link back to the question that asks it (None when the finder does not)."""
    label = _fact_label(engine, entity, fact)
    year = str((answers or {}).get("year", ""))
    name = field_for(entity, fact, int(year) if year.isdigit() else None)
    step = finder_flow.step_of(name, answers or {}) if name else None
    href = None
    if step is not None:
        href = "/finder?" + finder_flow.query(answers or {}, step=step) + f"#f-{name}"
    return {"label": label, "href": href}


def _clause_texts(ids: set[str], on: dt.date) -> dict[str, dict | None]:
    """Clause id → its text from the corpus (None when the corpus does not have it)."""
    out: dict[str, dict | None] = {}
    try:
        with unit_of_work() as session:
            for cid in sorted(ids):
                try:
                    data = corpus_service.show(session, cid, on)
                except GazetteError:
                    out[cid] = None
                    continue
                text = data.get("text") or ""
                heading = data.get("heading") or ""
                out[cid] = {"text": text, "heading": heading, "label": data.get("label"),
                            "title": data.get("document_title")}
    except Exception:  # noqa: BLE001 — no database yet: the page still explains, without clause texts
        return {cid: None for cid in ids}
    return out


def _sections(engine, calc: Calc, answers: Answers | None = None) -> dict[str, list]:
    sec: dict[str, list] = {"claims": [], "limits": [], "other": [], "not": [], "nif": [], "unknown": []}
    for r in calc.results:
        v = _view(engine, calc, r, answers)
        if v["not_in_force"] is not None:
            sec["nif"].append(v)
        elif r["status"] == "eligible":
            if r["kind"] == "benefit" and v["fen"]:
                sec["claims"].append(v)
            elif r["kind"] == "limit":
                sec["limits"].append(v)
            else:
                sec["other"].append(v)
        elif r["status"] == "ineligible":
            sec["not"].append(v)
        else:
            sec["unknown"].append(v)
    return sec


def _result(request: Request, a: Answers):
    ctx = _result_context(request, a)
    if not isinstance(ctx, dict):
        return ctx
    return templates.TemplateResponse(request, "finder_result.html", ctx)


def _result_context(request: Request, a: Answers):
    """The result's context, or the step to re-answer (a response) when an answer does not hold."""
    clean, bad, problems = finder_flow.check_all(a)
    if bad is not None:
        return _render_step(request, a, bad, problems, status=422)
    engine = get_engine()
    calcs = build_calcs(clean, _today())
    run(calcs)
    blocks = []
    ids: set[str] = set()
    for calc in calcs:
        sec = _sections(engine, calc, a)
        for views in sec.values():
            for v in views:
                ids.update(v["references"])
                ids.update(c["reference"] for c in v["conditions"] if c["reference"])
                for p in v["params"]:
                    ids.update(p["references"])
        blocks.append({"calc": calc, **sec})
    texts = _clause_texts(ids, max(c.on for c in calcs)) if ids else {}
    quote_ = None
    if clean["who"] == "worker":
        quote_ = fund_quote(clean["w_base"], clean["w_rate"], calcs[0].on)
    permalink = "/finder/result?" + finder_flow.query(finder_flow.in_flow(a))
    ids_ = [s.id for s in finder_flow.flow(a)]
    ctx = {
        "blocks": blocks, "texts": texts, "answers": a, "permalink": permalink,
        "short": "/finder/r/" + finder_flow.encode_slug(a), "back": "/finder?" + finder_flow.query(a, step=ids_[-1]),
        "quote": quote_, "base_url": str(request.base_url).rstrip("/"), "who": clean["who"],
        "summary": _summary(a), "computed": _now().strftime("%Y-%m-%d %H:%M"),
        "pdf": "/finder/pdf?" + finder_flow.query(finder_flow.in_flow(a)),
    }
    return ctx


def _summary(a: Answers) -> list[tuple[str, str, str]]:
    """The answers as (question zh, question en, answer) for a reminder at the top of the result."""
    out = []
    for s in finder_flow.flow(a):
        for f in s.fields:
            v = a.get(f.name)
            if v is None:
                if f.kind == "bool":  # asked, not answered: unknown, never yes
                    out.append((f.zh, f.en, "? 需确认 not sure"))
                continue
            labels = {c[0]: f"{c[1]} {c[2]}".strip() for c in f.choices}
            shown = "、".join(labels.get(x, x) for x in v) if isinstance(v, list) else labels.get(v, v)
            out.append((f.zh, f.en, shown))
    return out


@router.get("/finder/result", response_class=HTMLResponse)
def result(request: Request):
    return _result(request, finder_flow.answers_from(list(request.query_params.multi_items())))


@router.get("/finder/r/{slug}", response_class=HTMLResponse)
def short_link(request: Request, slug: str):
    a = finder_flow.decode_slug(slug)
    if a is None:
        err = NotFound.with_message("链接无效或已损坏，请重新填写", "this link is invalid or damaged; please start again",
                                    field="slug", code="bad_link")
        return error_page(request, err)
    return _result(request, a)


@router.get("/finder/pdf")
def result_pdf(request: Request):
    """The same result as a PDF: every answer, amount, condition and clause text, and when it was computed."""
    ctx = _result_context(request, finder_flow.answers_from(list(request.query_params.multi_items())))
    if not isinstance(ctx, dict):
        return ctx
    try:
        data = render_pdf(ctx)
    except NoFont as exc:
        return error_page(request, exc)
    name = f"gazette-finder-{ctx['computed'][:10]}.pdf"
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
