"""Conditions several rules of the pack share — each written once, with its text and its clause.

A rule checks one with ``r.check(NEV_SALES_COMPANY)``. A predicate without a ``reference`` is cited by
the clause of the rule that checks it (the same words stand in each clause that uses them). Numbers in
the text are placeholders filled from the parameters in force (``{interest.max_rate}`` reads the
checking rule's own policy's parameter).
"""

from __future__ import annotations

import polars as pl

from gazette.rules import greatest, lit_int
from gazette.rules.predicates import (
    SharedNote,
    choice_predicate,
    fact_predicate,
    predicate,
    threshold_predicate,
)

NEV_DOC = "嘉政办发〔2022〕47号"
SOFTWARE_DOC = "嘉政办发〔2022〕10号"

# ---------------------------------------------------------------- purchases

NEW_ENERGY_VEHICLE = fact_predicate("new_energy", "new_energy", zh="购买的是新能源汽车", en="the car is a new-energy vehicle")

# ---------------------------------------------------------------- enterprises

NEV_SALES_COMPANY = fact_predicate("nev_sales_company", "nev_sales_company", zh="新能源汽车销售公司",
                                   en="an NEV sales company")
NEW_NEV_SALES_COMPANY = fact_predicate("new_company", "nev_sales_company_new", reference=f"{NEV_DOC}#四",
                                       zh="新设立的新能源汽车销售公司", en="a newly established NEV sales company")
NEV_SPINOFF = fact_predicate("spinoff", "nev_spinoff", reference=f"{NEV_DOC}#五",
                             zh="新能源汽车制造企业主辅分离出的服务业企业", en="a service company spun off an NEV maker")
ABOVE_SCALE_THIS_YEAR = fact_predicate("scale", "monthly_scale_reached", this_year=True, zh="当年度实现月度上规",
                                       en="reached the monthly above-scale threshold this year")
APPLIANCE_SALES_COMPANY = fact_predicate("sales_company", "appliance_sales_company", zh="家电销售企业",
                                         en="an appliance sales enterprise")
SOFTWARE_ENTERPRISE = fact_predicate("software_enterprise", "software_enterprise", zh="软件企业",
                                     en="a software enterprise")

# ---------------------------------------------------------------- loans (47号#九, 46号#五: the same words)

RELENDING_LOAN = fact_predicate("relending", "relending", zh="金融机构运用央行支持小微企业再贷款新发放的贷款",
                                en="new loan under PBoC small-business relending")
INTEREST_AT_MAXIMUM = SharedNote("interest_maximum", zh="按最高{interest.max_share}计算贴息上限",
                                 en="the maximum ({interest.max_share}) is computed")
RATE_AT_MOST_CAP = threshold_predicate("rate", "annual_rate", "<=",
                                       lambda r: int(r.param("interest.max_rate") * 10**6),  # annual_rate: 6 places
                                       zh="年利率不高于{interest.max_rate}", en="annual rate at most {interest.max_rate}")

# ---------------------------------------------------------------- cumulative caps (47号#二, 46号#二)

EARLIER_SUBSIDY_AS_ZERO = SharedNote("earlier_subsidy_zero", zh="未填写此前已获补助的，按 0 计算",
                                     en="earlier subsidy taken as 0 when not given")


def room_under_cap(r, received_fact: str, cap: int) -> pl.Expr:
    """What a cumulative cap (累计最高) leaves after the subsidies received before."""
    received = r.fact(received_fact).fill_null(0)
    r.shared_note(EARLIER_SUBSIDY_AS_ZERO)
    return pl.when(received >= cap).then(lit_int(0)).otherwise(lit_int(cap) - received)


# ---------------------------------------------------------------- districts

CITY_DISTRICT = choice_predicate("district", "name", "city_share.districts", zh="区（市本级）",
                                 en="a district of the city proper")


@predicate("listed", zh="文件列明资金下限的县（市、区）", en="a district with a listed minimum budget")
def LISTED_DISTRICT(r, names: list[str]) -> pl.Expr:  # noqa: N802 — a predicate is named like a constant
    """The district is one of the document's own budget table (each voucher document lists its own)."""
    return r.fact("name").is_in(names)


# ---------------------------------------------------------------- housing provident fund (嘉公积金〔2022〕9号)

BASE_DECLARED = threshold_predicate("declared", "base_yuan", ">", lambda r: 0, zh="申报了缴存基数",
                                    en="a base was declared")

# ---------------------------------------------------------------- software certifications (10号#四.（四）)


@predicate("scheme", zh="认证体系：{schemes}", en="scheme one of {schemes}", facts=("scheme",))
def CERTIFICATION_SCHEME(r, schemes: list[str]) -> pl.Expr:  # noqa: N802
    return r.fact("scheme").is_in(schemes)


def grade_steps(r, level: pl.Expr) -> pl.Expr:
    """Grades at or above the base grade (三级) reached: 3→1, 4→2, 5→3 (or ITSS 3→1, 2→2, 1→3: descending)."""
    base = r.param("certification.base_level")
    descending = r.fact("scheme").is_in(r.param("certification.descending_schemes"))
    up = level - (base - 1)
    down = (base + 1) - level
    return greatest(pl.when(descending).then(down).otherwise(up), 0)


@predicate("level", zh="通过{certification.base_level}以上资质认证",
           en="certified at {certification.base_level} or above", facts=("level",))
def CERTIFIED_AT_BASE_GRADE(r) -> pl.Expr:  # noqa: N802
    return grade_steps(r, r.fact("level")) >= 1


@predicate("gained", zh="首次通过该等级（较此前提高）", en="a grade not held before", facts=("level", "previous_level"))
def GRADE_GAINED(r, grades_gained: pl.Expr) -> pl.Expr:  # noqa: N802
    return grades_gained >= 1
