"""Issue #11: an error is given a kind and a code, never an HTTP status — problems.py alone knows HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import gazette
import gazette.errors
import jiaxing

# The base and its kinds, by the names a call spells (a scheme's subclasses take no status either:
# their constructors end in the kinds').
ERROR_NAMES = {name for name, value in vars(gazette.errors).items()
               if isinstance(value, type) and issubclass(value, gazette.errors.GazetteError)}
SOURCES = [path for package in (gazette, jiaxing) for path in Path(package.__file__).parent.rglob("*.py")]


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def test_no_source_passes_an_http_status_to_an_error():
    offenders = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called_name(node) in ERROR_NAMES \
                    and any(keyword.arg == "status" for keyword in node.keywords):
                offenders.append(f"{path}:{node.lineno}")
    assert not offenders, offenders


@pytest.mark.parametrize("build", [
    lambda: gazette.errors.GazetteError("bad_rule", "坏", "bad", status=500),
    lambda: gazette.errors.Misconfigured("坏", "bad", code="bad_rule", status=500),
])
def test_an_http_status_is_refused_by_the_constructor(build):
    with pytest.raises(TypeError):
        build()


def test_an_error_does_not_know_its_http_status():
    error = gazette.errors.Conflict("已办", "done", code="month_paid")
    assert not hasattr(error, "status") and not hasattr(error, "problem")
