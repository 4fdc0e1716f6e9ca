"""长期护理保险（嘉政发〔2022〕21号 一、（二））— funding per person and monthly benefits by care type.

The pilot plan covers 2022–2024; the standards it records are applied from its date (2022-09-26)
to 2024-12-31 (decision D17).
"""

import polars as pl

from gazette.rules import least, lit_int, rule

CLAUSE = "嘉政发〔2022〕21号#一.（二）"
VALID = ("2022-09-26", "2024-12-31")
TYPES = ["elderly_institution", "medical_institution", "home"]


@rule(id=CLAUSE, entity="person", title_zh="长期护理保险待遇（基金每月支付）", title_en="long-term care benefit (fund pays, monthly)",
      valid=VALID, period="month")
def benefit(r):
    r.is_true("severe", "ltc_severe_disability", zh="经评定为重度失能", en="assessed as severely disabled")
    r.one_of("care_type", "ltc_care_type", TYPES, zh="养老机构护理、医疗机构护理或居家护理", en="a care type")
    t = r.fact("ltc_care_type").cast(pl.String)
    cost = r.fact("ltc_monthly_care_cost_yuan")
    caps = {ty: r.param(f"benefit.cap.{ty}") for ty in TYPES}
    shares = {ty: r.param(f"benefit.share.{ty}") for ty in TYPES}
    den = 10_000  # shares are exact to 0.01%: fund = round_half_up(min(cost, cap) × share)
    cap_expr = t.replace_strict(caps, default=None, return_dtype=pl.Int64)
    share_expr = t.replace_strict({ty: int(v * den) for ty, v in shares.items()}, default=None, return_dtype=pl.Int64)
    amount = r.let("fund", (least(cost, cap_expr) * share_expr * 2 + den) // (2 * den))
    r.detail("cap", cap_expr, zh="每月最高支付限额", en="monthly payment ceiling")
    r.detail("personal", cost - amount, zh="个人负担（护理费用减基金支付）", en="paid by the family (cost minus fund)")
    r.amount(amount)


@rule(id=f"{CLAUSE}/funding", entity="person", title_zh="长期护理保险个人缴费", title_en="long-term care personal contribution",
      valid=VALID, kind="contribution", period="year")
def funding(r):
    mi = r.fact("medical_insurance")
    r.one_of("insured", "medical_insurance", ["employee", "resident"], zh="参加基本医疗保险（同步参加长护险）",
             en="insured in basic medical insurance (and so in LTC)")
    r.detail("total", lit_int(r.param("funding.total")), zh="筹资标准（每人每年）", en="funding per person per year")
    r.detail("other", lit_int(r.param("funding.other")), zh="单位缴费（职工医保统筹基金划转）或财政补助",
             en="employer share (from the employee medical fund) or fiscal subsidy")
    r.detail("other_payer", pl.when(mi == "employee").then(pl.lit("职工医保统筹基金划转")).otherwise(pl.lit("财政补助")),
             zh="另 90 元的承担方", en="who pays the other 90", unit="str")
    r.amount(lit_int(r.param("funding.personal")))
