"""Responsible-unit tasks: numbered tasks followed by （责任单位：…） become task records with
their text, units, deadlines (到2025年底 → 2025-12-31) and targets, for the supervision register.

Readings (docs/supervision.md):

* a duration (``6个月内审结``) is a deadline relative to an event — ``{"date": null, "duration": "P6M"}``
  — never a count;
* a target keeps its object (``新增2个万吨级泊位``), ``达100%`` and ``≥95%`` are targets, and a list of
  districts with amounts keeps every district (see :mod:`gazette.corpus.targets`);
* a document-level deadline (``到2022年年底`` in the 目标 clause) applies to each task of the
  document that has no date of its own, marked ``"inherited": <clause id>``.
"""

from __future__ import annotations

import calendar
import re

from gazette.corpus.document import _split_top_level
from gazette.corpus.model import Clause, Document, Task
from gazette.corpus.targets import durations, parse_targets

_UNITS = re.compile(r"（责任单位[：:]([^（）]*(?:（[^（）]*）[^（）]*)*)）")
_DEADLINE = re.compile(r"(?:到|至|在)?\s*(\d{4})年(?:(\d{1,2})月)?(年底|底|末)前?|(?:到|在)(\d{4})年(?=[，,])")


def extract_tasks(documents: list[Document]) -> list[Task]:
    tasks: list[Task] = []
    for doc in documents:
        inherited = document_deadline(doc)
        for clause in doc.iter_clauses():
            text = clause.text
            matches = list(_UNITS.finditer(text))
            if not matches:
                continue
            start = 0
            for n, m in enumerate(matches, start=1):
                body = text[start : m.start()].strip()
                start = m.end()
                units = [u for u in _split_top_level(m.group(1), "，、,；") if u]
                tasks.append(
                    Task(
                        id=f"{clause.id}@{n}",
                        document=doc.id,
                        clause=clause.id,
                        text=body,
                        units=units,
                        deadlines=task_deadlines(body, inherited),
                        targets=_targets(body),
                    )
                )
    return tasks


def task_deadlines(text: str, inherited: dict[str, str | None] | None = None) -> list[dict[str, str | None]]:
    """The task's own dated deadlines and durations; the document's deadline when it has no date."""
    out = _deadlines(text) + durations(text)
    if inherited and not any(d.get("date") for d in out):
        out.append(inherited)
    return out


def document_deadline(doc: Document) -> dict[str, str | None] | None:
    """The deadline of a document's goals (到2022年年底 / 到2025年，…), from the first clause that states
    a goal (目标) with a date, searched in the first two top-level parts."""
    for top in doc.clauses[:2]:
        for clause in _walk(top):
            if "目标" not in clause.text and "目标" not in (clause.heading or ""):
                continue
            found = _deadlines(clause.text)
            if found:
                return {**found[0], "inherited": clause.id}
    return None


def _walk(clause: Clause):
    yield clause
    for c in clause.children:
        yield from _walk(c)


def _deadlines(text: str) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for m in _DEADLINE.finditer(text):
        if m.group(4):
            year, month = int(m.group(4)), 12
        else:
            year = int(m.group(1))
            month = int(m.group(2)) if m.group(2) else 12
        if not 1 <= month <= 12:
            continue
        day = calendar.monthrange(year, month)[1]
        item = {"text": m.group(0).strip(), "date": f"{year:04d}-{month:02d}-{day:02d}"}
        if item not in out:
            out.append(item)
    return out


def _targets(text: str) -> list[str]:
    """Quantified targets with their object: 矛盾纠纷就地化解率达到90%以上, 新增2个万吨级泊位."""
    out: list[str] = []
    for t in parse_targets(text):
        if t.text not in out:
            out.append(t.text)
    return out
