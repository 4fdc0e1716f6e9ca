"""嘉兴市促进绿色智能家电消费若干政策（嘉政办发〔2022〕46号）— every computable clause.

Validity (#六): from 2022-09-21 (公布) to 2022-12-31.
"""

import polars as pl

from gazette.rules import least, lit_int, rule, times_rate
from jiaxing.policies.predicates import (
    APPLIANCE_SALES_COMPANY,
    CITY_DISTRICT,
    INTEREST_AT_MAXIMUM,
    LISTED_DISTRICT,
    RATE_AT_MOST_CAP,
    RELENDING_LOAN,
    room_under_cap,
)

DOC = "嘉政办发〔2022〕46号"
START, END = "2022-09-21", "2022-12-31"
DEFINITIONS = f"{DOC}#六"  # 六 defines the appliances and labels the vouchers cover
COUNTIES = ["南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市"]
ZONES = ["嘉兴经济技术开发区", "嘉兴港区"]


@rule(id=f"{DOC}#一", entity="appliance_purchase", title_zh="绿色智能家电消费券", title_en="green smart appliance voucher",
      valid=(START, END), event_date="date", references=[DEFINITIONS])
def voucher(r):
    r.one_of("category", "category", r.param("voucher.categories"), reference=DEFINITIONS,
             zh="家用空调、电冰箱、洗衣机、电视机或家用集成灶", en="an air conditioner, refrigerator, washer, TV or integrated stove")
    r.at_most("energy_label", "energy_label", r.param("voucher.max_energy_label"), reference=DEFINITIONS,
              zh="中国能效标识{voucher.max_energy_label}及以上（1 级最高）",
              en="China energy label {voucher.max_energy_label} or better (grade 1 is the best)")
    r.at_least("label_valid", "energy_label", 1, zh="能效标识等级有效", en="a valid label grade")
    r.at_least("price", "price_yuan", r.param("voucher.tiers")[0][0], zh="家电价格满{voucher.tiers[0].threshold}",
               en="price at least {voucher.tiers[0].threshold}")
    tier = r.scale("voucher.tiers", "price_yuan")
    r.amount(least(tier, r.fact("price_yuan")))


@rule(id=f"{DOC}#一/district_budget", entity="district", title_zh="各地绿色智能家电消费券资金（不少于）",
      title_en="minimum appliance voucher budget of a district", valid=(START, END), kind="limit")
def district_budget(r):
    r.check(LISTED_DISTRICT, COUNTIES + ZONES)
    name = r.fact("name")
    r.amount(pl.when(name.is_in(COUNTIES)).then(lit_int(r.param("voucher.district_minimum_budget.county")))
             .when(name.is_in(ZONES)).then(lit_int(r.param("voucher.district_minimum_budget.zone"))).otherwise(lit_int(None)))


@rule(id=f"{DOC}#二", entity="enterprise", title_zh="家电推广促销活动补助", title_en="appliance promotion subsidy",
      valid=(START, END), period="cumulative")
def promotion(r):
    r.check(APPLIANCE_SALES_COMPANY)
    r.is_true("filed", "appliance_promo_filed", zh="经商务部门备案", en="filed with the commerce department")
    r.at_least("days", "appliance_promo_days", r.param("promotion.min_days"), zh="持续时间{promotion.min_days}以上",
               en="lasting at least {promotion.min_days}")
    brands = r.fact("appliance_promo_brands") >= r.param("promotion.min_brands")
    categories = r.fact("appliance_promo_categories") >= r.param("promotion.min_categories")
    r.require("scope", brands | categories, facts=["appliance_promo_brands", "appliance_promo_categories"],
              zh="参与品牌{promotion.min_brands}以上或品类{promotion.min_categories}以上",
              en="at least {promotion.min_brands} or at least {promotion.min_categories}")
    room = room_under_cap(r, "appliance_promo_subsidy_received_yuan", r.param("promotion.cap"))
    r.amount(least(times_rate(r.fact("appliance_promo_expense_yuan"), r.param("promotion.rate")), room))


@rule(id=f"{DOC}#三", entity="enterprise", title_zh="家电制造企业主辅分离奖励", title_en="appliance spin-off reward",
      valid=(START, END))
def spinoff(r):
    r.is_true("spinoff", "appliance_spinoff", zh="家电制造企业将非主营业务分离设立的销售公司", en="a sales company spun off an appliance maker")
    r.is_true("scale_2022", "monthly_scale_reached", year=2022, zh="在 2022 年实现月度上规", en="reached the monthly above-scale threshold in 2022")
    r.amount(lit_int(r.param("spinoff.reward")))


@rule(id=f"{DOC}#四", entity="enterprise", title_zh="家电销售企业做大做强奖励", title_en="appliance sales growth reward",
      valid=(START, END))
def growth(r):
    r.check(APPLIANCE_SALES_COMPANY)
    numerator, denominator = r.param("growth.rate").as_integer_ratio()
    last_year = r.year - 1  # the last completed year (decision D9)
    for year in (last_year - 2, last_year - 1, last_year):
        previous = r.fact("main_revenue_yuan", year - 1)
        r.more_than(f"growth_{year}", "main_revenue_yuan", (previous * (denominator + numerator)) // denominator,
                    year=year, facts=[f"main_revenue_yuan@{year - 1}"], values={"year": year},
                    zh="{year} 年主营业务收入增速超过{growth.rate}", en="main revenue grew more than {growth.rate} in {year}")
    r.at_least("prior_revenue", "main_revenue_yuan", r.param("growth.min_prior_revenue"), year=last_year,
               zh="上一年主营业务收入不低于{growth.min_prior_revenue}",
               en="last year's main revenue at least {growth.min_prior_revenue}")
    r.amount(lit_int(r.param("growth.reward")))


@rule(id=f"{DOC}#五", entity="loan", title_zh="家电销售企业贷款贴息", title_en="interest subsidy for appliance sellers",
      valid=(START, END), event_date="date")
def interest(r):
    r.one_of("sector", "sector", ["appliance_sales"], zh="借款人为符合条件的家电销售企业", en="borrower is an appliance sales enterprise")
    r.check(RELENDING_LOAN)
    r.check(RATE_AT_MOST_CAP)
    r.shared_note(INTEREST_AT_MAXIMUM)
    r.amount(times_rate(r.fact("interest_yuan"), r.param("interest.max_share")))


@rule(id=f"{DOC}#六", entity="district", title_zh="市对区绿色智能家电消费券补助", title_en="city share of district appliance vouchers",
      valid=(START, END), kind="transfer")
def city_share(r):
    r.check(CITY_DISTRICT)
    r.amount(least(times_rate(r.fact("appliance_voucher_spent_yuan"), r.param("city_share.rate")), r.param("city_share.cap")))
