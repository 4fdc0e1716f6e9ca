"""YAML test cases per policy folder (``tests.yaml``), run by ``gazette test`` and by pytest.

A case::

    - name: 25万元新能源汽车得 6000 元
      on: 2022-10-08                      # calculation date
      clause: 嘉政办发〔2022〕47号#一       # the clause it tests (a corpus clause id)
      rule: 嘉政办发〔2022〕47号#一         # optional; defaults to the clause
      input: {vehicle_purchases: {c1: {price_yuan: 250000, new_energy: true, date: 2022-10-08}}}
      overrides: {nev.voucher.tiers: [...]} # optional what-if
      expect:
        c1: {status: eligible, amount_yuan: "6000.00"}   # or "6000.00" (eligible) or ineligible / unknown
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gazette.errors import GazetteError, Misconfigured
from gazette.rules.engine import Engine, Status
from gazette.rules.parameters import load_yaml


@dataclass
class CaseResult:
    policy: str
    name: str
    rule: str
    clause: str
    ok: bool
    message: str = ""


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_safe(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    return obj


def load_cases(path: Path) -> list[dict]:
    data = load_yaml(path) or []
    if not isinstance(data, list):
        raise Misconfigured(f"测试文件格式错误：{path}", f"{path} must hold a list of cases", code="bad_tests_file")
    return data


def _expected(spec: Any) -> dict[str, Any]:
    if isinstance(spec, str) and spec in Status.__members__.values():
        return {"status": spec}
    if isinstance(spec, (str, int, float)):
        return {"status": Status.ELIGIBLE.value, "amount_yuan": f"{spec}"}
    if isinstance(spec, dict):
        return dict(spec)
    raise ValueError(f"bad expectation {spec!r}")


def run_case(engine: Engine, policy: str, case: dict) -> CaseResult:
    name = str(case.get("name", "?"))
    clause = str(case.get("clause", ""))
    rid = str(case.get("rule", clause))
    try:
        on = case["on"] if isinstance(case["on"], dt.date) else dt.date.fromisoformat(str(case["on"]))
        res = engine.calculate(_json_safe(case["input"]), on, _json_safe(case.get("overrides")), explain=False,
                               rule_ids={rid})
    except GazetteError as exc:
        if case.get("error") and exc.code == case["error"]:
            return CaseResult(policy, name, rid, clause, True)
        return CaseResult(policy, name, rid, clause, False, f"error: {exc}")
    except Exception as exc:  # a broken case must fail, not crash the run
        return CaseResult(policy, name, rid, clause, False, f"{type(exc).__name__}: {exc}")
    if case.get("error"):
        return CaseResult(policy, name, rid, clause, False, f"expected error {case['error']}, got a result")
    got = {r["entity"]: r for r in res["results"] if r["rule"] == rid}
    problems = []
    for ent, spec in (case.get("expect") or {}).items():
        want = _expected(spec)
        r = got.get(str(ent))
        if r is None:
            problems.append(f"{ent}: no result for {rid}")
            continue
        for key, value in want.items():
            have = r.get(key)
            if key == "amount_yuan" and value is not None:
                from decimal import Decimal

                same = have is not None and Decimal(str(have)) == Decimal(str(value))
            else:
                same = have == value
            if not same:
                problems.append(f"{ent}.{key}: expected {value!r}, got {have!r}")
    return CaseResult(policy, name, rid, clause, not problems, "; ".join(problems))


def run_policy(engine: Engine, policy) -> list[CaseResult]:
    if not policy.tests_path.exists():
        return [CaseResult(policy.name, "(tests.yaml)", "", "", False, "missing tests.yaml")]
    return [run_case(engine, policy.name, c) for c in load_cases(policy.tests_path)]


def run_all(engine: Engine) -> list[CaseResult]:
    out: list[CaseResult] = []
    for p in engine.policies:
        out.extend(run_policy(engine, p))
    return out
