"""Every clause id the care half cites (code, templates, tests, docs) exists in the parsed gazette, and the
tests cite 一.（二）, 三.（二）.6, 三.（二）.7 and 三.（四）.12 of 嘉政发〔2022〕21号."""

from __future__ import annotations

import re
from pathlib import Path

from gazette.corpus.parse import parse_file

ROOT = Path(__file__).resolve().parents[4]
GAZETTE = ROOT / "src" / "jiaxing" / "data" / "gazettes" / "jiaxing-gazette-2022-10.txt"
LTC = ROOT / "src" / "jiaxing" / "schemes" / "ltc"
SRC = [*sorted((LTC / "care").glob("*.py")), *sorted(LTC.glob("care_*.py")),
       *sorted((ROOT / "src" / "jiaxing" / "web" / "templates" / "ltc" / "care").glob("*.html"))]
TESTS = sorted(Path(__file__).parent.glob("test_*.py"))
CITE = re.compile(r"嘉政发〔2022〕21号#([一二三四五六七八九十（）.0-9]+[）0-9一二三四五六七八九十])")


def _cited(files) -> set[str]:
    return {f"嘉政发〔2022〕21号#{m}" for p in files for m in CITE.findall(p.read_text(encoding="utf-8"))}


def test_every_cited_clause_exists_in_the_gazette():
    ids = parse_file(GAZETTE).all_clause_ids()
    cited = _cited(SRC + TESTS)
    assert cited and not (cited - ids), sorted(cited - ids)


def test_the_tests_cite_each_clause_of_the_care_half():
    assert {f"嘉政发〔2022〕21号#{c}" for c in ("一.（二）", "三.（二）.6", "三.（二）.7", "三.（四）.12")} <= _cited(TESTS)
