"""Golden file: the ``/calculate`` JSON (with explanation) of every YAML case of the pack, compared byte for
byte (key order included) — the typed engine renders exactly what the API, the CLI and the pages showed.

After an intended change of what a calculation says (a rule's wording, a parameter), review the diff and
refresh with ``pytest tests/rules/test_golden_calculate.py --update-golden`` (or GAZETTE_UPDATE_GOLDEN=1)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from gazette.rules.cases import _json_safe, load_cases
from gazette.rules.engine import get_engine

GOLDEN = Path(__file__).parent / "golden" / "calculate_cases.json"
E = get_engine()


def _actual() -> dict[str, object]:
    out: dict[str, object] = {}
    for p in E.policies:
        for i, c in enumerate(load_cases(p.tests_path)):
            on = c["on"] if isinstance(c["on"], dt.date) else dt.date.fromisoformat(str(c["on"]))
            rid = str(c.get("rule", c.get("clause", "")))
            try:
                res = E.calculate(_json_safe(c["input"]), on, _json_safe(c.get("overrides")), explain=True,
                                  rule_ids={rid})
            except Exception as exc:  # an expected-error case: its code is the answer
                res = {"error": getattr(exc, "code", type(exc).__name__)}
            out[f"{p.name}#{i} {c.get('name', '?')}"] = res
    return out


def test_every_case_renders_as_the_golden_file(update_golden):
    actual = json.loads(json.dumps(_actual(), ensure_ascii=False, default=str))
    if update_golden or not GOLDEN.exists():
        if not update_golden:
            pytest.fail(f"golden file {GOLDEN.name} is missing: run with --update-golden and review it")
        GOLDEN.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(actual) == list(expected), "the pack's cases changed: refresh the golden file and review it"
    for key, want in expected.items():
        # byte for byte, key order included
        assert json.dumps(actual[key], ensure_ascii=False) == json.dumps(want, ensure_ascii=False), key
