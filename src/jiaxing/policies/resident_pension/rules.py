"""城乡居民基本养老保险（嘉人社〔2022〕60号）— the linked adjustment, the 320-yuan basic pension,
the 5,000-yuan contribution tier with its 900-yuan subsidy (not for back-paid years)."""

import polars as pl

from gazette.rules import lit_int, rule, times_rate

DOC = "嘉人社〔2022〕60号"


@rule(id=f"{DOC}#一", entity="pension_adjustment", title_zh="基础养老金挂钩调整测算",
      title_en="indicative basic pension under the linked adjustment", valid=("2022-09-06", None), kind="reference",
      period="month", references=[f"{DOC}#二"])
def adjustment(r):
    r.more_than("current", "current_standard_yuan", 0, zh="现行基础养老金标准", en="current basic pension given")
    current = r.fact("current_standard_yuan")
    last_year, year_before = r.fact("rural_income_prev_yuan"), r.fact("rural_income_prev2_yuan")
    growth = r.param("adjustment.rural_income_growth")
    r.note("按上一年度全市农村居民人均可支配收入增长比例确定增长比例；未提供两年收入的，用公报载明的增长比例"
           "（2021 年 {adjustment.rural_income_growth}）；结果为测算参考值，实际标准由市政府批准",
           "growth follows last year's rural per-capita disposable income; without both incomes the published growth "
           "({adjustment.rural_income_growth} for 2021) is used; the result is indicative, the city government sets "
           "the standard")
    from_incomes = (current * last_year * 2 + year_before) // (year_before * 2)
    r.amount(pl.when(last_year.is_not_null() & year_before.is_not_null() & (year_before > 0)).then(from_incomes)
             .otherwise(times_rate(current, 1 + growth)))


@rule(id=f"{DOC}#二", entity="person", title_zh="城乡居民基本养老保险基础养老金", title_en="resident basic pension",
      valid=("2021-01-01", None), period="month")
def basic_pension(r):
    if r.on.year < 2022:
        r.note("2022 年 1 月 1 日前的标准为每人每月{basic_pension}（二：“由每人每月290元调整为每人每月320元”）；"
               "{basic_pension}的起始日期不在本公报中，本库按 2021 年全年适用（D13）",
               "before 2022-01-01 the standard was {basic_pension} a month (item 2: “raised from 290 to 320”); when "
               "{basic_pension} began is not in this gazette — it is applied to the whole of 2021 (D13)")
    r.is_true("recipient", "resident_pension_recipient", zh="领取城乡居民基本养老保险待遇", en="receives the resident pension")
    r.amount(lit_int(r.param("basic_pension")))


@rule(id=f"{DOC}#三", entity="pension_contribution", title_zh="5000 元缴费档次缴费补贴", title_en="subsidy for the 5,000 tier",
      valid=("2022-09-01", None), event_date="paid_date", period="year")
def tier_subsidy(r):
    tier = r.param("contribution.tier")
    r.require("tier", r.fact("amount_yuan") == tier, facts=["amount_yuan"], zh="选择每年{contribution.tier}标准缴费",
              en="contributes at the {contribution.tier} tier")
    r.is_false("not_back_payment", "back_payment", zh="不是因中断缴费而补缴（补缴年度不享受补贴）",
               en="not a back payment for an interrupted year")
    r.amount(lit_int(r.param("contribution.subsidy")))
