"""加快软件产业高质量发展的实施意见（嘉政办发〔2022〕10号）四、政策支持 — every computable clause.

The text states no end date: the rules apply from 2022-03-10 (印发) until repealed (decision D10).
"""

import polars as pl

from gazette.rules import least, lit_int, rule, times_rate
from jiaxing.policies.predicates import (
    CERTIFICATION_SCHEME,
    CERTIFIED_AT_BASE_GRADE,
    GRADE_GAINED,
    SOFTWARE_ENTERPRISE,
    grade_steps,
)

DOC = "嘉政办发〔2022〕10号"
PROJECTS, TALENT, GROWTH, INNOVATION, FINANCE = (f"{DOC}#四.（{n}）" for n in "一二三四五")
VALID = ("2022-03-10", None)


@rule(id=PROJECTS, entity="enterprise", title_zh="软件领域重大项目补助（上限）", title_en="major software project subsidy (cap)",
      valid=VALID, references=[f"{DOC}#四"])
def major_project(r):
    r.is_true("major_project", "major_project", zh="引进的软件领域重大项目", en="an attracted major software project")
    r.note("按重大项目标准核定，最高不超过{major_project.cap}", "assessed under major-project standards, at most {major_project.cap}")
    r.amount(least(r.fact("major_project_standard_yuan"), r.param("major_project.cap")))


@rule(id=TALENT, entity="person", title_zh="软件人才培训费补助", title_en="software training subsidy", valid=VALID)
def training(r):
    r.is_true("employed", "software_employed", zh="在嘉兴软件领域实现就业", en="employed in Jiaxing's software sector")
    r.is_true("trained", "software_training_passed", zh="在符合条件的人力资源服务机构培训合格", en="passed qualifying training")
    r.amount(times_rate(r.fact("training_fee_yuan"), r.param("training.rate")))


def _min_after_growth(previous: pl.Expr, rate) -> pl.Expr:
    numerator, denominator = rate.as_integer_ratio()
    return (previous * (denominator + numerator) + denominator - 1) // denominator  # smallest revenue with growth ≥ rate


@rule(id=GROWTH, entity="enterprise", title_zh="软件业务收入新达到 2000/3000/5000 万元奖励",
      title_en="software revenue milestone reward", valid=VALID, period="year")
def revenue_milestones(r):
    r.check(SOFTWARE_ENTERPRISE)
    milestones = r.param("revenue.milestones")
    year = r.year
    revenue = r.fact("software_revenue_yuan", year)
    r.at_least("revenue", "software_revenue_yuan", milestones[0][0], year=year,
               zh="年度软件业务收入达到{revenue.milestones[0].threshold}",
               en="software revenue reached {revenue.milestones[0].threshold}")
    previous = r.fact("software_revenue_yuan", year - 1)
    r.at_least("growth", "software_revenue_yuan", _min_after_growth(previous, r.param("revenue.min_growth")),
               year=year, facts=[f"software_revenue_yuan@{year - 1}"], zh="增速在{revenue.min_growth}以上",
               en="growth of at least {revenue.min_growth}")
    peak = r.let("peak", pl.max_horizontal([r.fact("software_revenue_yuan", year - back) for back in (1, 2, 3)]
                                           + [r.fact("software_revenue_peak_before_yuan")]))
    r.detail("peak_before", peak, zh="此前年度软件业务收入最高值", en="highest software revenue before this year")
    r.scale("revenue.milestones", "software_revenue_yuan", year=year)
    amount = lit_int(0)
    for threshold, reward in milestones:
        amount = amount + pl.when((revenue >= threshold) & (peak < threshold)).then(lit_int(reward)).otherwise(lit_int(0))
    amount = r.let("amount", pl.when(peak.is_null() | revenue.is_null()).then(lit_int(None)).otherwise(amount))
    r.require("newly_reached", amount > 0, facts=[f"software_revenue_yuan@{year}", "software_revenue_peak_before_yuan"],
              zh="新达到相应档次（此前年度未曾达到）", en="a milestone reached for the first time")
    r.amount(amount)


@rule(id=f"{GROWTH}/listing", entity="enterprise", title_zh="首次列入国家重点软件企业等奖励",
      title_en="first national listing reward", valid=VALID)
def listing(r):
    flags = [r.fact(name) for name in ("first_listed_key_software", "first_listed_key_ic_design", "first_listed_top100")]
    r.require("listed", pl.any_horizontal(flags),
              facts=["first_listed_key_software", "first_listed_key_ic_design", "first_listed_top100"],
              zh="首次列入国家鼓励的重点软件企业、重点集成电路设计企业或中国软件业务收入前百强企业",
              en="first listed as a national key software / IC design enterprise or top-100 software firm")
    listings = pl.sum_horizontal([flag.fill_null(False).cast(pl.Int64) for flag in flags])
    r.amount(listings * r.param("listing.reward"))


@rule(id=f"{GROWTH}/outsourcing", entity="enterprise", title_zh="软件外包服务承接市外订单奖励",
      title_en="outsourcing order reward", valid=VALID, period="year")
def outsourcing(r):
    r.is_true("software_enterprise", "software_enterprise", zh="软件外包服务企业", en="a software outsourcing enterprise")
    r.more_than("orders", "outsourcing_external_executed_yuan", 0, zh="承接市外订单且有实际执行金额", en="executed orders from outside the city")
    r.amount(least(times_rate(r.fact("outsourcing_external_executed_yuan"), r.param("outsourcing.rate")),
                   r.param("outsourcing.cap")))


@rule(id=INNOVATION, entity="enterprise", title_zh="首版次软件产品奖励", title_en="first-version software product reward",
      valid=VALID)
def first_version(r):
    level = r.fact("first_version_level")
    r.one_of("rated", "first_version_level", ["provincial", "national"], zh="产品被评定为省级或国家级首版次软件产品",
             en="a product rated provincial or national first-version software")
    r.amount(pl.when(level == "national").then(lit_int(r.param("first_version.national")))
             .otherwise(lit_int(r.param("first_version.provincial"))))


def _certification(r, schemes, per_level_param):
    r.check(CERTIFICATION_SCHEME, schemes, values={"schemes": schemes})
    reached = grade_steps(r, r.fact("level"))
    held = grade_steps(r, r.fact("previous_level").fill_null(0))
    held = pl.when(r.fact("previous_level") == 0).then(lit_int(0)).otherwise(held)
    r.check(CERTIFIED_AT_BASE_GRADE)
    gained = r.detail("levels_gained", reached - held, zh="新提高的等级数", en="grades gained", unit="int")
    r.check(GRADE_GAINED, gained)
    r.amount(gained * r.param(per_level_param))


@rule(id=f"{INNOVATION}/cmmi", entity="certification", title_zh="CMMI、T/SIA009-2020 资质认证奖励",
      title_en="CMMI / T/SIA009-2020 certification reward", valid=VALID, event_date="date")
def cmmi(r):
    _certification(r, ["CMMI", "T/SIA009-2020"], "certification.cmmi_per_level")


@rule(id=f"{INNOVATION}/itss", entity="certification", title_zh="T/SIA010.11-2021.1、ITSS、CS、CCRC 资质认证奖励",
      title_en="T/SIA010.11, ITSS, CS, CCRC certification reward", valid=VALID, event_date="date")
def itss(r):
    _certification(r, ["T/SIA010.11-2021.1", "ITSS", "CS", "CCRC"], "certification.other_per_level")


@rule(id=f"{INNOVATION}/iso27001", entity="certification", title_zh="ISO27001/BS7799 资质认证奖励",
      title_en="ISO27001 / BS7799 certification reward", valid=VALID, event_date="date")
def iso27001(r):
    r.one_of("scheme", "scheme", ["ISO27001", "BS7799"], zh="ISO27001/BS7799 认证", en="ISO27001 or BS7799")
    r.require("first_time", r.fact("previous_level").fill_null(0) == 0, facts=[],
              zh="首次通过（此前未持有）", en="first certification (none held before)")
    r.amount(lit_int(r.param("certification.iso27001")))


@rule(id=f"{INNOVATION}/key_tech", entity="enterprise", title_zh="关键核心技术攻关专项补助", title_en="key core-technology subsidy",
      valid=VALID)
def key_tech(r):
    r.is_true("listed", "key_tech_project", zh="列入我市软件产业领域关键核心技术攻关专项", en="in the city's key-technology programme")
    r.amount(least(r.fact("key_tech_assessed_yuan"), r.param("key_tech.cap")))


@rule(id=f"{INNOVATION}/matching", entity="enterprise", title_zh="国家、省重点研发专项配套补助", title_en="1:1 matching of key R&D funding",
      valid=VALID)
def matching(r):
    r.is_true("listed", "rd_key_project", zh="列入国家、省重点研发专项", en="in a national or provincial key R&D programme")
    r.amount(times_rate(r.fact("rd_superior_funding_yuan"), r.param("matching.ratio")))


@rule(id=FINANCE, entity="enterprise", title_zh="软件企业贷款额度", title_en="software enterprise loan limit", valid=VALID,
      kind="limit")
def loan_limit(r):
    r.check(SOFTWARE_ENTERPRISE)
    r.one_of("stage", "software_stage", ["startup", "growth"], zh="初创期或成长期", en="start-up or growth stage")
    r.amount(pl.when(r.fact("software_stage") == "startup").then(lit_int(r.param("finance.loan_limit_startup")))
             .otherwise(lit_int(r.param("finance.loan_limit_growth"))))


@rule(id=f"{FINANCE}/guarantee", entity="enterprise", title_zh="科技型中小软件企业融资担保额度",
      title_en="guarantee limit for technology-SME software firms", valid=VALID, kind="limit")
def guarantee(r):
    r.check(SOFTWARE_ENTERPRISE)
    r.is_true("tech_sme", "tech_sme", zh="符合科技型中小企业条件", en="a technology SME")
    r.detail("tolerance", pl.lit(str(r.param("finance.compensation_tolerance"))), zh="代偿容忍度（以内）",
             en="compensation tolerance (at most)", unit="str")
    r.amount(lit_int(r.param("finance.guarantee_limit")))
