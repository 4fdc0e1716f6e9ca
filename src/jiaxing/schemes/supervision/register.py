"""The task register built from the corpus: every task and target of the gazette, each citing its clause.

Three kinds of entry (docs/supervision.md):

* ``unit_task`` — a corpus task: a numbered task followed by （责任单位：…） (gazette.corpus.tasks);
* ``clause_task`` — in the six supervised documents (18号, 11号, 49号, 13号, 14号, 9号), every other
  clause that sets work, a target or a deadline (its units are in an attachment marked 略, so an
  officer assigns them by correction);
* ``document_task`` — a document without numbered clauses whose notice sets a deadline (13号's
  rectification: 全部整改工作要求在2022年11月底前完成), citing the document itself.

Deadline of an entry: its own latest dated deadline; else the document's goal deadline
(到2022年年底, inherited); else, for a phase of 49号 (部署阶段（2022年7月至9月）), the end of the
phase; else, for an annual plan (9号: “2022年实施计划”), the end of that year.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from gazette.corpus.model import Document, ParseResult
from gazette.corpus.targets import durations, parse_targets
from gazette.corpus.tasks import _deadlines, document_deadline, task_deadlines

SUPERVISED = ("嘉政发〔2022〕18号", "嘉政办发〔2022〕11号", "嘉政办发〔2022〕49号", "嘉政办发〔2022〕13号",
              "嘉政办发〔2022〕14号", "嘉政办发〔2022〕9号")
_NOT_TASKS = ("指导思想", "基本原则", "总体要求")
_PHASE = re.compile(r"（(\d{4})年(\d{1,2})月至(?:(\d{4})年)?(\d{1,2})月）")
_PLAN_YEAR = re.compile(r"(\d{4})年(?:度)?实施计划")
_AFTER = re.compile(r"满(一|二|两|三)年")  # 14号#三: 决策实施满一年 — a duration after an event
_YEARS = {"一": 1, "二": 2, "两": 2, "三": 3}
_DOC_DEADLINE_SENTENCE = re.compile(r"[^。]*(?:\d{4}年\d{1,2}月底前|\d{4}年年?底前)[^。]*。")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _pick(deadlines: list[dict[str, Any]]) -> tuple[dt.date | None, str | None, str | None, str | None]:
    """(deadline, its text, the clause it is inherited from, a duration)."""
    dated = [d for d in deadlines if d.get("date")]
    duration = next((d["duration"] for d in deadlines if d.get("duration")), None)
    if not dated:
        return None, next((d["text"] for d in deadlines if d.get("duration")), None), None, duration
    first = dated[0]  # the first deadline the text states; later milestones stay in the text
    return dt.date.fromisoformat(first["date"]), first["text"], first.get("inherited"), duration


def _entry(*, id: str, document: Document, clause: str, kind: str, text: str, units: list[str],
           deadlines: list[dict[str, Any]]) -> dict[str, Any]:
    deadline, dtext, source, duration = _pick(deadlines)
    return {"id": id, "document": document.id, "clause": clause, "kind": kind, "text": text, "units": units,
            "deadline": deadline, "deadline_text": dtext, "deadline_source": source, "duration": duration,
            "targets": [t.to_dict() for t in parse_targets(text)],
            "starts": document.signed or dt.date(2022, 1, 1)}


def _phase(text: str) -> dict[str, Any] | None:
    """部署阶段（2022年7月至9月） → the end of the phase, 2022-09-30."""
    m = _PHASE.search(text)
    if not m:
        return None
    year = int(m.group(3) or m.group(1))
    return {"text": m.group(0), "date": _month_end(year, int(m.group(4))).isoformat()}


def _plan_year(doc: Document) -> dict[str, Any] | None:
    """An annual plan (“2022年实施计划”) ends with its year."""
    m = _PLAN_YEAR.search(doc.title)
    return {"text": m.group(0), "date": f"{m.group(1)}-12-31", "inherited": doc.id} if m else None


# The targets of the “551” plan are read once, as cited parameters (policies/major_projects): the
# register shows them for their clauses instead of a second, textual reading.
_PARAM_TARGETS = {  # parameter → (object, comparison, unit shown)
    "plan.projects": ("市“551”重大项目", "=", "个"),
    "plan.investment_yi": ("市“551”重大项目年度计划投资", "=", "亿元"),
    "plan.expansion_list_projects": ("扩投资项目清单", ">=", "个"),
    "plan.reserve_total_yi": ("滚动储备项目总投资", ">=", "亿元"),
    "goals.fixed_asset_investment_yi": ("全市固定资产投资总量", ">", "亿元"),
    "goals.growth_ensure": ("投资增速（确保）", ">=", "%"),
    "goals.growth_strive": ("投资增速（力争）", ">=", "%"),
    "goals.structural_growth": ("六个结构性指标投资增速", ">=", "%"),
    "goals.high_energy_share_max": ("高耗能行业投资占比", "<=", "%"),
    "start_rate.q1": ("新建项目开工率（一季度）", ">=", "%"),
    "start_rate.q2": ("新建项目开工率（二季度）", ">=", "%"),
    "start_rate.q3": ("新建项目开工率（三季度）", ">=", "%"),
}


def parameter_targets(clause_id: str, on: dt.date) -> list[dict[str, Any]] | None:
    """The plan's targets cited to ``clause_id``, or None when no parameter cites it."""
    from decimal import Decimal

    from jiaxing.schemes.supervision import params

    out: list[dict[str, Any]] = []
    for name, (obj, comparison, unit) in _PARAM_TARGETS.items():
        if params.reference(name) != clause_id:
            continue
        v = params.value(name, on)
        value = format((Decimal(v) * 100).normalize(), "f") if unit == "%" else str(v)
        out.append({"object": obj, "value": value, "unit": unit, "comparison": comparison,
                    "text": f"{obj}{_SYMBOL[comparison]}{value}{unit}", "parameter": f"major_projects.{name}"})
    if params.reference("plan.categories") == clause_id:
        for cat, d in params.value("plan.categories", on).items():
            out.append({"object": f"{cat}类项目", "value": str(d["projects"]), "unit": "个", "comparison": "=",
                        "text": f"{cat}类项目{d['projects']}个", "parameter": "major_projects.plan.categories"})
            out.append({"object": f"{cat}类年度计划投资", "value": str(d["investment_yi"]), "unit": "亿元",
                        "comparison": "=", "text": f"{cat}类年度计划投资{d['investment_yi']}亿元",
                        "parameter": "major_projects.plan.categories"})
    cited = any(p.references and p.references[0] == clause_id for p in params.all_parameters().values())
    return out if cited else None  # a clause cited only by the lights' thresholds sets checks, not targets


_SYMBOL = {"=": "", ">=": "≥", "<=": "≤", ">": ">", "<": "<"}


def build(results: Iterable[ParseResult]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for result in results:
        docs = {d.id: d for d in result.documents}
        covered: set[str] = set()
        for t in result.tasks:
            doc = docs[t.document]
            covered.add(t.clause)
            entries.append(_entry(id=t.id, document=doc, clause=t.clause, kind="unit_task", text=t.text,
                                  units=list(t.units), deadlines=t.deadlines))
        for doc in result.documents:
            if doc.id in SUPERVISED:
                entries.extend(_clause_entries(doc, covered))
    return entries


def _clause_entries(doc: Document, covered: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    inherited = document_deadline(doc)
    for clause in doc.iter_clauses():
        text = clause.text.strip()
        if not text or clause.children or clause.id in covered or any(c.startswith(clause.id + ".") for c in covered):
            continue
        if text.startswith(_NOT_TASKS) or (clause.heading or "").startswith(_NOT_TASKS):
            continue
        if len(text) < 20:  # a heading of a group of tasks (在…上率先突破。)
            continue
        deadlines = task_deadlines(text, None)
        if not any(d.get("date") for d in deadlines):
            fb = _phase(text) or inherited or _plan_year(doc)
            if fb:
                deadlines.append(fb)
        m = _AFTER.search(text)
        if m:
            deadlines.append({"text": m.group(0), "date": None, "duration": f"P{_YEARS[m.group(1)]}Y"})
        entry = _entry(id=f"{clause.id}@c", document=doc, clause=clause.id, kind="clause_task", text=text,
                       units=[], deadlines=deadlines)
        from_params = parameter_targets(clause.id, entry["starts"]) if doc.id == "嘉政办发〔2022〕9号" else None
        if from_params is not None:
            entry["targets"] = from_params
        out.append(entry)
    if not any(True for _ in doc.iter_clauses()):
        body = "".join(doc.preamble)
        m = _DOC_DEADLINE_SENTENCE.search(body)
        if m:
            text = m.group(0).strip()
            out.append(_entry(id=f"{doc.id}@d", document=doc, clause=doc.id, kind="document_task", text=text,
                              units=[], deadlines=_deadlines(text) + durations(text)))
    return out


def from_pack() -> list[dict[str, Any]]:
    """The register of the shipped gazettes."""
    from gazette.corpus.parse import parse_file
    from gazette.packs import load_pack

    return build(parse_file(p) for p in load_pack().gazette_files())
