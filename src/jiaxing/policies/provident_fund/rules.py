"""灵活就业人员缴存和使用住房公积金管理办法（嘉公积金〔2022〕9号）— eligibility, base, rate, amount."""

import datetime as dt

import polars as pl

from gazette.rules import greatest, least, lit_int, rule
from jiaxing.policies.predicates import BASE_DECLARED

DOC = "嘉公积金〔2022〕9号"
VALID = ("2022-05-01", None)


def _age(r, on=None) -> pl.Expr:
    """Age in completed years (周岁) on ``on`` (default: the calculation date)."""
    birth = r.fact("birth_date")
    on = on or r.on
    before_birthday = (birth.dt.month() > on.month) | ((birth.dt.month() == on.month) & (birth.dt.day() > on.day))
    return (pl.lit(on.year) - birth.dt.year()).cast(pl.Int64) - before_birthday.cast(pl.Int64)


@rule(id=f"{DOC}#第八条", entity="person", title_zh="灵活就业人员申请缴存住房公积金的条件",
      title_en="who may deposit into the housing fund as a flexible worker", valid=VALID, kind="reference", unit=None,
      references=[f"{DOC}#第三条", f"{DOC}#第八条.（一）", f"{DOC}#第八条.（二）", f"{DOC}#第八条.（三）", f"{DOC}#第二十六条"])
def eligibility(r):
    r.is_true("flexible", "flexible_employment", reference=f"{DOC}#第三条",
              zh="以个体经营、非全日制、新业态等方式灵活就业", en="in flexible employment")
    r.is_true("residence", "stable_residence_income", reference=f"{DOC}#第八条.（一）",
              zh="在本辖区有稳定的住所和较稳定的经济收入来源", en="stable residence and income here")
    age = r.let("age", _age(r))
    r.detail("age", age, zh="周岁年龄", en="age in completed years", unit="int")
    r.at_least("min_age", age, r.param("eligibility.min_age"), facts=["birth_date"], label=("age", "周岁年龄"),
               unit="int", reference=f"{DOC}#第八条.（二）", zh="年满 {eligibility.min_age:number} 周岁",
               en="aged {eligibility.min_age:number} or over")
    # D14: the age limit is the statutory retirement age that seals an account (第十六条, PF9): one may open only
    # in a month before the month of the 60th (men) / 50th (women) birthday — age at the month's end below it
    month_end = (dt.date(r.on.year + r.on.month // 12, r.on.month % 12 + 1, 1) - dt.timedelta(days=1))
    age_at_month_end = r.let("age_month_end", _age(r, month_end))
    max_age = pl.when(r.fact("sex") == "male").then(lit_int(r.param("eligibility.max_age_male"))).otherwise(
        pl.when(r.fact("sex") == "female").then(lit_int(r.param("eligibility.max_age_female"))))
    r.less_than("max_age", age_at_month_end, max_age, facts=["birth_date", "sex"], label=("age at the end of the month", "当月末周岁年龄"),
                unit="int", reference=f"{DOC}#第八条.（二）",
                zh="未达到法定退休年龄（男性 {eligibility.max_age_male:number} 周岁、女性 {eligibility.max_age_female:number} 周岁；"
                   "当月达到的不予开户，第十六条）",
                en="below retirement age (men {eligibility.max_age_male:number}, women {eligibility.max_age_female:number}; "
                   "not in the month it is reached, art. 16)")
    r.is_true("capacity", "full_capacity", reference=f"{DOC}#第八条.（二）", zh="具有完全民事行为能力", en="full civil capacity")
    r.is_true("pension", "employee_pension_as_flexible", reference=f"{DOC}#第八条.（三）",
              zh="以灵活就业人员身份参加职工基本养老保险", en="insured in employee pension insurance as a flexible worker")


def _base(r) -> pl.Expr:
    floor = r.param("base.min_wage")
    ceiling = int(r.param("base.average_monthly_wage") * r.param("base.max_multiple"))
    r.detail("base_min", lit_int(floor), zh="缴存基数下限（最低月工资标准）", en="base floor (minimum monthly wage)")
    r.detail("base_max", lit_int(ceiling), zh="缴存基数上限（上年全市职工月平均工资 {base.max_multiple:number} 倍）",
             en="base ceiling ({base.max_multiple:number} × average wage)")
    return least(greatest(r.fact("base_yuan"), floor), ceiling)


@rule(id=f"{DOC}#第十一条", entity="provident_fund_account", title_zh="灵活就业人员住房公积金缴存基数",
      title_en="deposit base (floor and ceiling)", valid=VALID, kind="limit", period="month",
      references=[f"{DOC}#第十五条"])
def base(r):
    r.check(BASE_DECLARED)
    r.note("低于下限的调整至最低月工资标准（第十五条），高于上限的按上限", "below the floor → the floor (art. 15); above the ceiling → the ceiling")
    r.amount(_base(r))


@rule(id=f"{DOC}#第十二条", entity="provident_fund_account", title_zh="灵活就业人员住房公积金月缴存额",
      title_en="monthly housing fund deposit", valid=VALID, kind="contribution", period="month",
      references=[f"{DOC}#第十一条"])
def monthly_amount(r):
    lowest, highest = r.param("rate.min"), r.param("rate.max")  # rate facts are kept to 4 places
    r.at_least("rate_min", "rate", int(lowest * 10**4), zh="缴存比例不低于{rate.min}", en="rate at least {rate.min}")
    r.at_most("rate_max", "rate", int(highest * 10**4), zh="缴存比例不高于{rate.max}", en="rate at most {rate.max}")
    r.check(BASE_DECLARED)
    rounding_fen = r.param("rounding_unit")
    raw = r.let("base", _base(r)) * r.fact("rate")  # fen × 10^-4
    divisor = 10**4 * rounding_fen
    r.amount(((raw * 2 + divisor) // (2 * divisor)) * rounding_fen)


@rule(id=f"{DOC}#第十三条", entity="provident_fund_account", title_zh="不得办理补缴", title_en="no payment of arrears",
      valid=VALID, kind="prohibition", unit=None)
def no_back_payment(r):
    r.is_true("back_payment", "back_payment", zh="申请补缴", en="a request to pay arrears")
