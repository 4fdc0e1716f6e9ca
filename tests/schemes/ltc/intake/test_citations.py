"""Every clause the intake half cites (code, parameters, templates, tests, docs) exists in the parsed gazette,
and the tests cite each clause of its scope: 嘉政发〔2022〕21号#一.（二）, #三.（一）.1, #三.（一）.2, #三.（三）.8,
#三.（三）.9, #三.（三）.10, #三.（四）.11 and the targets of #二."""

from __future__ import annotations

import re
from pathlib import Path

from gazette.corpus.parse import parse_file

ROOT = Path(__file__).resolve().parents[4]
GAZETTE = ROOT / "src" / "jiaxing" / "data" / "gazettes" / "jiaxing-gazette-2022-10.txt"
LTC = ROOT / "src" / "jiaxing" / "schemes" / "ltc"
SRC = sorted(LTC.glob("intake_*"))
TEMPLATES = sorted((ROOT / "src" / "jiaxing" / "web" / "templates" / "ltc" / "intake").glob("*.html"))
TESTS = sorted(Path(__file__).parent.glob("test_*.py"))
CLAUSE = re.compile(r"嘉政发〔2022〕21号#([一二三四五六七八九十（）.0-9]+)")
SCOPE = {"一.（二）", "三.（一）.1", "三.（一）.2", "三.（三）.8", "三.（三）.9", "三.（三）.10", "三.（四）.11", "二"}


def _cited(files) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in files:
        if path.exists():
            for path_id in CLAUSE.findall(path.read_text(encoding="utf-8")):
                out.setdefault(path_id.rstrip("."), set()).add(path.name)
    return out


def test_every_cited_clause_exists_in_the_gazette():
    ids = parse_file(GAZETTE).all_clause_ids()
    cited = _cited([*SRC, *TEMPLATES, *TESTS, ROOT / "docs" / "ltc.md"])
    missing = {c: sorted(w) for c, w in cited.items() if f"嘉政发〔2022〕21号#{c}" not in ids}
    assert not missing, missing
    assert SCOPE <= set(cited)


def test_tests_cite_each_clause_of_the_scope():
    assert SCOPE <= set(_cited(TESTS)), SCOPE - set(_cited(TESTS))
