"""PDF input: the text layer, read with pypdf — never OCR. A PDF without a text layer (a scan) is
told plainly; pages without text are noted so the warning names them."""

from __future__ import annotations

import io

from gazette.errors import InvalidInput


def pdf_text(data: bytes) -> tuple[str, list[str]]:
    """The text of every page, pages separated by a blank line (a page break), and notes."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise InvalidInput("这是 PDF 文件：请先提取其文字层再导入", "this is a PDF: extract its text layer first",
                           field="file", code="pdf_input") from None
    try:
        reader = PdfReader(io.BytesIO(data))
        # Some producers map CJK glyphs to two-byte codes that come out NUL-padded: the NULs carry nothing.
        pages = [(page.extract_text() or "").replace("\x00", "") for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InvalidInput("无法读取此 PDF 文件（损坏或加密）", f"cannot read this PDF (damaged or encrypted): {exc}",
                           field="file", code="pdf_unreadable") from exc
    if not any(p.strip() for p in pages):
        raise InvalidInput("此 PDF 没有文字层（可能是扫描件），请先做文字识别（OCR）再导入",
                           "this PDF has no text layer (a scan?): run OCR on it first, then parse the text",
                           field="file", code="pdf_no_text_layer")
    notes = [f"PDF: text layer read from {len(pages)} pages (pypdf)"]
    empty = [str(i) for i, p in enumerate(pages, start=1) if not p.strip()]
    if empty:
        notes.append(f"PDF pages without a text layer (scanned?) were not read: {', '.join(empty)}")
    return "\n\n".join(pages), notes
