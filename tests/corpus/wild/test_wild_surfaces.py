"""What the parser could not read is shown, not hidden: in `gazette parse` / `ingest`, in the API's
document and on the document page; `ingest` goes on past a file it cannot read at all."""

import urllib.parse
from pathlib import Path

from typer.testing import CliRunner

from gazette.cli import app

DOCS = Path(__file__).parent / "docs"
LEAD_IN = DOCS / "21-news-lead-in.txt"
runner = CliRunner()


def test_parse_prints_warnings_with_their_line():
    r = runner.invoke(app, ["parse", str(LEAD_IN)])
    assert r.exit_code == 0
    assert "warning text_before_document: line 1:" in r.output


def test_ingest_shows_warnings_and_skips_what_it_cannot_read(clean_db, tmp_path):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj")  # damaged
    r = runner.invoke(app, ["ingest", str(pdf), str(LEAD_IN)])
    assert r.exit_code == 0, r.output
    assert "skipped  scan.pdf" in r.output and "pdf_unreadable" in r.output
    assert "created  21-news-lead-in.txt: 1 documents" in r.output
    assert "warning text_before_document: line 1" in r.output


def test_api_and_page_show_the_warnings(corpus_client):
    from gazette.corpus import service
    from gazette.store.db import unit_of_work

    with unit_of_work() as session:
        service.ingest_file(session, LEAD_IN)
    ident = urllib.parse.quote("嘉政办发〔2020〕30号")
    data = corpus_client.get(f"/api/v1/documents/{ident}").json()
    assert [w["code"] for w in data["parse_warnings"]] == ["text_before_document"]
    page = corpus_client.get(f"/documents/{ident}").text
    assert 'data-testid="parse-warnings"' in page and "text_before_document" in page
    seed = corpus_client.get(f"/api/v1/documents/{urllib.parse.quote('嘉政办发〔2022〕47号')}").json()
    assert seed["parse_warnings"] == []
