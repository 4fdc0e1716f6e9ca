"""What the parser's warning codes mean, in words officials read (Chinese first, English beside).

The parser's own messages are terse English for developers; pages for officials show these
labels and keep the code and the raw message in a details element for support staff.
"""

from __future__ import annotations

PARSER_NOTES: dict[str, tuple[str, str]] = {
    "catalog_title_differs": ("目录中的标题与正文标题不一致", "a title in the catalogue differs from the body"),
    "conflicting_title": ("同一文件出现了两个不同的标题", "the same document carries two different titles"),
    "duplicate_clause": ("条款编号重复，已自动区分", "a clause number repeats; the copies were numbered apart"),
    "duplicate_document": ("同一文件刊登了两次，只保留第一次", "a document is printed twice; the first copy is kept"),
    "empty_catalog": ("目录栏目没有条目", "a catalogue section has no entries"),
    "incomplete_cover": ("封面缺少年份或期号", "the cover lacks the year or the issue number"),
    "interpreted_not_found": ("所解读的文件未在本期刊登", "the interpreted document is not printed in this input"),
    "missing_title": ("文件缺少标题", "a document has no title"),
    "no_documents": ("没有找到公报文件（既无文号也无标题）", "no document found (no 文号, no title)"),
    "no_publication_date": ("未找到出版日期", "the publication date was not found"),
    "no_sponsor_block": ("封底的主办信息缺失", "the back-cover sponsor block is missing"),
    "pdf_page_without_text": ("PDF 某页没有文字层", "a PDF page has no text layer"),
    "personnel_unparsed": ("有一条任免信息无法识别", "a personnel line was not understood"),
    "scrambled_text": ("正文中有一段文字顺序错乱", "a passage of the text is scrambled"),
    "text_before_document": ("正文开始前有一段不属于文件的文字", "text before the document's title was set aside"),
    "toc_entry_not_found": ("目录条目在正文中未找到", "a contents entry was not found in the body"),
    "toc_title_differs": ("目录标题与正文标题不一致", "a contents title differs from the body"),
    "unassigned_text": ("第一篇文件之前有未归属的文字", "text before the first document was not assigned"),
    "undecodable_bytes": ("有无法识别的字符，已替换", "undecodable bytes were replaced"),
    "window_unassigned": ("有效期条款未能对应到具体条款", "a validity term could not be tied to a clause"),
}


def describe(code: str) -> tuple[str, str]:
    """``(中文, English)`` for a parser warning code; an unknown code gets a generic label."""
    return PARSER_NOTES.get(code, ("解析提示", "parser note"))
