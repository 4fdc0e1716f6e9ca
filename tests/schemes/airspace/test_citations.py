"""Every clause id the airspace scheme cites (notice files, errors, tests) exists in the parsed gazettes."""

from __future__ import annotations

import re
from pathlib import Path

from gazette.corpus.parse import parse_file
from gazette.packs import load_pack
from jiaxing.schemes.airspace.notices import SHIPPED, all_notices
from tests.schemes.airspace.helpers import C1, C2, C3, C4

SRC = Path(__file__).resolve().parents[3] / "src" / "jiaxing" / "schemes" / "airspace"
CLAUSE = re.compile(r"嘉政发〔2022〕17号#[一二三四五六七八九十]+")


def test_every_cited_clause_resolves():
    ids: set[str] = set()
    for path in load_pack().gazette_files():
        ids |= parse_file(path).all_clause_ids()
    cited = {C1, C2, C3, C4}
    for n in all_notices().values():
        cited |= set(n.clauses.values())
    for f in [*SRC.rglob("*.py"), *SHIPPED.glob("*.yaml"), *Path(__file__).parent.glob("*.py")]:
        cited |= set(CLAUSE.findall(f.read_text(encoding="utf-8")))
    assert {C1, C2, C3, C4} <= cited
    assert not sorted(c for c in cited if c not in ids)
    assert all_notices()["嘉政发〔2022〕17号"].clauses == {"objects": C1, "ban": C2, "registry": C3, "penalties": C4}
