"""嘉兴市促进新能源汽车消费若干政策（嘉政办发〔2022〕47号）— every computable clause.

Validity (#十一): from 2022-09-22 (印发) to 2024-12-31; consumption vouchers and loan interest
subsidies to 2022-12-31. "所列奖励条款不得重复享受" (#十一): the reward clauses (#三, #四 上规奖励,
#五, #六, #七) share one exclusive group — an enterprise receives the highest one (decision D7).
"""

from decimal import Decimal

import polars as pl

from gazette.rules import least, lit_int, rule, times_rate
from jiaxing.policies.predicates import (
    ABOVE_SCALE_THIS_YEAR,
    CITY_DISTRICT,
    INTEREST_AT_MAXIMUM,
    LISTED_DISTRICT,
    NEV_SALES_COMPANY,
    NEV_SPINOFF,
    NEW_ENERGY_VEHICLE,
    NEW_NEV_SALES_COMPANY,
    RATE_AT_MOST_CAP,
    RELENDING_LOAN,
    room_under_cap,
)

DOC = "嘉政办发〔2022〕47号"
START, END, VOUCHER_END = "2022-09-22", "2024-12-31", "2022-12-31"
OTHER = f"{DOC}#十一"
EXCLUSIVE = f"{DOC}#十一"  # "所列奖励条款不得重复享受"
DISTRICTS_WITH_MINIMUM = ["南湖区", "嘉兴经济技术开发区", "海宁市", "桐乡市", "嘉善县", "平湖市", "海盐县", "秀洲区"]


@rule(id=f"{DOC}#一", entity="vehicle_purchase", title_zh="新能源汽车消费券", title_en="NEV consumption voucher",
      valid=(START, VOUCHER_END), event_date="date", references=[OTHER])
def voucher(r):
    r.check(NEW_ENERGY_VEHICLE)
    r.more_than("price_positive", "price_yuan", 0, zh="购车价格大于零", en="a price was paid")
    tier = r.scale("voucher.tiers", "price_yuan")
    r.note("消费券抵用额不超过购车价格（“最高可抵用”）", "a voucher never exceeds the price paid ('at most')")
    r.amount(least(tier, r.fact("price_yuan")))


@rule(id=f"{DOC}#一/district_budget", entity="district", title_zh="各地新能源汽车消费券资金（不少于）",
      title_en="minimum NEV voucher budget of a district", valid=(START, VOUCHER_END), kind="limit")
def district_budget(r):
    r.check(LISTED_DISTRICT, DISTRICTS_WITH_MINIMUM)
    budget = lit_int(None)
    for name in DISTRICTS_WITH_MINIMUM:
        minimum = lit_int(r.param(f"voucher.district_minimum_budget.{name}"))
        budget = pl.when(r.fact("name") == name).then(minimum).otherwise(budget)
    r.amount(budget)


@rule(id=f"{DOC}#二", entity="enterprise", title_zh="新能源汽车车展补助", title_en="car-show subsidy",
      valid=(START, END), period="cumulative")
def car_show(r):
    r.check(NEV_SALES_COMPANY)
    r.is_true("filed", "nev_show_filed", zh="车展经商务部门备案", en="the show was filed with the commerce department")
    r.more_than("expense", "nev_show_expense_yuan", 0, zh="有办展实际支出", en="actual show expenses")
    room = room_under_cap(r, "nev_show_subsidy_received_yuan", r.param("car_show.cap"))
    r.amount(least(times_rate(r.fact("nev_show_expense_yuan"), r.param("car_show.rate")), room))


@rule(id=f"{DOC}#三", entity="enterprise", title_zh="新能源汽车商贸园招商奖励", title_en="NEV trade-park reward",
      valid=(START, END), period="year", exclusive_group=EXCLUSIVE, references=[OTHER])
def park(r):
    r.is_true("park_operator", "nev_park_operator", zh="新能源汽车商贸园运营方", en="operator of an NEV trade park")
    r.at_least("new_companies", "nev_park_new_companies", 1, year=r.year,
               zh="年度新引进新能源汽车销售公司", en="brought in at least one new NEV sales company this year")
    r.amount(r.fact("nev_park_new_companies", r.year) * r.param("park.reward_per_company"))


@rule(id=f"{DOC}#四", entity="enterprise", title_zh="新设立新能源汽车销售公司固定资产投资补助",
      title_en="fixed-investment subsidy for a new NEV sales company", valid=(START, END))
def new_company_investment(r):
    r.check(NEW_NEV_SALES_COMPANY)
    r.at_least("investment", "nev_fixed_investment_yuan", r.param("new_company.investment_threshold"),
               zh="固定资产投资额（不含房产、土地款）{new_company.investment_threshold}以上",
               en="fixed investment (excl. buildings, land) ≥ {new_company.investment_threshold}")
    r.amount(least(times_rate(r.fact("nev_fixed_investment_yuan"), r.param("new_company.investment_rate")),
                   r.param("new_company.investment_cap")))


@rule(id=f"{DOC}#四/scale", entity="enterprise", title_zh="新设立新能源汽车销售公司月度上规奖励",
      title_en="above-scale reward for a new NEV sales company", valid=(START, END), exclusive_group=EXCLUSIVE,
      references=[OTHER])
def new_company_scale(r):
    r.check(NEW_NEV_SALES_COMPANY)
    r.check(ABOVE_SCALE_THIS_YEAR)
    r.amount(lit_int(r.param("new_company.scale_reward")))


def _peak_before(r, fact: str, peak_fact: str) -> pl.Expr:
    """The highest value of ``fact`` in the three years before, or ever before (``peak_fact``)."""
    return pl.max_horizontal([r.fact(fact, r.year - back) for back in (1, 2, 3)] + [r.fact(peak_fact)])


@rule(id=f"{DOC}#五", entity="enterprise", title_zh="主辅分离企业主营业务收入首次超过 5/10/20 亿元奖励",
      title_en="spin-off revenue milestone reward", valid=(START, END), exclusive_group=EXCLUSIVE, references=[OTHER])
def spinoff_milestones(r):
    r.check(NEV_SPINOFF)
    milestones = r.param("spinoff.milestones")
    revenue = r.fact("main_revenue_yuan", r.year)
    r.more_than("revenue", "main_revenue_yuan", milestones[0][0], year=r.year,
                zh="主营业务收入超过{spinoff.milestones[0].threshold}", en="main revenue above {spinoff.milestones[0].threshold}")
    peak = r.let("peak", _peak_before(r, "main_revenue_yuan", "main_revenue_peak_before_yuan"))
    r.detail("peak_before", peak, zh="此前年度主营业务收入最高值", en="highest main revenue before this year")
    amount = lit_int(0)
    for threshold, reward in milestones:
        amount = amount + pl.when((revenue > threshold) & (peak <= threshold)).then(lit_int(reward)).otherwise(lit_int(0))
    amount = r.let("amount", pl.when(peak.is_null() | revenue.is_null()).then(lit_int(None)).otherwise(amount))
    r.require("first_time", amount > 0, facts=[f"main_revenue_yuan@{r.year}", "main_revenue_peak_before_yuan"],
              zh="首次超过相应档次（此前年度未曾超过）", en="the milestone is passed for the first time")
    r.amount(amount)


@rule(id=f"{DOC}#五/growth", entity="enterprise", title_zh="主辅分离企业获奖后营收增长奖励",
      title_en="spin-off growth reward (up to three years)", valid=(START, END), period="year",
      exclusive_group=EXCLUSIVE, references=[OTHER])
def spinoff_growth(r):
    r.check(NEV_SPINOFF)
    first = r.fact("nev_spinoff_first_award_year")
    years = r.param("spinoff.growth_years")
    r.require("period", (first + 1 <= r.year) & (r.year <= first + years), facts=["nev_spinoff_first_award_year"],
              zh="从获奖励次年开始，最长{spinoff.growth_years}",
              en="from the year after the first award, at most {spinoff.growth_years}")
    numerator, denominator = r.param("spinoff.growth_rate").as_integer_ratio()
    previous = r.fact("main_revenue_yuan", r.year - 1)
    r.more_than("growth", "main_revenue_yuan", (previous * (denominator + numerator)) // denominator, year=r.year,
                facts=[f"main_revenue_yuan@{r.year - 1}"],
                zh="年主营业务收入同比增速超过{spinoff.growth_rate}",
                en="main revenue grew more than {spinoff.growth_rate} year on year")
    r.amount(lit_int(r.param("spinoff.growth_reward")))


@rule(id=f"{DOC}#六", entity="enterprise", title_zh="新能源汽车销售公司销量前十奖励", title_en="top-10 NEV sales reward",
      valid=(START, END), period="year", exclusive_group=EXCLUSIVE, references=[OTHER])
def sales_top(r):
    r.check(NEV_SALES_COMPANY)
    r.more_than("units", "nev_sales_units", r.param("sales_top.units_threshold"), year=r.year,
                zh="当年度汽车销量超{sales_top.units_threshold}", en="more than {sales_top.units_threshold} sold this year")
    rank = r.fact("nev_sales_rank", r.year)
    r.at_most("rank", "nev_sales_rank", r.param("sales_top.rank_all"), year=r.year,
              zh="排名前 {sales_top.rank_all:number} 位", en="ranked in the top {sales_top.rank_all:number}")
    r.amount(pl.when(rank <= r.param("sales_top.rank_high")).then(lit_int(r.param("sales_top.reward_high")))
             .otherwise(lit_int(r.param("sales_top.reward_other"))))


@rule(id=f"{DOC}#七", entity="enterprise", title_zh="二手车经销公司月度上规奖励", title_en="used-car dealer above-scale reward",
      valid=(START, END), exclusive_group=EXCLUSIVE, references=[OTHER])
def used_car(r):
    r.is_true("dealer_company", "used_car_dealer_company", zh="二手车经营户成立的经销公司", en="a dealer company formed by used-car traders")
    r.check(ABOVE_SCALE_THIS_YEAR)
    r.amount(lit_int(r.param("used_car.scale_reward")))


@rule(id=f"{DOC}#八", entity="charging_facility", title_zh="社会充电桩建设补贴", title_en="public charging pile subsidy",
      valid=(START, END))
def charging_pile(r):
    r.one_of("public_pile", "facility_type", ["public_pile"], zh="社会充电站的充电桩", en="a public charging pile")
    r.more_than("power", "rated_power_kw", 0, zh="有额定充电功率", en="has a rated power")
    per_kw = r.param("charging.pile_per_kw")  # fen per kW; power is kept in W (scale 3)
    r.amount(least(times_rate(r.fact("rated_power_kw"), Decimal(per_kw) / 1000), r.param("charging.pile_cap")))


@rule(id=f"{DOC}#八/operation", entity="charging_facility", title_zh="充电站一年运营补贴", title_en="charging station operation subsidy",
      valid=(START, END), period="year")
def charging_operation(r):
    r.one_of("station", "facility_type", ["station"], zh="充电站", en="a charging station")
    r.require("first_year", r.fact("operation_year") == 1, facts=["operation_year"],
              zh="运营第一年（给予一年运营补贴）", en="first year of operation (one year of subsidy)")
    high = r.fact("location_type").is_in(["highway_service_area", "integrated_energy_station"]) & r.fact("guarantee_facility")
    energy = r.fact("energy_kwh")  # Wh
    low_amt = times_rate(energy, Decimal(r.param("charging.operation_rate")) / 1000)
    high_amt = times_rate(energy, Decimal(r.param("charging.operation_rate_high")) / 1000)
    r.detail("high_rate", high, zh="适用{charging.operation_rate_high}（高速公路服务区、综合供能服务站等区域内保障型设施）",
             en="{charging.operation_rate_high} applies (guarantee facility at a highway service area or integrated "
                "energy station)", unit="bool")
    r.amount(pl.when(high).then(high_amt).when(high.not_()).then(low_amt).otherwise(lit_int(None)))


@rule(id=f"{DOC}#八/personal_pile", entity="charging_facility", title_zh="个人自用充电桩充电费补贴",
      title_en="personal charging pile subsidy", valid=(START, END))
def personal_pile(r):
    r.one_of("personal_pile", "facility_type", ["personal_pile"], zh="个人自用充电桩", en="a personal charging pile")
    r.is_true("with_nev", "with_nev_purchase", zh="购置新能源汽车且建设个人自用充电桩", en="built with an NEV purchase")
    r.amount(lit_int(r.param("charging.personal_pile")))


@rule(id=f"{DOC}#九", entity="loan", title_zh="新能源汽车销售公司贷款贴息", title_en="interest subsidy for NEV sales companies",
      valid=(START, VOUCHER_END), event_date="date", references=[OTHER])
def interest(r):
    r.one_of("sector", "sector", ["nev_sales"], zh="借款人为符合条件的新能源汽车销售公司", en="borrower is an NEV sales company")
    r.check(RELENDING_LOAN)
    r.check(RATE_AT_MOST_CAP)
    r.shared_note(INTEREST_AT_MAXIMUM)
    r.amount(times_rate(r.fact("interest_yuan"), r.param("interest.max_share")))


@rule(id=f"{DOC}#九/down_payment", entity="vehicle_purchase", title_zh="新能源汽车购车最低首付",
      title_en="minimum NEV down payment", valid=(START, END), kind="limit", event_date="date")
def down_payment(r):
    r.check(NEW_ENERGY_VEHICLE)
    r.note("首付最低{down_payment.min_share}，按购车价格计算后四舍五入到分",
           "{down_payment.min_share} of the price, rounded half up to the fen")
    r.amount(times_rate(r.fact("price_yuan"), r.param("down_payment.min_share")))


@rule(id=f"{DOC}#十一", entity="district", title_zh="市对区新能源汽车消费券补助", title_en="city share of district NEV vouchers",
      valid=(START, END), kind="transfer")
def city_share(r):
    r.check(CITY_DISTRICT)
    r.amount(least(times_rate(r.fact("nev_voucher_spent_yuan"), r.param("city_share.rate")), r.param("city_share.cap")))
