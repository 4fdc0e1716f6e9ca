"""The thresholds and goals of the “551” plan, read once from
src/jiaxing/policies/major_projects/parameters.yaml (each citing its clause of 嘉政办发〔2022〕9号)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from gazette.rules.parameters import load_parameter_file

FILE = Path(__file__).resolve().parents[2] / "policies" / "major_projects" / "parameters.yaml"


@lru_cache(maxsize=1)
def _all() -> dict[str, Any]:
    return load_parameter_file(FILE, "major_projects")


def value(name: str, on: dt.date) -> Any:
    """``value("lights.red_below", on)`` → Decimal('0.70')."""
    return _all()[f"major_projects.{name}"].at(on)[0]


def reference(name: str) -> str:
    return _all()[f"major_projects.{name}"].references[0]


def all_parameters() -> dict[str, Any]:
    return dict(_all())
