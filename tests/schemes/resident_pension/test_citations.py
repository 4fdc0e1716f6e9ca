"""Every clause id the resident pension cites (code, templates, tests, docs) exists in the parsed gazette,
and the tests cite 一, 二 and 三 of 嘉人社〔2022〕60号."""

from __future__ import annotations

import re
from pathlib import Path

from gazette.corpus.parse import parse_file

ROOT = Path(__file__).resolve().parents[3]
GAZETTE = ROOT / "src" / "jiaxing" / "data" / "gazettes" / "jiaxing-gazette-2022-10.txt"
SRC = sorted((ROOT / "src" / "jiaxing" / "schemes" / "resident_pension").glob("*.py"))
TESTS = sorted(Path(__file__).parent.glob("test_*.py"))
FILES = [*SRC, *TESTS, *sorted((ROOT / "src" / "jiaxing" / "web" / "templates").glob("pension_*.html")),
         ROOT / "docs" / "resident_pension.md"]
ITEM = r"[一二三四五六七八九十]+"


def _cited(files) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in files:
        if not path.exists():
            continue
        src = path.read_text(encoding="utf-8")
        found = set(re.findall(rf'(?:clause\(|clause_path=)"({ITEM})"', src))
        found |= set(re.findall(rf"嘉人社〔2022〕60号#({ITEM})", src))
        for item in found:
            out.setdefault(f"嘉人社〔2022〕60号#{item}", set()).add(path.name)
    return out


def test_every_cited_clause_exists_in_the_gazette():
    ids = parse_file(GAZETTE).all_clause_ids()
    cited = _cited(FILES)
    missing = {cid: sorted(where) for cid, where in cited.items() if cid not in ids}
    assert not missing, missing
    assert set(cited) == {f"嘉人社〔2022〕60号#{i}" for i in "一二三"}


def test_tests_cite_one_two_three():
    assert set(_cited(TESTS)) >= {f"嘉人社〔2022〕60号#{i}" for i in "一二三"}
