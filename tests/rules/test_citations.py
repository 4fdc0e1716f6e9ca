"""Citation integrity: every clause id the pack cites exists in the parsed gazettes, and every
computable clause of the covered documents is implemented by a rule and tested by a YAML case."""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.corpus.parse import parse_file
from gazette.packs import load_pack
from gazette.rules.cases import load_cases
from gazette.rules.engine import get_engine

# The computable clauses of the documents this pack implements (issue 3). Clauses that are purely
# programmatic (e.g. 47号#十 national tax exemptions, 9号 procedures) are not listed.
COMPUTABLE = {
    "嘉政办发〔2022〕47号": ["#一", "#二", "#三", "#四", "#五", "#六", "#七", "#八", "#九", "#十一"],
    "嘉政办发〔2022〕46号": ["#一", "#二", "#三", "#四", "#五", "#六"],
    "嘉政办发〔2022〕10号": ["#四.（一）", "#四.（二）", "#四.（三）", "#四.（四）", "#四.（五）"],
    "嘉人社〔2022〕60号": ["#一", "#二", "#三"],
    "嘉公积金〔2022〕9号": ["#第三条", "#第八条", "#第八条.（一）", "#第八条.（二）", "#第八条.（三）", "#第十一条",
                       "#第十二条", "#第十三条", "#第十五条", "#第二十六条"],
    "嘉政发〔2022〕21号": ["#一.（二）"],
    "嘉政发〔2022〕17号": ["#一", "#二"],
}


@pytest.fixture(scope="module")
def clause_ids() -> set[str]:
    ids: set[str] = set()
    for path in load_pack().gazette_files():
        ids |= parse_file(path).all_clause_ids()
    return ids


@pytest.fixture(scope="module")
def engine():
    return get_engine()


def _cited(engine) -> dict[str, set[str]]:
    """clause id → where it is cited."""
    out: dict[str, set[str]] = {}

    def add(cid, where):
        out.setdefault(cid, set()).add(where)

    for r in engine.rules:
        add(r.clause, f"rule {r.id}")
        for ref in r.references:
            add(ref, f"rule {r.id}")
        # conditions may cite a finer clause
        for on in {r.valid_from, r.valid_to or r.valid_from + dt.timedelta(days=1)}:
            for comp in engine.compile(on)[r.entity]:
                if comp.rule is r and comp.builder:
                    for c in comp.conditions:
                        if c.reference:
                            add(c.reference, f"rule {r.id} condition {c.id}")
    for p in engine.params:
        for ref in p.references:
            add(ref, f"parameter {p.id}")
    for pol in engine.policies:
        for case in load_cases(pol.tests_path):
            add(str(case.get("clause")), f"test {pol.name}:{case.get('name')}")
    return out


def test_every_cited_clause_exists(engine, clause_ids):
    cited = _cited(engine)
    missing = {cid: sorted(where) for cid, where in cited.items() if cid not in clause_ids}
    assert not missing, f"cited clause ids not in the corpus: {missing}"


def test_every_parameter_cites_a_clause(engine):
    assert [p.id for p in engine.params if not p.references] == []


def test_every_case_names_a_clause(engine):
    for pol in engine.policies:
        for case in load_cases(pol.tests_path):
            assert case.get("clause"), (pol.name, case.get("name"))


def test_no_computable_clause_is_uncovered(engine, clause_ids):
    cited = _cited(engine)
    by_rules = {cid for cid, where in cited.items() if any(w.startswith("rule ") for w in where)}
    by_tests = {cid for cid, where in cited.items() if any(w.startswith("test ") for w in where)}
    uncovered, untested, absent = [], [], []
    for doc, paths in COMPUTABLE.items():
        for p in paths:
            cid = doc + p
            if cid not in clause_ids:
                absent.append(cid)
            if cid not in by_rules:
                uncovered.append(cid)
            if cid not in by_tests and not any(t.startswith(cid) for t in by_tests):
                untested.append(cid)
    assert not absent, f"computable clauses not found by the parser: {absent}"
    assert not uncovered, f"computable clauses no rule covers: {uncovered}"
    assert not untested, f"computable clauses no YAML case tests: {untested}"


def test_rule_ids_are_clause_ids(engine, clause_ids):
    for r in engine.rules:
        assert r.clause in clause_ids, r.id
        assert r.id == r.clause or r.id.startswith(r.clause + "/"), r.id
