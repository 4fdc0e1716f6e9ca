"""Every clause id the fund cites (code, tests, docs) exists in the parsed gazette."""

from __future__ import annotations

import re
from pathlib import Path

from gazette.corpus.parse import parse_file

ROOT = Path(__file__).resolve().parents[3]
GAZETTE = ROOT / "src" / "jiaxing" / "data" / "gazettes" / "jiaxing-gazette-2022-04.txt"
FILES = [*sorted((ROOT / "src" / "jiaxing" / "schemes" / "provident_fund").glob("*.py")),
         *sorted(Path(__file__).parent.glob("test_*.py")), ROOT / "docs" / "provident_fund.md"]
ARTICLE = r"第[一二三四五六七八九十]+条(?:\.（[一二三四五六七八九十]+）)?"


def _cited() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in FILES:
        src = path.read_text(encoding="utf-8")
        found = set(re.findall(rf'(?:clause\(|article=)"({ARTICLE})"', src))
        found |= set(re.findall(rf"嘉公积金〔2022〕9号#({ARTICLE})", src))
        for art in found:
            out.setdefault(f"嘉公积金〔2022〕9号#{art}", set()).add(path.name)
    return out


def test_every_cited_clause_exists_in_the_gazette():
    ids = parse_file(GAZETTE).all_clause_ids()
    cited = _cited()
    assert len(cited) >= 15  # the articles 3, 8, 10–18, 20, 26 and items
    missing = {cid: sorted(where) for cid, where in cited.items() if cid not in ids}
    assert not missing, missing
