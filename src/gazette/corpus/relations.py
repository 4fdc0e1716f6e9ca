"""Relations between documents, each with the sentence that states it.

* ``issues``     a notice 印发/转发 a text: 《嘉兴市促进新能源汽车消费若干政策》…现印发给你们
* ``interprets`` a 政策解读 explains a policy: 《嘉兴市促进绿色智能家电消费若干政策》政策解读
* ``repeals``    废止 / 同时废止 — also read from a title (关于废止嘉政办发〔2019〕38号文件的通知)
* ``cites``      《title》（文号）, nested 《…〈…〉…》, or a bare 文号 in running text
"""

from __future__ import annotations

import re

from gazette.corpus.docnumber import find_doc_numbers
from gazette.corpus.model import Document, Relation, RelationType, Warning_
from gazette.corpus.text import compact

_SENTENCE_SPLIT = re.compile(r"(?<=[。；！？])")
# 《title》 with nested 〈〉 or 《》 inside, optionally followed by （文号）.
_TITLED = re.compile(r"《((?:[^《》]|《[^《》]*》)+)》(?:（([^（）]*?(?:〔|\[|【)\d{4}(?:〕|\]|】)[^（）]*?号)）)?")
_LEGAL_SUFFIX = re.compile(
    r"(法|条例|办法|规定|意见|通知|决定|方案|政策|规划|纲要|细则|措施|目录|标准|规范|计划|条例（[^）]*）|（暂行）|（试行）|（[^）]*修订）|若干政策)$"
)
_SHORT_NAME = re.compile(r"以下简称《([^《》]+)》")


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]


def extract_relations(documents: list[Document], warnings: list[Warning_]) -> list[Relation]:
    relations: list[Relation] = []
    seen: set[tuple[str, str, str]] = set()
    issued_titles = {compact(d.issued_title): d for d in documents if d.issued_title}
    titles = {compact(d.title): d for d in documents}

    def add(rel: Relation) -> None:
        key = (rel.type, rel.source, rel.target)
        if key in seen or rel.source == rel.target and rel.type != RelationType.issues:
            return
        seen.add(key)
        relations.append(rel)

    for doc in documents:
        paragraphs = [p for p, _ in doc.paragraphs]
        notice = doc.notice_text
        # issues
        if doc.issued_title:
            verb = "转发" if "转发" in doc.title else "印发"
            evidence = next((s for p in notice for s in sentences(p) if verb in s), doc.title)
            add(Relation(RelationType.issues, doc.id, f"《{doc.issued_title}》", evidence, target_title=doc.issued_title))
        forwarded: set[str] = set()
        for p in notice + paragraphs:
            for s in sentences(p):
                if "转发" in s:
                    for m in _TITLED.finditer(s):
                        target = _target_of(m)
                        forwarded.add(target)
                        add(Relation(RelationType.issues, doc.id, target, s.strip(), target_title=_clean_title(m.group(1))))
        # interprets
        m = re.match(r"^《(.+)》政策解读$", doc.title)
        if m:
            target_doc = issued_titles.get(compact(m.group(1))) or titles.get(compact(m.group(1)))
            target = target_doc.id if target_doc else f"《{m.group(1)}》"
            if target_doc is None:
                warnings.append(Warning_("interpreted_not_found", f"{doc.id} interprets 《{m.group(1)}》, which this input does not print"))
            add(Relation(RelationType.interprets, doc.id, target, doc.title, target_title=m.group(1)))
        # repeals: from the title, then from every sentence saying 废止
        repealed: dict[str, Relation] = {}
        title_m = re.search(r"关于废止(.+?)(?:文件)?的(?:通知|决定)$", doc.title)
        if title_m:
            for dm in find_doc_numbers(title_m.group(1)):
                target = str(dm.doc_number)
                repealed[target] = Relation(RelationType.repeals, doc.id, target, doc.title)
        all_text = notice + paragraphs
        for p in all_text:
            for s in sentences(p):
                if "废止" not in s:
                    continue
                found = False
                for m in _TITLED.finditer(s):
                    target = _target_of(m)
                    found = True
                    if target in repealed:
                        repealed[target].evidence = s.strip()
                        repealed[target].target_title = repealed[target].target_title or _clean_title(m.group(1))
                    else:
                        repealed[target] = Relation(RelationType.repeals, doc.id, target, s.strip(), target_title=_clean_title(m.group(1)))
                if not found:
                    for dm in find_doc_numbers(s):
                        target = str(dm.doc_number)
                        repealed.setdefault(target, Relation(RelationType.repeals, doc.id, target, s.strip()))
        for rel in repealed.values():
            add(rel)
        # cites
        short_names = {m.group(1) for p in all_text for m in _SHORT_NAME.finditer(p)}
        for p in all_text:
            for s in sentences(p):
                spans: list[tuple[int, int]] = []
                for m in _TITLED.finditer(s):
                    spans.append((m.start(), m.end()))
                    title = m.group(1)
                    if title in short_names or compact(title) == compact(doc.issued_title or ""):
                        continue
                    if not m.group(2) and not _LEGAL_SUFFIX.search(_clean_title(title)):
                        continue  # 《人民日报》, a newspaper, is not a citation
                    target = _target_of(m)
                    if target in forwarded:
                        continue
                    if target in repealed:
                        if repealed[target].target_title and m.group(2) and _clean_title(title) != repealed[target].target_title:
                            warnings.append(
                                Warning_(
                                    "conflicting_title",
                                    f"{doc.id}: {target} is named both “{repealed[target].target_title}” and "
                                    f"“{_clean_title(title)}”; the repeal reads the former",
                                )
                            )
                        continue
                    add(Relation(RelationType.cites, doc.id, target, s.strip(), target_title=_clean_title(title)))
                for dm in find_doc_numbers(s):
                    if any(a <= dm.start < b for a, b in spans):
                        continue
                    target = str(dm.doc_number)
                    if target in repealed or target == doc.doc_number:
                        continue
                    add(Relation(RelationType.cites, doc.id, target, s.strip()))
    return relations


def _clean_title(title: str) -> str:
    return title.replace("〈", "《").replace("〉", "》")


def _target_of(m: re.Match[str]) -> str:
    if m.group(2):
        found = find_doc_numbers(m.group(2))
        if found:
            return str(found[0].doc_number)
    return f"《{_clean_title(m.group(1))}》"
