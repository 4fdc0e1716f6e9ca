"""The CLI contract (later checks rely on these commands and JSON shapes) and its errors."""

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from gazette.cli import app
from gazette.corpus import service
from gazette.store.db import unit_of_work
from tests.conftest import GAZETTES

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(db_url):
    from gazette.store.db import get_engine
    from gazette.store.models import Base

    with get_engine(db_url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    for path in sorted(GAZETTES.glob("*.txt")):
        with unit_of_work() as session:
            service.ingest_file(session, path)
    return db_url


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_parse_json_contract():
    data = _json(["parse", str(GAZETTES / "jiaxing-gazette-2022-10.txt"), "--json"])
    assert set(data) >= {"issue", "toc", "documents", "relations", "personnel", "catalog", "tasks", "warnings"}
    assert {k: data["issue"][k] for k in ("year", "number", "cumulative_number", "published")} == {
        "year": 2022, "number": 10, "cumulative_number": 232, "published": "2022-10-25"}
    assert set(data["toc"][0]) >= {"title", "page", "found"}
    doc = data["documents"][0]
    assert set(doc) >= {"id", "doc_number", "title", "category", "issuer", "signed", "effective_from", "effective_until", "clauses"}
    assert set(data["relations"][0]) >= {"type", "source", "target", "evidence"}
    assert set(data["personnel"][0]) >= {"action", "person", "positions"}
    assert set(data["catalog"][0]) >= {"doc_number", "title", "printed"}


def test_show_status_relations_personnel(corpus):
    shown = _json(["show", "嘉政办发[2022]47号", "--json"])
    assert shown["id"] == "嘉政办发〔2022〕47号"
    clause = _json(["show", "嘉政办发〔2022〕47号#一", "--json"])
    assert clause["kind"] == "clause"
    status = _json(["status", "嘉政办发〔2022〕47号#一", "--on", "2023-06-01", "--json"])
    assert {k: status[k] for k in ("id", "on", "status")} == {"id": "嘉政办发〔2022〕47号#一", "on": "2023-06-01", "status": "expired"}
    assert status["because"]
    relations = _json(["relations", "嘉政办发〔2019〕38号", "--json"])
    assert relations["incoming"][0]["source"] == "嘉政办发〔2022〕45号"
    people = _json(["personnel", "--json"])
    assert {p["person"] for p in people} >= {"郑新娣", "闻人庆", "史高翔"}


def test_search_contract_and_ranking(corpus):
    data = _json(["search", "消费券", "--json"])
    top4 = {h["id"] for h in data["hits"][:4]}
    assert top4 == {"嘉政办发〔2022〕46号", "嘉政办发〔2022〕47号", "2022-10:嘉兴市促进绿色智能家电消费若干政策政策解读",
                    "2022-10:嘉兴市促进新能源汽车消费若干政策政策解读"}
    assert set(data["hits"][0]) >= {"id", "doc_number", "title", "score", "snippet"}
    assert "<mark>" in data["hits"][0]["snippet"]
    assert _json(["search", "嘉政办发[2022]47号", "--json"])["hits"][0]["id"] == "嘉政办发〔2022〕47号"
    assert _json(["search", "长护", "--json"])["hits"][0]["id"] == "嘉政发〔2022〕21号"
    assert "嘉政办发〔2022〕47号" in [h["id"] for h in _json(["search", "车展", "--json"])["hits"][:2]]
    facets = _json(["search", "消费券", "--on", "2022-10-01", "--json"])["facets"]
    assert facets["status"] == {"in_force": 4}
    assert facets["category"] == {"市政府办公室文件": 2, "政策解读": 2}


def test_export_akn_and_json(corpus, tmp_path):
    result = runner.invoke(app, ["export", "嘉政办发〔2022〕47号", "--format", "akn"])
    assert result.exit_code == 0
    assert "<akomaNtoso" in result.stdout and "FRBRthis" in result.stdout
    out = tmp_path / "doc.json"
    assert runner.invoke(app, ["export", "嘉政办发〔2022〕47号", "--format", "json", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["doc_number"] == "嘉政办发〔2022〕47号"


def _run(args, db_url, data=None):
    env = dict(os.environ, GAZETTE_DATABASE_URL=db_url)
    return subprocess.run([sys.executable, "-m", "gazette.cli", *args], capture_output=True, text=True, env=env, input=data, timeout=120)


@pytest.mark.parametrize(
    "args,code",
    [
        (["show", "嘉政办发〔2099〕1号", "--json"], 1),
        (["status", "嘉政办发〔2022〕47号", "--on", "2023-13-45"], 1),
        (["parse", "/nonexistent/file.txt", "--json"], 1),
        (["export", "嘉政办发〔2022〕47号", "--format", "pdf"], 1),
    ],
)
def test_errors_are_one_clear_line_without_traceback(corpus, args, code):
    proc = _run(args, corpus)
    assert proc.returncode == code
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip().count("\n") == 0 and "error" in proc.stderr


def test_bad_files_never_crash(corpus, tmp_path):
    binary = tmp_path / "image.bin"
    binary.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes((GAZETTES / "jiaxing-gazette-2022-10.txt").read_text(encoding="utf-8").encode("gb18030"))
    for path, ok in ((binary, False), (empty, False), (gbk, True)):
        proc = _run(["parse", str(path), "--json"], corpus)
        assert "Traceback" not in proc.stderr
        assert (proc.returncode == 0) is ok, proc.stderr
    parsed = json.loads(_run(["parse", str(gbk), "--json"], corpus).stdout)
    assert parsed["issue"]["cumulative_number"] == 232


def test_search_prints_no_markup_nor_scores_and_suggests(corpus):
    r = runner.invoke(app, ["search", "消费券", "--limit", "3"])
    assert r.exit_code == 0, r.output
    assert "<mark>" not in r.output and "</mark>" not in r.output and "&lt;" not in r.output
    assert "嘉政办发〔2022〕47号" in r.output
    assert not any(line.split(" ")[0].replace(".", "").isdigit() for line in r.output.splitlines() if line.strip())
    miss = runner.invoke(app, ["search", "嘉政办发〔2022〕74号"])
    assert miss.exit_code == 0 and "did you mean: 嘉政办发〔2022〕47号" in miss.output
    short = _json(["search", "47号", "--json"])
    assert short["hits"][0]["id"] == "嘉政办发〔2022〕47号"


def test_parse_table_fits_80_columns_and_cuts_nothing():
    from rich.cells import cell_len

    r = runner.invoke(app, ["parse", str(GAZETTES / "jiaxing-gazette-2022-10.txt")], terminal_width=80)
    assert r.exit_code == 0, r.output
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= 80
    assert "…" not in r.stdout and "嘉政办发〔2022〕47号" in r.stdout
