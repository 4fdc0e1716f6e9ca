"""The front matter of a gazette issue: the cover (year, 期, 总期), the back-cover sponsor block (the
publication date) and the table of contents (sections, titles, 文号 and page numbers)."""

from __future__ import annotations

import datetime as dt
import re

from gazette.corpus.docnumber import find_doc_numbers
from gazette.corpus.model import Issue, TocEntry, Warning_
from gazette.corpus.text import Line, compact

GAZETTE_NAME = "嘉兴市人民政府公报"
_ISSUE_NO = re.compile(r"第(\d{1,2})期（总第(\d{1,4})期）")
ISSUE_NO_SHORT = re.compile(r"^(?:(\d{4})年)?第(\d{1,2})期$")
_PAGE_TAIL = re.compile(r"^(?P<body>.*?)[\s\t]*[（(](?P<page>\d{1,3})[）)]$")
_SECTION = re.compile(r"^【([^】]+)】$")
_PUBLISHED = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日出版")
CATALOG_TITLE = re.compile(r"^((\d{4})年(\d{1,2})月份)?.*(发文目录|部门行政规范性文件目录|政策解读目录)$")


def parse_cover(lines: list[Line], warnings: list[Warning_]) -> tuple[Issue, int]:
    year = number = cumulative = None
    toc_start = 0
    for i, line in enumerate(lines[:40]):
        text = line.text
        if re.fullmatch(r"(19|20)\d{2}", text) and year is None:
            year = int(text)
        m = _ISSUE_NO.search(text)
        if m and number is None:
            number, cumulative = int(m.group(1)), int(m.group(2))
            y = re.match(r"^(\d{4})年", text)
            if y:
                year = int(y.group(1))
        elif number is None:
            m2 = ISSUE_NO_SHORT.match(text)
            if m2:
                number = int(m2.group(2))
                year = int(m2.group(1)) if m2.group(1) else year
        if compact(text) in ("目录", "目次"):
            toc_start = i + 1
            break
    if year is None or number is None:
        warnings.append(Warning_("incomplete_cover", "year or issue number (第…期) not found on the cover"))
    year = year or 0
    number = number or 0
    issue_id = f"{year:04d}-{number:02d}"
    title = f"{GAZETTE_NAME}{year}年第{number:02d}期" + (f"（总第{cumulative}期）" if cumulative else "")
    return Issue(issue_id, title, year, number, cumulative, None), toc_start


def parse_sponsor(lines: list[Line], issue: Issue) -> None:
    for line in lines:
        text = line.text
        m = _PUBLISHED.search(text)
        if m:
            issue.published = safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            continue
        m = _ISSUE_NO.search(text)
        if m and issue.cumulative_number is None:
            issue.cumulative_number = int(m.group(2))
        kv = re.match(r"^(准印证|主办|地址|电话|邮编)[：:](.+)$", compact(text))
        if kv:
            issue.sponsor[kv.group(1)] = kv.group(2)


def safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_toc(lines: list[Line], start: int, end: int, warnings: list[Warning_]) -> tuple[list[TocEntry], int]:
    toc: list[TocEntry] = []
    if start == 0:
        return toc, 0  # no table of contents: the body starts at the top
    section: str | None = None
    pending: list[str] = []
    last_entry_line = start
    i = start
    while i < end:
        text = lines[i].text
        i += 1
        if not text or re.fullmatch(r"[-—\s\t]+", text):
            continue
        sec = _SECTION.match(text)
        if sec and not pending:
            section = sec.group(1)
            last_entry_line = i
            continue
        entry_text = re.sub(r"^[-•·]\s*", "", text)
        m = _PAGE_TAIL.match(entry_text)
        if m:
            full = "".join(pending) + m.group("body")
            pending = []
            toc.append(_toc_entry(full, int(m.group("page")), section))
            last_entry_line = i
            continue
        pending.append(entry_text)
        if len(pending) > 3:
            break  # the body has begun
    return toc, last_entry_line


def _toc_entry(full: str, page: int, section: str | None) -> TocEntry:
    full = full.strip()
    doc_number = None
    matches = find_doc_numbers(full)
    if matches:
        last = matches[-1]
        tail = full[last.end :].strip("）) \t")
        head = full[: last.start].rstrip("（( \t")
        if not tail:
            doc_number = str(last.doc_number)
            full = head.strip()
    entry_section = section
    if full.startswith("【"):
        m = re.match(r"^【([^】]+)】", full)
        entry_section = m.group(1) if m else section
    elif CATALOG_TITLE.match(full):
        entry_section = "目录"
    return TocEntry(title=full, page=page, section=entry_section, doc_number=doc_number)
