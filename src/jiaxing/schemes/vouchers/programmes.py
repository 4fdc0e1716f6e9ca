"""The voucher programmes (消费券项目) and their district pools, read from the policy pack.

Everything numeric comes from the rules engine with its clause: the validity window from the
voucher rule, the reserve per voucher from the top tier of the voucher scale, each district's
budget from the ``…#一/district_budget`` rule (the "不少于" minimum the gazette text sets), the
city-wide total from ``voucher.total_budget``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from gazette.ledger.money import yuan_to_fen
from gazette.rules.engine import Engine, get_engine
from jiaxing.districts import DISTRICTS  # noqa: F401  (re-exported for the scheme modules)

BOOK = "vouchers"


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    document: str
    clause: str  # the voucher rule id
    entity: str  # the purchase entity of the rule
    plural: str
    tiers_param: str
    total_param: str
    budget_rule: str
    city_share_rule: str
    spent_fact: str
    facts: tuple[str, ...]  # purchase facts a redemption must give (besides price and date)


SPECS: dict[str, ProgrammeSpec] = {
    "nev": ProgrammeSpec(
        "nev", "新能源汽车消费券", "嘉政办发〔2022〕47号", "嘉政办发〔2022〕47号#一", "vehicle_purchase",
        "vehicle_purchases", "nev.voucher.tiers", "nev.voucher.total_budget",
        "嘉政办发〔2022〕47号#一/district_budget", "嘉政办发〔2022〕47号#十一", "nev_voucher_spent_yuan",
        ("new_energy",),
    ),
    "appliances": ProgrammeSpec(
        "appliances", "绿色智能家电消费券", "嘉政办发〔2022〕46号", "嘉政办发〔2022〕46号#一", "appliance_purchase",
        "appliance_purchases", "appliances.voucher.tiers", "appliances.voucher.total_budget",
        "嘉政办发〔2022〕46号#一/district_budget", "嘉政办发〔2022〕46号#六", "appliance_voucher_spent_yuan",
        ("category", "energy_label"),
    ),
}


@dataclass(frozen=True)
class ProgrammeFacts:
    spec: ProgrammeSpec
    window_start: dt.date
    window_end: dt.date
    max_face_fen: int
    total_budget_fen: int
    district_budgets_fen: dict[str, int]  # 0 where the text sets no minimum


def engine() -> Engine:
    return get_engine()


@lru_cache(maxsize=8)
def programme_facts(code: str) -> ProgrammeFacts:
    spec = SPECS[code]
    eng = engine()
    rule = eng.rules_by_id[spec.clause]
    start, end = rule.valid_from, rule.valid_to
    rows, _ = eng.params.get(spec.tiers_param).at(start)
    max_face = max(int(a) for _t, a in rows)
    total, _ = eng.params.get(spec.total_param).at(start)
    res = eng.calculate({"districts": {d: {"name": d} for d in DISTRICTS}}, start, explain=False,
                        rule_ids={spec.budget_rule})
    budgets = {r["entity"]: (yuan_to_fen(r["amount_yuan"]) if r["status"] == "eligible" else 0) for r in res["results"]}
    return ProgrammeFacts(spec, start, end, max_face, int(total), budgets)


def account_codes(programme: str, district: str) -> dict[str, str]:
    return {k: f"{k}:{programme}:{district}" for k in ("budget", "pool", "issued", "redeemed")}
