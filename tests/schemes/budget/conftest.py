"""Fixtures for the budget tests: a blank database, and a budget year imported through the command."""

from __future__ import annotations

import datetime as dt

import pytest

import jiaxing.schemes.budget  # noqa: F401  (registers the tables, so clean_db empties them, and the handlers)
from gazette.schemes.handler import execute
from jiaxing.schemes.budget import commands

YEAR = 2023
EDU, HEALTH = "市教育局", "市卫生健康委"


def rows(**over) -> list[dict]:
    """A small, compliant year: expenditure 100,000,000.00 (lines 98,000,000 + reserve 2,000,000 = 2%)."""
    base = [
        {"section": "revenue", "item": "税收收入", "amount_yuan": "90000000"},
        {"section": "stabilisation_fund", "amount_yuan": "10000000"},
        {"section": "expenditure", "department": EDU, "function_class": "教育支出", "amount_yuan": "60000000"},
        {"section": "expenditure", "department": HEALTH, "function_class": "卫生健康支出", "amount_yuan": "38000000"},
        {"section": "unit", "department": EDU, "item": "嘉兴市第一中学", "amount_yuan": ""},
        {"section": "unit", "department": HEALTH, "item": "嘉兴市第一医院", "amount_yuan": ""},
        {"section": "reserve_fund", "amount_yuan": "2000000"},
        {"section": "turnover_fund", "amount_yuan": "500000", "approval": "市政府 2023-01-05 批准"},
        {"section": "debt", "item": "general", "amount_yuan": "800000000", "limit_yuan": "900000000"},
        {"section": "debt", "item": "special", "amount_yuan": "1200000000", "limit_yuan": "1200000000"},
        {"section": "transfer", "district": "南湖区", "item": "general", "expected_yuan": "1000000",
         "amount_yuan": "900000", "on_actuals": "否"},
        {"section": "transfer", "district": "秀洲区", "item": "special", "expected_yuan": "1000000",
         "amount_yuan": "700000", "on_actuals": "否"},
    ]
    return base


def import_year(year: int = YEAR, data: list[dict] | None = None, key: str = "imp-1", actor: str = "fin"):
    return execute(commands.ImportBudget(idempotency_key=key, actor=actor, year=year, rows=tuple(data or rows())))


@pytest.fixture()
def year(clean_db):
    import_year()
    return YEAR


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)
