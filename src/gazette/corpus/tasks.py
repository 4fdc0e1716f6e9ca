"""Responsible-unit tasks: numbered tasks followed by （责任单位：…） become task records with
their text, units, deadlines (到2025年底 → 2025-12-31) and targets, for a later tracker."""

from __future__ import annotations

import calendar
import re

from gazette.corpus.document import _split_top_level
from gazette.corpus.model import Document, Task

_UNITS = re.compile(r"（责任单位[：:]([^（）]*(?:（[^（）]*）[^（）]*)*)）")
_TARGET = re.compile(
    r"(?:达到|超过|超|不低于|不少于|提升至|压减至|控制在|新增|新建|建成|培育|完成|实现|引进|扩大到|增加到)[^，。；、（）]{0,24}?"
    r"\d+(?:\.\d+)?\s*(?:%|万?(?:个|家|项|人|名|套|次|所|亿元|万元|元|平方米|千瓦|吨))(?:以上|以下|以内)?"
)


def extract_tasks(documents: list[Document]) -> list[Task]:
    tasks: list[Task] = []
    for doc in documents:
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
                        deadlines=_deadlines(body),
                        targets=_targets(body),
                    )
                )
    return tasks


def _deadlines(text: str) -> list[dict[str, str | None]]:
    out: list[dict[str, str | None]] = []
    for m in re.finditer(r"(?:到|至|在)?\s*(\d{4})年(?:(\d{1,2})月)?(年底|底|末)前?|(?:到|在)(\d{4})年(?=[，,])", text):
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
    """Quantified targets with their subject: 矛盾纠纷就地化解率达到90%以上."""
    out: list[str] = []
    for m in _TARGET.finditer(text):
        start = m.start()
        while start > 0 and m.start() - start < 20 and text[start - 1] not in "，。；、：（）":
            start -= 1
        phrase = text[start : m.end()].strip()
        if phrase not in out:
            out.append(phrase)
    return out
