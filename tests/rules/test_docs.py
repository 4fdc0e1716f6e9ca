from __future__ import annotations

import re
from pathlib import Path

from gazette.rules.docs import variables_markdown
from gazette.rules.engine import get_engine

ROOT = Path(__file__).resolve().parents[2]


def test_variables_doc_is_in_sync():
    text = (ROOT / "docs" / "variables.md").read_text(encoding="utf-8")
    assert text == variables_markdown(get_engine()), "regenerate: python -m gazette.rules.docs > docs/variables.md"


def test_every_decision_cited_beside_a_parameter_is_in_decisions_md():
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")
    engine = get_engine()
    cited = set()
    for p in engine.params:
        cited |= set(re.findall(r"\bD\d+\b", str(p.metadata.get("decision", ""))))
    assert cited, "parameters should record their decisions"
    for d in sorted(cited):
        assert re.search(rf"\*\*{d}\b", decisions), d
