"""Every clause id the budget scheme cites (code, templates, tests, docs) exists in the parsed gazette."""

from __future__ import annotations

import re
from pathlib import Path

from gazette.corpus.parse import parse_file
from jiaxing.schemes.budget import params

ROOT = Path(__file__).resolve().parents[3]
GAZETTE = ROOT / "src" / "jiaxing" / "data" / "gazettes" / "jiaxing-gazette-2022-04.txt"
FILES = [*sorted((ROOT / "src" / "jiaxing" / "schemes" / "budget").glob("*.py")),
         *sorted((ROOT / "src" / "jiaxing" / "web" / "templates").glob("budget_*.html")),
         *sorted(Path(__file__).parent.glob("test_*.py")), ROOT / "docs" / "budget.md"]
PATH = r"[一二三四五六七](?:\.（[一二三四五六七八九十]+）)?(?:\.\d+)?(?:\.（\d+）)?"


def _cited() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in FILES:
        if not path.exists():
            continue
        src = path.read_text(encoding="utf-8")
        found = set(re.findall(rf"嘉政发〔2022〕5号#({PATH})", src)) | set(re.findall(rf'clause\("({PATH})"\)', src))
        for p in found:
            out.setdefault(f"{params.DOC}#{p}", set()).add(path.name)
    return out


def test_every_cited_clause_exists_in_the_gazette():
    ids = parse_file(GAZETTE).all_clause_ids()
    cited = _cited()
    assert len(cited) >= 25
    missing = {cid: sorted(where) for cid, where in cited.items() if cid not in ids}
    assert not missing, missing


def test_every_parameter_clause_exists():
    ids = parse_file(GAZETTE).all_clause_ids()
    refs = [v for k, v in vars(params).items() if k.startswith("CLAUSE_")]
    refs += [s[6] for s in params.PREPARATION_STEPS] + [c[0] for c in params.CONDITIONS.values()] + [k[0] for k in params.KINDS.values()]
    assert refs and all(r in ids for r in refs), [r for r in refs if r not in ids]
