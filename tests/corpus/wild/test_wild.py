"""Texts from the wild (#18): documents written for this test set in the shapes real portal pages,
PDF extractions and old scans take — single documents without their issue, 文号 below, above or
only in a portal's metadata, issuers beyond the city, Chinese-numeral dates, PDF damage, flattened
text, table residue, nested citations, repeals and forwards, documents without 文号, a news lead-in,
a leading-group list — in UTF-8 (with and without BOM), GB18030 and UTF-16.

``expected.json`` holds, per file, the 文号 (id), title, issuer, dates, validity, clause paths,
relations, members and warning codes. Each expectation was read off the text by hand; after an
intended parser change refresh with ``--update-golden`` and review the diff line by line.
"""

import json
from pathlib import Path

import pytest

from gazette.corpus.parse import parse_bytes

HERE = Path(__file__).parent
DOCS = sorted((HERE / "docs").glob("*.txt"))
EXPECTED = HERE / "expected.json"


def summary(path: Path) -> dict:
    result = parse_bytes(path.read_bytes(), filename=path.name)
    doc = result.documents[0] if result.documents else None
    out: dict = {"documents": len(result.documents)}
    if doc is not None:
        out |= {
            "id": doc.id, "doc_number": doc.doc_number, "title": doc.title, "issuer": doc.issuer,
            "signed": doc.signed and doc.signed.isoformat(),
            "effective_from": doc.effective_from and doc.effective_from.isoformat(),
            "effective_until": doc.effective_until and doc.effective_until.isoformat(),
            "clauses": [c.path for c in doc.iter_clauses()],
        }
    out["relations"] = [[r.type, r.target] + ([r.effective.isoformat()] if r.effective else []) for r in result.relations]
    out["members"] = [[p.person, p.positions[0], p.note] for p in result.personnel]
    out["warnings"] = sorted({w.code for w in result.warnings})
    return out


def test_the_set_is_big_enough():
    assert len(DOCS) >= 30


@pytest.mark.parametrize("path", DOCS, ids=[p.stem for p in DOCS])
def test_wild_document(path, update_golden):
    actual = summary(path)
    expected = json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}
    if update_golden:
        expected[path.name] = actual
        EXPECTED.write_text(json.dumps(dict(sorted(expected.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    assert path.name in expected, f"{path.name}: no expectation yet — run with --update-golden and review it"
    assert actual == expected[path.name]


def test_encodings_are_detected():
    notes = {p.name: parse_bytes(p.read_bytes()).source_notes for p in DOCS}
    assert any("GB18030" in n for n in notes["24-gb18030-encoded.txt"])
    assert (HERE / "docs" / "33-tongxiang-ren-she-utf16.txt").read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    assert (HERE / "docs" / "34-utf8-bom-yuyi-tail.txt").read_bytes()[:3] == b"\xef\xbb\xbf"


def test_utf16_without_bom_and_stray_bytes_are_read():
    text = (HERE / "docs" / "07-lenticular-brackets.txt").read_text(encoding="utf-8")
    for enc in ("utf-16-le", "utf-16-be"):
        assert parse_bytes(text.encode(enc)).documents[0].doc_number == "嘉政发〔2018〕12号"
    damaged = text.encode("utf-8").replace("各县".encode(), b"\xff\xfe\xfd", 1)
    result = parse_bytes(damaged)
    assert result.documents[0].doc_number == "嘉政发〔2018〕12号"
    assert [w.message for w in result.warnings if w.code == "undecodable_bytes"] == ["undecodable bytes replaced with � on lines 3"]


CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


def _pdf(lines: list[str], blank_pages: int = 0) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=str(CJK_FONT), collection_font_number=2)
    pdf.set_font("cjk", size=12)
    if lines:
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    for _ in range(blank_pages):
        pdf.add_page()
    return bytes(pdf.output())


@pytest.mark.skipif(not CJK_FONT.exists(), reason="needs a CJK font to write the test PDF")
def test_pdf_text_layer_is_read_and_a_scan_is_told_plainly():
    from gazette.errors import InvalidInput

    text = (HERE / "docs" / "08-number-broken-over-lines.txt").read_text(encoding="utf-8")
    result = parse_bytes(_pdf([ln for ln in text.splitlines() if ln.strip()], blank_pages=1))
    doc = result.documents[0]
    assert (doc.doc_number, doc.signed.isoformat()) == ("善政办发〔2022〕3号", "2022-01-10")
    assert [w.message for w in result.warnings if w.code == "pdf_page_without_text"] == [
        "PDF pages without a text layer (scanned?) were not read: 2"]
    with pytest.raises(InvalidInput) as err:
        parse_bytes(_pdf([], blank_pages=2))
    assert err.value.code == "pdf_no_text_layer"
    with pytest.raises(InvalidInput) as err:
        parse_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    assert err.value.code == "pdf_unreadable"
