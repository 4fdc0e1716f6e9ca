"""The gazette reader: issues and their contents, a document with clause anchors and status on
a chosen date, relations both ways, personnel, and full-text search with facets and highlighted
snippets.  Thin: every fact comes from ``gazette.corpus.service``; this module only shapes it for
the templates."""

from __future__ import annotations

import datetime as dt
import math
import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gazette.api.problems import error_page, http_status
from gazette.auth.web import current_user
from gazette.corpus import service
from gazette.corpus.notes import describe
from gazette.errors import GazetteError, InvalidInput, NotFound
from gazette.store.db import unit_of_work
from gazette.web.templating import templates

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 10

# Relation labels as a reader says them: (Chinese, English) — the verb seen from this document.
RELATION_LABELS = {
    "repeals": ("废止", "repeals"),
    "repealed_by": ("被废止", "repealed by"),
    "interprets": ("解读", "interprets"),
    "interpreted_by": ("被解读", "interpreted by"),
    "cites": ("引用", "cites"),
    "cited_by": ("被引用", "cited by"),
    "issues": ("印发", "issues"),
    "issued_by": ("由…印发", "issued by"),
}
FORWARD_LABELS = {"issues": ("转发", "forwards"), "issued_by": ("由…转发", "forwarded by")}
RELATION_ORDER = ["repealed_by", "repeals", "interprets", "interpreted_by", "issues", "issued_by", "cites", "cited_by"]
FACET_NAMES = {
    "status": "状态 Status",
    "category": "类别 Category",
    "issuer": "发文机关 Issuer",
    "year": "年份 Year",
}
ACTION_LABELS = {"appoint": "任 Appointed", "remove": "免 Removed"}
STATUSES = ("not_yet_in_force", "in_force", "expired", "repealed")


# --- helpers -----------------------------------------------------------------------------------


def _on(request: Request) -> tuple[dt.date, str | None]:
    """The date to show status on (?on=YYYY-MM-DD, default today) and a message if ?on= was bad."""
    raw = request.query_params.get("on", "").strip()
    if not raw:
        return dt.date.today(), None
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError:
        return dt.date.today(), f"日期“{raw}”无效，已按今天显示 / invalid date “{raw}”, showing today"


def _error(request: Request, exc: GazetteError) -> HTMLResponse:
    return error_page(request, exc)


def doc_url(ident: str, fragment: str | None = None) -> str:
    """/documents/<id>[#<clause id>] with the id percent-encoded ('#' in a clause id becomes %23)."""
    url = "/documents/" + urllib.parse.quote(ident, safe="")
    if fragment:
        url += "#" + urllib.parse.quote(fragment, safe="")
    return url


templates.env.globals["doc_url"] = doc_url


def _query_string(params: dict[str, Any], **changes: Any) -> str:
    """Query string with ``changes`` applied (None removes a key), keeping every other parameter."""
    merged = {k: v for k, v in params.items() if v not in (None, "")}
    for k, v in changes.items():
        if v in (None, ""):
            merged.pop(k, None)
        else:
            merged[k] = v
    return urllib.parse.urlencode(merged)


def _status_map(session: Session, ids: list[str], on: dt.date) -> dict[str, dict]:
    out = {}
    for ident in ids:
        try:
            out[ident] = service.status(session, ident, on).to_dict()
        except GazetteError:
            continue
    return out


def _group_toc(issue_id: str, toc: list[dict], statuses: dict[str, dict]) -> list[dict]:
    """TOC entries grouped by section (【市政府文件】…) in printed order, each with its link and status."""
    sections: list[dict] = []
    for entry in toc:
        item = dict(entry)
        doc = entry.get("document")
        item["status"] = statuses.get(doc) if doc else None
        if entry.get("section") == "市政府人事任免":
            item["href"] = "/personnel?" + _query_string({}, issue=issue_id)
        elif entry.get("section") == "目录":
            item["href"] = f"/issues/{urllib.parse.quote(issue_id, safe='')}#catalog-h"  # the catalogue table
        elif doc and item["status"] is not None:
            item["href"] = doc_url(doc)
        else:
            item["href"] = None
        if not sections or sections[-1]["section"] != entry.get("section"):
            sections.append({"section": entry.get("section") or "", "entries": []})
        sections[-1]["entries"].append(item)
    return sections


def _issue_context(session: Session, issue: dict, on: dt.date) -> dict:
    docs = [e["document"] for e in issue["toc"] if e.get("document") and e.get("section") not in ("目录", "市政府人事任免")]
    statuses = _status_map(session, docs, on)
    sections = _group_toc(issue["id"], issue["toc"], statuses)
    return {"issue": issue, "sections": sections}


def _issue_warnings(session: Session, issue: dict, documents: list[dict]) -> list[str]:
    """Where the table of contents and the body disagree, plus the parser's own warnings."""
    warnings: list[str] = []
    in_body = {d["id"]: d for d in documents if d["issue"] == issue["id"]}
    toc_docs = set()
    for e in issue["toc"]:
        if e.get("section") in ("目录", "市政府人事任免"):
            continue
        doc = e.get("document")
        toc_docs.add(doc)
        if not e.get("found") or doc not in in_body:
            warnings.append(f"目录列出但正文未找到：{e['title']} / listed in the contents but not found in the body")
        elif e.get("page") and in_body[doc].get("page") and e["page"] != in_body[doc]["page"]:
            warnings.append(
                f"页码不一致：{e['title']} 目录第{e['page']}页，正文第{in_body[doc]['page']}页 / page differs"
            )
    for doc_id, d in in_body.items():
        if doc_id not in toc_docs:
            warnings.append(f"正文有而目录未列：{d['title']} / in the body but not in the contents")
    for w in service.issue_warnings(session, issue["id"]):
        if w["code"] in RECONCILIATION_CODES:  # contents vs body: for every reader, in words
            zh, en = describe(w["code"])
            warnings.append(f"{zh} / {en}: {w['message']}")
    return warnings


def _parser_notes(warnings: list[dict[str, str]]) -> list[dict[str, str]]:
    """The parser's warnings in words officials read; the code and raw message stay for support staff."""
    out = []
    for w in warnings:
        zh, en = describe(w["code"])
        out.append({"zh": zh, "en": en, "code": w["code"], "message": w["message"]})
    return out


#: The parser's findings about the contents against the body, which every reader may want to know.
RECONCILIATION_CODES = frozenset({"toc_title_differs", "toc_entry_not_found", "catalog_title_differs"})


def _is_staff(request: Request) -> bool:
    """Officials and operators see the parser's notes; citizens and enterprises do not need them."""
    user = current_user(request)
    return user is not None and str(user.role) not in ("citizen", "enterprise")


# --- issues ------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    on, bad_date = _on(request)
    with unit_of_work() as session:
        issues = service.list_issues(session)
        contexts = [_issue_context(session, issue, on) for issue in reversed(issues)]  # newest first
    return templates.TemplateResponse(
        request, "home.html", {"issues": contexts, "on": on.isoformat(), "bad_date": bad_date}
    )


@router.get("/issues/{issue_id}", response_class=HTMLResponse)
def issue_page(request: Request, issue_id: str):
    on, bad_date = _on(request)
    try:
        with unit_of_work() as session:
            issues = service.list_issues(session)
            issue = next((i for i in issues if i["id"] == issue_id.strip()), None)
            if issue is None:
                raise NotFound("公报期号 / issue", issue_id)
            documents = service.list_documents(session)
            ctx = _issue_context(session, issue, on)
            ctx["warnings"] = _issue_warnings(session, issue, documents)
            ctx["parser_notes"] = (_parser_notes([w for w in service.issue_warnings(session, issue["id"])
                                                  if w["code"] not in RECONCILIATION_CODES])
                                   if _is_staff(request) else [])
            ctx["catalog"] = service.catalog(session, issue["id"])
            ctx["personnel"] = [p for p in service.personnel(session) if p["issue"] == issue["id"]]
    except GazetteError as exc:
        return _error(request, exc)
    ctx.update({"on": on.isoformat(), "bad_date": bad_date, "action_labels": ACTION_LABELS})
    return templates.TemplateResponse(request, "issue.html", ctx)


# --- documents ---------------------------------------------------------------------------------


def _label(rel: dict, title_of_doc: str) -> tuple[str, str]:
    if rel["type"] in FORWARD_LABELS and "转发" in (title_of_doc or ""):
        return FORWARD_LABELS[rel["type"]]
    return RELATION_LABELS.get(rel["type"], (rel["type"], rel["type"]))


def _relations_view(session: Session, data: dict, me: str) -> list[dict]:
    """Both directions as one list: label, the other side (linked when it resolves), evidence, date."""
    rows = []
    titles = {d["id"]: d["title"] for d in service.list_documents(session)}
    for direction in ("outgoing", "incoming"):
        for r in data["relations"][direction]:
            other = r["target"] if direction == "outgoing" else r["source"]
            try:
                kind, row = service.resolve(session, other)
                resolved = row.id if kind in ("document", "clause") else row
            except GazetteError:
                kind, resolved = None, None
            if direction == "outgoing":
                other_title = r.get("target_title") or titles.get(resolved or "", "")
                title_for_label = data.get("title", "")
            else:
                other_title = titles.get(other, "")
                title_for_label = other_title
            zh, en = _label(r, title_for_label)
            rows.append(
                {
                    "direction": direction,
                    "type": r["type"],
                    "label_zh": zh,
                    "label_en": en,
                    "other": other,
                    "other_title": other_title if other_title and other_title.strip("《》") != other.strip("《》") else "",
                    "href": ("#issued" if resolved == me else doc_url(resolved)) if resolved else None,
                    "self": resolved == me,
                    "evidence": r.get("evidence"),
                    "effective": r.get("effective"),
                }
            )
    rows.sort(key=lambda x: RELATION_ORDER.index(x["type"]) if x["type"] in RELATION_ORDER else 99)
    return rows


def _clause_badges(session: Session, clauses: list[dict], on: dt.date, out: dict[str, dict]) -> None:
    """Status of every clause that has its own validity window (e.g. 消费券 until 2022-12-31)."""
    for c in clauses:
        if c.get("windows"):
            try:
                out[c["id"]] = service.status(session, c["id"], on).to_dict()
            except GazetteError:
                pass
        _clause_badges(session, c.get("children") or [], on, out)


def _timeline(doc: dict, relations: list[dict], on: dt.date):
    """The document's validity drawn as a time line: in force from, clause windows ending, valid until,
    repealed — with the same events in words (the chart's text alternative)."""
    from gazette.web.charts import timeline_chart

    events: list[tuple[str, str, str]] = []
    if doc.get("effective_from"):
        events.append((doc["effective_from"], "施行 in force", "start"))

    def walk(clauses: list[dict]) -> None:
        for c in clauses:
            for w in c.get("windows") or []:
                if w.get("effective_until") and w["effective_until"] != doc.get("effective_until"):
                    what = f"{c.get('label') or c['id'].split('#', 1)[-1]}{('（' + w['scope'] + '）') if w.get('scope') else ''}"
                    events.append((w["effective_until"], f"{what} 到期 clause ends", "clause_end"))
            walk(c.get("children") or [])

    walk(doc.get("clauses") or [])
    if doc.get("effective_until"):
        events.append((doc["effective_until"], "有效期届满 ends", "end"))
    for r in relations:
        if r["type"] == "repealed_by" and r.get("effective"):
            events.append((str(r["effective"])[:10], f"被 {r['other']} 废止 repealed", "repeal"))
    seen: set[tuple[str, str]] = set()
    events = [e for e in events if not ((e[0], e[1]) in seen or seen.add((e[0], e[1])))]
    if not events:
        return None
    words = "；".join(f"{d} {label}" for d, label, _ in sorted(events))
    svg = timeline_chart(chart_id="timeline", title=f"{doc.get('doc_number') or doc['id']} 效力时间线 Validity timeline",
                         desc=f"{words}。查看日期 {on.isoformat()}。", events=events, on=on.isoformat())
    return {"svg": svg, "events": sorted(events)}


def _repealers(relations: list[dict]) -> list[dict]:
    return [r for r in relations if r["type"] == "repealed_by"]


@router.get("/documents/{ident:path}", response_class=HTMLResponse)
def document_page(request: Request, ident: str):
    on, bad_date = _on(request)
    try:
        with unit_of_work() as session:
            data = service.show(session, ident, on)
            ctx: dict[str, Any] = {"doc": data, "on": on.isoformat(), "bad_date": bad_date}
            if data["kind"] == "document":
                ctx["relations"] = _relations_view(session, data, data["id"])
                badges: dict[str, dict] = {}
                _clause_badges(session, data.get("clauses") or [], on, badges)
                ctx["clause_status"] = badges
                issue = next((i for i in service.list_issues(session) if i["id"] == data.get("issue")), None)
                ctx["issue"] = issue
                ctx["timeline"] = _timeline(data, ctx["relations"], on)
            elif data["kind"] == "external":
                ctx["relations"] = _relations_view(session, data, data["id"])
                names = [r["target_title"] for r in data["relations"]["incoming"] if r.get("target_title")]
                ctx["external_title"] = names[0] if names else ""
            else:  # a clause: its own page, with its document's status context
                parent = service.show(session, data["document"], on)
                ctx["parent_status"] = parent["status"]
                ctx["children"] = [service.show(session, c, on) for c in data.get("children", [])]
            ctx["repealers"] = _repealers(ctx.get("relations", []))
            ctx["parser_notes"] = _parser_notes(data.get("parse_warnings") or [])
    except GazetteError as exc:
        return _error(request, exc)
    return templates.TemplateResponse(request, "document.html", ctx)


# --- personnel ---------------------------------------------------------------------------------


@router.get("/personnel", response_class=HTMLResponse)
def personnel_page(
    request: Request, q: str = "", month: str = "", issue: str = "", action: str = ""
):
    with unit_of_work() as session:
        rows = service.personnel(session)
        issues = service.list_issues(session)
    months = sorted({p["month"] for p in rows if p["month"]})
    needle = q.strip()
    shown = [
        p
        for p in rows
        if (not needle or needle in p["person"] or needle in p["text"] or any(needle in x for x in p["positions"]))
        and (not month or p["month"] == month)
        and (not issue or p["issue"] == issue)
        and (not action or p["action"] == action)
    ]
    return templates.TemplateResponse(
        request,
        "personnel.html",
        {
            "rows": shown,
            "total": len(rows),
            "pq": needle,
            "month": month,
            "issue": issue,
            "action": action,
            "months": months,
            "issues": issues,
            "action_labels": ACTION_LABELS,
        },
    )


# --- search ------------------------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = "",
    category: str | None = None,
    status: str | None = None,
    issuer: str | None = None,
    year: str | None = None,
    page: str = "1",
):
    on, bad_date = _on(request)
    params = {"q": q, "category": category, "status": status, "issuer": issuer, "year": year,
              "on": request.query_params.get("on")}
    ctx: dict[str, Any] = {"q": q, "on": on.isoformat(), "bad_date": bad_date, "result": None, "error": None,
                           "facet_names": FACET_NAMES}
    try:
        page_no = max(1, int(page))
    except ValueError:
        page_no = 1
    status_code = 200
    if q.strip():
        filters = {k: v for k, v in (("category", category), ("status", status), ("issuer", issuer), ("year", year)) if v}
        try:
            if year:
                try:
                    int(year)
                except ValueError:
                    raise InvalidInput(f"年份无效：{year}", f"invalid year: {year}", field="year") from None
            with unit_of_work() as session:
                result = service.search(session, q, on, filters, PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
                hits = result["hits"]
                for h in hits:
                    rels = service.relations(session, h["id"])
                    h["repeals"] = [dict(r) for r in rels["outgoing"] if r["type"] == "repeals"]
                    for rp in h["repeals"]:
                        rp["status"] = _status_map(session, [rp["target"]], on).get(rp["target"])
                    h["repealed_by"] = [r for r in rels["incoming"] if r["type"] == "repealed_by"]
        except GazetteError as exc:
            ctx["error"] = exc
            status_code = http_status(exc)
        else:
            pages = max(1, math.ceil(result["total"] / PAGE_SIZE))
            facets = []
            for name in ("status", "category", "issuer", "year"):
                counts = result["facets"].get(name) or {}
                if not counts:
                    continue
                current = params.get(name)
                values = []
                for value, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
                    active = current is not None and str(current) == str(value)
                    values.append(
                        {
                            "value": value,
                            "label": templates.env.globals["STATUS_LABELS"].get(value, value) if name == "status" else value,
                            "count": n,
                            "active": active,
                            "href": "/search?" + _query_string(params, **{name: None if active else value}),
                        }
                    )
                facets.append({"name": name, "label": FACET_NAMES.get(name, name), "options": values})
            active_filters = [
                {"name": k, "label": FACET_NAMES[k], "value": v,
                 "shown": templates.env.globals["STATUS_LABELS"].get(v, v) if k == "status" else v,
                 "href": "/search?" + _query_string(params, **{k: None})}
                for k, v in filters.items()
            ]
            ctx.update(
                {
                    "result": result,
                    "hits": hits,
                    "facets": facets,
                    "active_filters": active_filters,
                    "page": page_no,
                    "pages": pages,
                    "start": (page_no - 1) * PAGE_SIZE,
                    "prev_href": "/search?" + _query_string(params, page=page_no - 1 if page_no > 2 else None)
                    if page_no > 1 else None,
                    "next_href": "/search?" + _query_string(params, page=page_no + 1) if page_no < pages else None,
                }
            )
    return templates.TemplateResponse(request, "search.html", ctx, status_code=status_code)
