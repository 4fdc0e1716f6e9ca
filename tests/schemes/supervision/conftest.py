"""Fixtures for the supervision tests: a blank database holding the register of the shipped gazettes."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest

import jiaxing.schemes.supervision  # noqa: F401  (registers the tables, so clean_db empties them)
from gazette.store.db import unit_of_work
from jiaxing.schemes.supervision import register, service

TASK = "嘉政办发〔2022〕11号#三.（二）.7@1"  # 新增2个万吨级泊位 … (责任单位：嘉兴海关、市交通运输局、…)
UNIT = "嘉兴海关"
OTHER_UNIT = "市医保局"


@lru_cache(maxsize=1)
def entries() -> tuple:
    return tuple(register.from_pack())


@pytest.fixture()
def reg(clean_db):
    """The register synced from the shipped gazettes (entries parsed once per session)."""
    service.sync(key="sync-1", actor="officer", entries=entries())
    return unit_of_work


def project(pid: str, **kw) -> dict:
    base = {"id": pid, "name": f"项目{pid}", "category": "现代产业", "level": "city", "district": "南湖区",
            "owner_unit": "南湖区发展改革局", "total_wan": 100000, "annual_plan_wan": 40000,
            "planned_start": "2022-03-01", "is_new": True, "library": "reserve", "on": dt.date(2022, 1, 1)}
    base.update(kw)
    return base


class Lazy(dict):
    """Clients or headers made on first use (creating a user hashes a password: not free)."""

    def __init__(self, makers: dict):
        super().__init__()
        self._makers = makers

    def __missing__(self, key):
        self[key] = value = self._makers[key]()
        return value
