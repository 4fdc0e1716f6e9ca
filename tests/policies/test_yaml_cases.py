"""Every policy folder's tests.yaml, one pytest case per YAML case."""

from __future__ import annotations

import pytest

from gazette.rules.cases import load_cases, run_case
from gazette.rules.engine import get_engine

ENGINE = get_engine()
CASES = [(p.name, c) for p in ENGINE.policies for c in load_cases(p.tests_path)]


def test_every_policy_has_cases():
    for p in ENGINE.policies:
        assert p.tests_path.exists(), p.name
        assert load_cases(p.tests_path), p.name


@pytest.mark.parametrize(("policy", "case"), CASES, ids=[f"{p}:{c['name']}" for p, c in CASES])
def test_yaml_case(policy, case):
    res = run_case(ENGINE, policy, case)
    assert res.ok, res.message


def test_a_wrong_expectation_fails():
    policy, case = CASES[0]
    broken = dict(case)
    ent = next(iter(case["expect"]))
    broken["expect"] = {ent: "123456.78"}
    assert not run_case(ENGINE, policy, broken).ok
