"""Golden files: the whole parse of each shipped issue, compared field by field.

After an intended parser change, review the diff and refresh with
``pytest tests/corpus/test_golden.py --update-golden`` (or GAZETTE_UPDATE_GOLDEN=1)."""

import json
from pathlib import Path

import pytest

from gazette.corpus.parse import parse_file
from tests.conftest import GAZETTES

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", ["jiaxing-gazette-2022-04", "jiaxing-gazette-2022-10"])
def test_parse_matches_golden(name, update_golden):
    actual = parse_file(GAZETTES / f"{name}.txt").to_dict()
    golden = GOLDEN / f"{name}.json"
    if update_golden or not golden.exists():
        if not update_golden:
            pytest.fail(f"golden file {golden.name} is missing: run with --update-golden and review it")
        golden.write_text(json.dumps(actual, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    expected = json.loads(golden.read_text(encoding="utf-8"))
    actual = json.loads(json.dumps(actual, ensure_ascii=False))
    for key in ("issue", "toc", "relations", "personnel", "catalog", "tasks", "warnings"):
        assert actual[key] == expected[key], f"{name}: '{key}' differs from the golden file"
    assert [d["id"] for d in actual["documents"]] == [d["id"] for d in expected["documents"]]
    for got, want in zip(actual["documents"], expected["documents"], strict=True):
        assert got == want, f"{name}: document {got['id']} differs from the golden file"
