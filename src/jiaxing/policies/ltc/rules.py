"""长期护理保险（嘉政发〔2022〕21号 一、（二））— funding per person and monthly benefits by care type.

一、（二） records the funding and benefit standards of the city's LTC system, in force since June 2017
(一、（一）: "于 2017 年 6 月…建立和实施"); the text sets them no end. They are applied from 2017-06-01
with no end date; after the pilot plan's window (2024-12-31) the gazette holds no rule, so the answer is
*unknown — not in our gazettes*, never *ineligible* (decision D17).
"""

import datetime as dt

import polars as pl

from gazette.rules import least, lit_int, rule
from gazette.rules.predicates import predicate

CLAUSE = "嘉政发〔2022〕21号#一.（二）"
VALID = ("2017-06-01", None)
PLAN_START = dt.date(2022, 9, 26)  # the pilot plan's own date (印发)
PLAN_END = dt.date(2024, 12, 31)  # the pilot plan (2022—2024); later standards are not in our gazettes
CARE_TYPES = ["elderly_institution", "medical_institution", "home"]


@predicate("covered", reference=CLAUSE,
           zh="计算日期在公报所载标准的适用期内（2017 年 6 月起至试点方案期末 2024-12-31）",
           en="the date is within the period the gazette's standards cover (June 2017 to 2024-12-31)")
def COVERED(r) -> pl.Expr:  # noqa: N802 — a predicate is named like a constant
    """Before the plan the standards 一、（二） records applied (since 2017-06); after its window the
    gazette holds no standard: the condition is unknown (null), so the answer is unknown, not ineligible."""
    if r.on > PLAN_END:
        r.note("2024 年以后的长护险标准不在本库收录的公报中：结果未知，请向市医保局咨询",
               "the standards after 2024 are not in our gazettes: unknown — ask the city medical insurance bureau")
        return pl.lit(None, dtype=pl.Boolean)
    if r.on < PLAN_START:
        r.note("本方案（2022-09-26）之前，一、（二）所载标准自 2017 年 6 月起已在执行（一、（一））",
               "before the plan (2022-09-26) the standards in 1.(2) already applied, since June 2017 (1.(1))")
    return pl.lit(True)


@rule(id=CLAUSE, entity="person", title_zh="长期护理保险待遇（基金每月支付）", title_en="long-term care benefit (fund pays, monthly)",
      valid=VALID, period="month")
def benefit(r):
    covered = r.check(COVERED)
    severe = r.is_true("severe", "ltc_severe_disability", zh="经评定为重度失能", en="assessed as severely disabled")
    typed = r.one_of("care_type", "ltc_care_type", CARE_TYPES, zh="养老机构护理、医疗机构护理或居家护理", en="a care type")
    care_type = r.fact("ltc_care_type").cast(pl.String)
    cost = r.fact("ltc_monthly_care_cost_yuan")
    caps = {kind: r.param(f"benefit.cap.{kind}") for kind in CARE_TYPES}
    shares = {kind: r.param(f"benefit.share.{kind}") for kind in CARE_TYPES}
    scale = 10_000  # shares are exact to 0.01%: fund = round_half_up(min(cost, cap) × share)
    cap_expr = care_type.replace_strict(caps, default=None, return_dtype=pl.Int64)
    share_expr = care_type.replace_strict({kind: int(share * scale) for kind, share in shares.items()}, default=None,
                                          return_dtype=pl.Int64)
    amount = r.let("fund", (least(cost, cap_expr) * share_expr * 2 + scale) // (2 * scale))
    r.detail("cap", cap_expr, zh="每月最高支付限额", en="monthly payment ceiling")
    ok = covered & severe & typed  # Kleene: null when any is unknown
    # a person the fund does not pay for bears the whole cost; unknown stays unknown
    family = pl.when(ok.not_()).then(cost).when(ok).then(cost - amount).otherwise(lit_int(None))
    r.detail("personal", family, zh="个人负担（护理费用减基金支付；不符合条件的全部自付）",
             en="paid by the family (cost minus fund; all of it when not eligible)")
    r.amount(amount)


@rule(id=f"{CLAUSE}/funding", entity="person", title_zh="长期护理保险个人缴费", title_en="long-term care personal contribution",
      valid=VALID, kind="contribution", period="year")
def funding(r):
    r.check(COVERED)
    insurance = r.fact("medical_insurance")
    r.one_of("insured", "medical_insurance", ["employee", "resident"], zh="参加基本医疗保险（同步参加长护险）",
             en="insured in basic medical insurance (and so in LTC)")
    r.detail("total", lit_int(r.param("funding.total")), zh="筹资标准（每人每年）", en="funding per person per year")
    r.detail("other", lit_int(r.param("funding.other")), zh="单位缴费（职工医保统筹基金划转）或财政补助",
             en="employer share (from the employee medical fund) or fiscal subsidy")
    r.detail("other_payer", pl.when(insurance == "employee").then(pl.lit("职工医保统筹基金划转")).otherwise(pl.lit("财政补助")),
             zh="另{funding.other}的承担方", en="who pays the other {funding.other}", unit="str")
    r.amount(lit_int(r.param("funding.personal")))
