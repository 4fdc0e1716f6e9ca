"""Dates and validity: commencement, expiry, clause windows and repeal — and the status of a
document or a clause on any date (not_yet_in_force / in_force / expired / repealed).

Readings (see docs/decisions.md):
* 自公布之日起 / 自发布之日起 / 自印发之日起 / 自即日起 → the signing date printed under the text.
* A document without a commencement clause is in force from its signing date.
* 有效期至 D → in force up to and including D ("X日24时" is the end of day X).
* 其中X和Y有效期至 D → a window on the clauses that provide X and Y (matched by their words).
* A plan titled (2022—2024年) runs to the end of its last year unless it says otherwise.
* 同时废止 takes effect when the repealing text commences; 自即日起废止 on its signing date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from gazette.corpus.dates import DATE, DAY, MONTH, YEAR, make_date
from gazette.corpus.model import Clause, Document, Relation, RelationType, Warning_, Window
from gazette.corpus.relations import sentences

STATUSES = ("not_yet_in_force", "in_force", "expired", "repealed")

_DATE = DATE  # Arabic or Chinese numerals (gazette.corpus.dates)
_FROM_DATE = re.compile(rf"自{_DATE}(?:零时|0时)?起(?:施行|执行|实施|生效)")
_FROM_EVENT = re.compile(r"自(公布|发布|印发|发文|公告|下发)之日起(?:施行|执行|实施|生效)|自即日起(?:施行|执行|实施|生效)")
_UNTIL = re.compile(rf"有效期(?:至|到){_DATE}")
_UNTIL_YEARS = re.compile(r"有效期(?:为)?([一二三四五六七八九十两\d]+)年")
_PERIOD_TITLE = re.compile(r"（(\d{4})\s*[—\-–~至]\s*(\d{4})年）")
_CLAUSE_RANGE = re.compile(rf"自{_DATE}(?:零时|0时)?起至(?:{YEAR}年)?{MONTH}月{DAY}日(?:24时)?止")
_CLAUSE_FROM = re.compile(rf"(?:从|自){_DATE}起")
_SUBSET = re.compile(rf"其中(.+?)有效期(?:至|到){_DATE}")


def _date(y: str | int | None, m: str | int | None, d: str | int | None) -> dt.date | None:
    return make_date(y, m, d)


def apply_validity(documents: list[Document], relations: list[Relation], warnings: list[Warning_]) -> None:
    by_id = {d.id: d for d in documents}
    for doc in documents:
        if doc.category != "政策解读":  # an interpretation restates the policy's dates; it has none of its own
            _document_window(doc, warnings)
            _clause_windows(doc, warnings)
    # A 政策解读 explains a policy and stands or falls with it.
    for rel in relations:
        if rel.type == RelationType.interprets and rel.source in by_id and rel.target in by_id:
            source, target = by_id[rel.source], by_id[rel.target]
            source.effective_from, source.effective_until = target.effective_from, target.effective_until
            source.validity_evidence["effective_from"] = f"随所解读文件 {target.id} / follows the policy it interprets"
            if target.effective_until:
                source.validity_evidence["effective_until"] = f"随所解读文件 {target.id} / follows the policy it interprets"
    for rel in relations:
        if rel.type != RelationType.repeals:
            continue
        source = by_id.get(rel.source)
        if source is None:
            continue
        if "即日" in rel.evidence or "自印发之日" in rel.evidence or "自发布之日" in rel.evidence:
            rel.effective = source.signed or source.effective_from
        else:
            m = re.search(rf"自{_DATE}起.*废止", rel.evidence)
            rel.effective = _date(*m.groups()) if m else (source.effective_from or source.signed)


def _document_window(doc: Document, warnings: list[Warning_]) -> None:
    text_sentences = [s for p, _ in doc.paragraphs for s in sentences(p)]
    for s in text_sentences:
        main = s.split("其中", 1)[0]
        if doc.effective_from is None:
            m = _FROM_DATE.search(main)
            if m:
                doc.effective_from = _date(*m.groups())
                doc.validity_evidence["effective_from"] = s.strip()
            elif _FROM_EVENT.search(main):
                doc.effective_from = doc.signed
                doc.validity_evidence["effective_from"] = s.strip() + "（以成文日期为准 / the signing date）"
        if doc.effective_until is None:
            m = _UNTIL.search(main)
            if m:
                doc.effective_until = _date(*m.groups())
                doc.validity_evidence["effective_until"] = s.strip()
            else:
                y = _UNTIL_YEARS.search(main)
                if y and doc.effective_from:
                    from gazette.corpus.numbering import cn_to_int

                    years = int(y.group(1)) if y.group(1).isdigit() else (cn_to_int(y.group(1).replace("两", "二")) or 0)
                    if years:
                        start = doc.effective_from
                        # N years from 29 February end on 28 February: the day before 1 March
                        anniversary = _date(start.year + years, start.month, start.day) or dt.date(start.year + years, 3, 1)
                        doc.effective_until = anniversary - dt.timedelta(days=1)
                        doc.validity_evidence["effective_until"] = s.strip()
    if doc.effective_from is None and doc.signed is not None:
        doc.effective_from = doc.signed
        doc.validity_evidence["effective_from"] = "无施行日期条款，自成文日期起 / no commencement clause: from the signing date"
    if doc.effective_until is None:
        m = _PERIOD_TITLE.search(doc.issued_title or doc.title)
        if m:
            doc.effective_until = dt.date(int(m.group(2)), 12, 31)
            doc.validity_evidence["effective_until"] = (
                f"标题所载实施期限（{m.group(1)}—{m.group(2)}年） / the period in the title"
            )


def _clause_windows(doc: Document, warnings: list[Warning_]) -> None:
    clauses = list(doc.iter_clauses())
    for clause in clauses:
        for s in sentences(clause.text):
            m = _CLAUSE_RANGE.search(s)
            if m:
                y1, m1, d1, y2, m2, d2 = m.groups()
                start = _date(y1, m1, d1)
                end = _date(y2 or y1, m2, d2)
                clause.windows.append(Window(start, end, s.strip()))
                continue
            m = _CLAUSE_FROM.search(s)
            if m and "施行" not in s and "废止" not in s:
                clause.windows.append(Window(_date(*m.groups()), None, s.strip()))
    # 其中消费券和贷款贴息有效期至2022年12月31日 → windows on the clauses that provide them
    for p, source_clause in doc.paragraphs:
        for s in sentences(p):
            m = _SUBSET.search(s)
            if not m:
                continue
            until = _date(*m.groups()[1:])
            terms = [t for t in re.split(r"[和、及与]", m.group(1)) if t]
            for term in terms:
                term = term.strip().removesuffix("政策")
                target = _clause_providing([c for c in clauses if not _contains(c, source_clause)], term)
                if target is None:
                    warnings.append(Warning_("window_unassigned", f"{doc.id}: no clause provides “{term}” (window until {until})"))
                    continue
                whole = term in (target.heading or "")
                target.windows.append(Window(None, until, s.strip(), scope=None if whole else term, partial=not whole))


def _clause_providing(clauses: list[Clause], term: str) -> Clause | None:
    top = [c for c in clauses if "." not in c.path]
    for c in top:
        if term in (c.heading or ""):
            return c
    for c in top:
        if term in c.full_text():
            return c
    short = term[-2:]
    for c in top:
        if short and short in c.full_text():
            return c
    return None


def _contains(clause: Clause, clause_id: str | None) -> bool:
    """Whether ``clause_id`` is this clause or one of its descendants."""
    return clause_id is not None and any(c.id == clause_id for c in clause.iter())


# --- status ----------------------------------------------------------------------------------


@dataclass
class Status:
    id: str
    on: dt.date
    status: str
    because: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"id": self.id, "on": self.on.isoformat(), "status": self.status, "because": self.because}


@dataclass
class RepealInfo:
    by: str
    on: dt.date | None
    evidence: str


def document_status(
    ident: str,
    on: dt.date,
    effective_from: dt.date | None,
    effective_until: dt.date | None,
    repeals: list[RepealInfo],
    evidence: dict[str, str] | None = None,
    printed: bool = True,
) -> Status:
    evidence = evidence or {}
    for r in repeals:
        if r.on is not None and r.on <= on:
            return Status(ident, on, "repealed", [f"{r.on.isoformat()} 被 {r.by} 废止 / repealed by {r.by} on {r.on.isoformat()}: {r.evidence}"])
    because: list[str] = []
    if not printed:
        because.append("该文件未在已收录公报中刊印，仅见于引用 / not printed in the corpus; known only from references")
    if effective_from and on < effective_from:
        return Status(ident, on, "not_yet_in_force", because + [f"自{effective_from.isoformat()}起施行 / in force from {effective_from.isoformat()}: {evidence.get('effective_from', '')}".rstrip(": ")])
    if effective_until and on > effective_until:
        return Status(ident, on, "expired", because + [f"有效期至{effective_until.isoformat()} / valid until {effective_until.isoformat()}: {evidence.get('effective_until', '')}".rstrip(": ")])
    if effective_from:
        because.append(f"自{effective_from.isoformat()}起施行 / in force from {effective_from.isoformat()}")
    if effective_until:
        because.append(f"有效期至{effective_until.isoformat()} / valid until {effective_until.isoformat()}")
    for r in repeals:
        if r.on is not None and r.on > on:
            because.append(f"{r.on.isoformat()}起将被 {r.by} 废止 / to be repealed by {r.by} on {r.on.isoformat()}")
    return Status(ident, on, "in_force", because)


def clause_status(clause_id: str, on: dt.date, doc_status: Status, windows: list[list[Window]]) -> Status:
    """``windows``: the windows of the clause and of each of its ancestors, nearest first."""
    if doc_status.status != "in_force":
        return Status(clause_id, on, doc_status.status, [f"所属文件 {doc_status.id}：{doc_status.status} / document is {doc_status.status}"] + doc_status.because)
    because = list(doc_status.because)
    for level in windows:
        for w in level:
            if w.partial:
                if w.effective_until and on > w.effective_until:
                    because.append(f"本条中“{w.scope}”部分已于{w.effective_until.isoformat()}到期 / the {w.scope} part expired on {w.effective_until.isoformat()}: {w.evidence}")
                continue
            if w.effective_from and on < w.effective_from:
                return Status(clause_id, on, "not_yet_in_force", [f"本条自{w.effective_from.isoformat()}起适用 / applies from {w.effective_from.isoformat()}: {w.evidence}"])
            if w.effective_until and on > w.effective_until:
                return Status(clause_id, on, "expired", [f"本条有效期至{w.effective_until.isoformat()} / clause valid until {w.effective_until.isoformat()}: {w.evidence}"])
            because.append(f"本条适用期间 / clause window: {w.evidence}")
    return Status(clause_id, on, "in_force", because)
