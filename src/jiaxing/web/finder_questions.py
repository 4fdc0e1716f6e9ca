"""The policy finder's questions: the steps, their fields and choices, and which question asks which
fact of a rule (so a missing fact links back to its question and a stored choice reads as words).

The flow through them — answers in the query string, short links, validation — is ``finder_flow``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from jiaxing.districts import DISTRICTS

YES_NO = (("1", "是", "yes"), ("0", "否", "no"))

Answers = dict[str, "str | list[str]"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # choice | multi | money | date | bool | int | decimal | rate
    zh: str
    en: str
    choices: tuple[tuple[str, str, str], ...] = ()
    required: bool = False
    hint_zh: str = ""
    hint_en: str = ""
    default: str = ""
    lo: int | None = None
    hi: int | None = None
    positive: bool = False  # a money amount of 0 is a question to re-answer (a price), not an answer
    required_if: Callable[[Answers], bool] | None = None  # required only for some answers


@dataclass(frozen=True)
class Step:
    id: str
    title_zh: str
    title_en: str
    fields: tuple[Field, ...]
    when: Callable[[Answers], bool] = field(default=lambda a: True)
    intro_zh: str = ""
    intro_en: str = ""


def _dist(name: str, zh: str, en: str, required: bool = True, required_if=None) -> Field:
    return Field(name, "choice", zh, en, tuple((d, d, "") for d in DISTRICTS), required=required,
                 required_if=required_if)


def _has(a: Answers, key: str, value: str) -> bool:
    v = a.get(key)
    return value in v if isinstance(v, list) else v == value


def _citizen(topic: str) -> Callable[[Answers], bool]:
    return lambda a: a.get("who") == "citizen" and _has(a, "buy", topic)


def _enterprise(kind: str) -> Callable[[Answers], bool]:
    return lambda a: a.get("who") == "enterprise" and _has(a, "kinds", kind)


STEPS: tuple[Step, ...] = (
    Step("who", "您是谁？", "Who are you?", (
        Field("who", "choice", "身份", "I am", (
            ("citizen", "个人 / 居民", "a citizen or resident"),
            ("enterprise", "企业", "an enterprise"),
            ("worker", "灵活就业人员", "a flexible worker"),
        ), required=True),
    )),
    # ---------------------------------------------------------------- citizen
    Step("topics", "您想了解哪些政策？", "What do you want to check?", (
        Field("buy", "multi", "我买了 / 我想了解", "I bought / I want to check", (
            ("nev", "新能源汽车", "a new-energy car"),
            ("appliance", "家电", "a household appliance"),
            ("pension", "城乡居民养老保险", "the resident pension"),
            ("ltc", "长期护理保险", "long-term care insurance"),
        ), required=True),
        _dist("district", "所在县（市、区）（购车、购家电及领券所在地）", "district (where you bought and claim)",
              required=False, required_if=lambda a: _has(a, "buy", "nev") or _has(a, "buy", "appliance")),
        Field("on", "date", "评估日期（养老、长护，可不填）", "evaluation date (pension, care; optional)",
              hint_zh="不填则按今天计算；购车、购家电始终按购买日期计算",
              hint_en="left blank: today; purchases always use the purchase date"),
    ), when=lambda a: a.get("who") == "citizen"),
    Step("nev", "新能源汽车", "New-energy car", (
        Field("nev_price", "money", "购车价格（元，不含相关税费）", "price in yuan, excluding taxes and fees", required=True,
              hint_zh="以购车发票价格扣除车辆购置税等税费", hint_en="the invoice price less purchase tax and fees",
              positive=True),
        Field("nev_date", "date", "购车日期", "purchase date", required=True),
        Field("nev_ne", "bool", "是新能源汽车（纯电、插混、燃料电池）", "a new-energy vehicle", YES_NO),
        Field("nev_pile", "bool", "同时安装了个人自用充电桩", "installed a personal charging pile with it", YES_NO),
    ), when=_citizen("nev")),
    Step("appliance", "家电", "Household appliance", (
        Field("app_cat", "choice", "品类", "category", (
            ("air_conditioner", "家用空调", "air conditioner"), ("refrigerator", "电冰箱", "refrigerator"),
            ("washing_machine", "洗衣机", "washing machine"), ("television", "电视机", "television"),
            ("integrated_stove", "家用集成灶", "integrated stove"), ("other", "其他", "other"),
        ), required=True),
        Field("app_price", "money", "价格（元）", "price (yuan)", required=True, positive=True),
        Field("app_label", "choice", "中国能效标识等级", "China energy label grade",
              tuple((str(i), f"{i} 级", f"grade {i}") for i in range(1, 6)), required=True),
        Field("app_date", "date", "购买日期", "purchase date", required=True),
    ), when=_citizen("appliance")),
    Step("pension", "城乡居民基本养老保险", "Resident basic pension", (
        Field("pen_recipient", "bool", "正在领取城乡居民基本养老保险待遇", "receiving the resident pension", YES_NO),
        Field("pen_amount", "money", "本年度缴费额（元/年，可不填）", "contribution this year (yuan, optional)"),
        Field("pen_paid", "date", "缴费日期（可不填）", "date paid (optional)"),
        Field("pen_back", "bool", "属于中断缴费后的补缴", "a back payment for an interrupted year", YES_NO),
    ), when=_citizen("pension")),
    Step("ltc", "长期护理保险", "Long-term care insurance", (
        Field("ltc_ins", "choice", "基本医疗保险类别", "basic medical insurance", (
            ("employee", "职工医保", "employee scheme"), ("resident", "城乡居民医保", "resident scheme"),
            ("none", "未参保", "none"),
        ), required=True),
        Field("ltc_severe", "bool", "经评定为重度失能（含失智）", "assessed as severely disabled", YES_NO),
        Field("ltc_type", "choice", "护理类型", "care type", (
            ("elderly_institution", "养老机构护理", "care home"), ("medical_institution", "医疗机构护理", "medical institution"),
            ("home", "居家护理", "home care"),
        )),
        Field("ltc_cost", "money", "当月护理服务费用（元）", "care cost this month (yuan)"),
    ), when=_citizen("ltc")),
    # ---------------------------------------------------------------- enterprise
    Step("kinds", "贵企业属于哪一类？", "What kind of enterprise?", (
        Field("kinds", "multi", "企业类型（可多选）", "kind (choose any)", (
            ("software", "软件企业", "software / IT company"),
            ("nev_sales", "新能源汽车销售公司", "NEV sales company"),
            ("charging", "充电设施运营方", "charging operator"),
            ("appliance_sales", "家电销售企业", "appliance seller"),
        ), required=True),
        Field("year", "int", "申报年度", "year of the figures", required=True, lo=2000, hi=2100,
              hint_zh="如 2022", hint_en="e.g. 2022"),
        Field("on", "date", "评估日期（可不填）", "evaluation date (optional)",
              hint_zh="不填则按申报年度的 12 月 31 日计算", hint_en="left blank: 31 December of that year"),
        _dist("ent_district", "所在县（市、区）", "district", required=False),
    ), when=lambda a: a.get("who") == "enterprise"),
    Step("software", "软件企业", "Software company", (
        Field("sw_rev", "money", "本年度软件业务收入（元）", "software revenue this year (yuan)", required=True),
        Field("sw_rev_prev", "money", "上年度软件业务收入（元）", "software revenue last year (yuan)", required=True),
        Field("sw_peak", "money", "更早年度的最高软件业务收入（元，可不填）", "highest revenue of any earlier year (optional)"),
        Field("sw_stage", "choice", "发展阶段", "stage", (
            ("startup", "初创期", "start-up"), ("growth", "成长期", "growth"), ("mature", "成熟期", "mature"))),
        Field("sw_sme", "bool", "符合科技型中小企业条件", "a technology SME", YES_NO),
        Field("sw_fv", "choice", "首版次软件产品评定", "first-version software product", (
            ("none", "无", "none"), ("provincial", "省级", "provincial"), ("national", "国家级", "national"))),
        Field("sw_listed", "multi", "本年度首次列入（可多选）", "first listed this year as (any)", (
            ("key_software", "国家鼓励的重点软件企业", "national key software enterprise"),
            ("key_ic_design", "国家鼓励的重点集成电路设计企业", "national key IC design enterprise"),
            ("top100", "中国软件业务收入前百强", "China's top-100 software firms"),
        )),
        Field("sw_out", "money", "承接市外软件外包订单实际执行金额（元，可不填）", "outsourcing orders from outside the city (optional)"),
    ), when=_enterprise("software")),
    Step("nev_sales", "新能源汽车销售公司", "NEV sales company", (
        Field("ns_new", "bool", "新设立的销售公司", "newly established", YES_NO),
        Field("ns_invest", "money", "固定资产投资额（元，不含房产、土地款）", "fixed investment excl. buildings and land (yuan)"),
        Field("ns_scale", "bool", "本年度实现月度上规", "reached the monthly above-scale threshold this year", YES_NO),
        Field("ns_units", "int", "本年度汽车销量（辆）", "cars sold this year", lo=0, hi=10_000_000),
        Field("ns_rank", "int", "销量在全市新能源汽车销售公司中的排名", "sales rank among NEV sales companies", lo=1, hi=100_000),
        Field("ns_show", "bool", "举办车展并经商务部门备案", "held a car show filed with the commerce department", YES_NO),
        Field("ns_show_exp", "money", "办展实际支出（元）", "car-show expenses (yuan)"),
    ), when=_enterprise("nev_sales")),
    Step("charging", "充电设施", "Charging facility", (
        Field("ch_type", "choice", "设施类型", "facility", (
            ("public_pile", "社会充电桩", "public charging pile"), ("station", "充电站", "charging station")), required=True),
        Field("ch_power", "decimal", "额定充电功率（千瓦）", "rated power (kW)"),
        Field("ch_loc", "choice", "所在区域", "location", (
            ("highway_service_area", "高速公路服务区", "highway service area"),
            ("integrated_energy_station", "综合供能服务站", "integrated energy station"), ("other", "其他", "other"))),
        Field("ch_guarantee", "bool", "保障型充换电设施", "a guarantee-type facility", YES_NO),
        Field("ch_year", "int", "运营年度序号（第 1 年为 1）", "year of operation (first = 1)", lo=1, hi=100),
        Field("ch_energy", "decimal", "补贴年度充电量（千瓦时）", "energy charged in the year (kWh)"),
    ), when=_enterprise("charging")),
    Step("appliance_sales", "家电销售企业", "Appliance seller", (
        Field("as_filed", "bool", "促销活动经商务部门备案", "promotion filed with the commerce department", YES_NO),
        Field("as_days", "int", "促销持续天数", "promotion days", lo=0, hi=366),
        Field("as_brands", "int", "参与品牌数", "brands taking part", lo=0, hi=100_000),
        Field("as_cats", "int", "参与品类数", "categories taking part", lo=0, hi=100_000),
        Field("as_exp", "money", "促销实际支出（元）", "promotion expenses (yuan)"),
        Field("as_spinoff", "bool", "由家电制造企业主辅分离设立", "spun off an appliance maker", YES_NO),
        Field("as_scale", "bool", "2022 年实现月度上规", "reached the monthly above-scale threshold in 2022", YES_NO),
    ), when=_enterprise("appliance_sales")),
    # ---------------------------------------------------------------- flexible worker
    Step("worker", "灵活就业人员住房公积金", "Housing fund for flexible workers", (
        Field("w_birth", "date", "出生日期", "date of birth", required=True),
        Field("w_sex", "choice", "性别", "sex", (("male", "男", "male"), ("female", "女", "female")), required=True),
        Field("w_base", "money", "月缴存基数（元）", "monthly deposit base (yuan)", required=True),
        Field("w_rate", "rate", "缴存比例（10%–24%）", "deposit rate (10%–24%)", required=True,
              hint_zh="如 12 或 12%", hint_en="e.g. 12 or 12%"),
        Field("w_flex", "bool", "以个体经营、非全日制、新业态等方式灵活就业", "in flexible employment", YES_NO),
        Field("w_pension", "bool", "以灵活就业人员身份参加职工基本养老保险", "insured in employee pension as a flexible worker",
              YES_NO),
        Field("w_residence", "bool", "在嘉兴有稳定的住所和较稳定的收入", "stable residence and income in Jiaxing", YES_NO),
        Field("w_capacity", "bool", "具有完全民事行为能力", "full civil capacity", YES_NO),
        Field("on", "date", "评估日期（可不填）", "evaluation date (optional)",
              hint_zh="不填则按今天计算", hint_en="left blank: today"),
    ), when=lambda a: a.get("who") == "worker"),
)
STEP_BY_ID = {s.id: s for s in STEPS}
MULTI = {f.name for s in STEPS for f in s.fields if f.kind == "multi"}
KNOWN = {f.name for s in STEPS for f in s.fields}


# ---------------------------------------------------------------- facts ↔ questions

# (entity, fact) → the question that asks it; a fact the finder does not ask has no entry
_FACT_FIELDS: dict[tuple[str, str], str] = {
    ("vehicle_purchase", "price_yuan"): "nev_price", ("vehicle_purchase", "new_energy"): "nev_ne",
    ("vehicle_purchase", "date"): "nev_date", ("vehicle_purchase", "district"): "district",
    ("appliance_purchase", "price_yuan"): "app_price", ("appliance_purchase", "category"): "app_cat",
    ("appliance_purchase", "energy_label"): "app_label", ("appliance_purchase", "date"): "app_date",
    ("appliance_purchase", "district"): "district",
    ("charging_facility", "with_nev_purchase"): "nev_pile", ("charging_facility", "facility_type"): "ch_type",
    ("charging_facility", "rated_power_kw"): "ch_power", ("charging_facility", "location_type"): "ch_loc",
    ("charging_facility", "guarantee_facility"): "ch_guarantee", ("charging_facility", "operation_year"): "ch_year",
    ("charging_facility", "energy_kwh"): "ch_energy", ("charging_facility", "district"): "ent_district",
    ("person", "district"): "district", ("person", "resident_pension_recipient"): "pen_recipient",
    ("person", "medical_insurance"): "ltc_ins", ("person", "ltc_severe_disability"): "ltc_severe",
    ("person", "ltc_care_type"): "ltc_type", ("person", "ltc_monthly_care_cost_yuan"): "ltc_cost",
    ("person", "birth_date"): "w_birth", ("person", "sex"): "w_sex", ("person", "flexible_employment"): "w_flex",
    ("person", "employee_pension_as_flexible"): "w_pension", ("person", "stable_residence_income"): "w_residence",
    ("person", "full_capacity"): "w_capacity",
    ("pension_contribution", "amount_yuan"): "pen_amount", ("pension_contribution", "paid_date"): "pen_paid",
    ("pension_contribution", "back_payment"): "pen_back",
    ("provident_fund_account", "base_yuan"): "w_base", ("provident_fund_account", "rate"): "w_rate",
    ("enterprise", "district"): "ent_district", ("enterprise", "software_revenue_yuan"): "sw_rev",
    ("enterprise", "software_revenue_peak_before_yuan"): "sw_peak", ("enterprise", "software_stage"): "sw_stage",
    ("enterprise", "tech_sme"): "sw_sme", ("enterprise", "first_version_level"): "sw_fv",
    ("enterprise", "first_listed_key_software"): "sw_listed", ("enterprise", "first_listed_key_ic_design"): "sw_listed",
    ("enterprise", "first_listed_top100"): "sw_listed", ("enterprise", "outsourcing_external_executed_yuan"): "sw_out",
    ("enterprise", "nev_sales_company_new"): "ns_new", ("enterprise", "nev_fixed_investment_yuan"): "ns_invest",
    ("enterprise", "monthly_scale_reached"): "ns_scale", ("enterprise", "nev_sales_units"): "ns_units",
    ("enterprise", "nev_sales_rank"): "ns_rank", ("enterprise", "nev_show_filed"): "ns_show",
    ("enterprise", "nev_show_expense_yuan"): "ns_show_exp", ("enterprise", "appliance_promo_filed"): "as_filed",
    ("enterprise", "appliance_promo_days"): "as_days", ("enterprise", "appliance_promo_brands"): "as_brands",
    ("enterprise", "appliance_promo_categories"): "as_cats", ("enterprise", "appliance_promo_expense_yuan"): "as_exp",
    ("enterprise", "appliance_spinoff"): "as_spinoff",
}
_LINK_ENTITY = {"buyer": "person", "holder": "person", "person": "person", "owner": "person"}
_FIELD_BY_NAME = {f.name: f for s in STEPS for f in s.fields}


def field_for(entity: str, fact: str, year: int | None = None) -> str | None:
    """A rule's fact column (``new_energy``, ``software_revenue_yuan@2021``, ``holder.birth_date``) → the
    finder question that asks it, or None. ``year`` is the evaluation year (a fact of the year before is
    asked by the "last year" question)."""
    name, _, fact_year = fact.partition("@")
    if "." in name:
        link, name = name.split(".", 1)
        entity = _LINK_ENTITY.get(link, link)
    out = _FACT_FIELDS.get((entity, name))
    if out == "sw_rev" and fact_year and year is not None and fact_year.isdigit() and int(fact_year) < year:
        return "sw_rev_prev"
    return out


# every choice the finder offers, in words — and the few the rules use that no question offers
VALUE_WORDS: dict[str, str] = {v: f"{zh} {en}".strip() for s in STEPS for f in s.fields if f.kind != "bool"
                               for v, zh, en in f.choices if v != zh}
VALUE_WORDS.update({"personal_pile": "个人自用充电桩 personal charging pile", "none": "无 none",
                    "male": "男 male", "female": "女 female"})


def choice_label(name: str | None, value: str) -> str:
    """A stored choice (``elderly_institution``) → its words (``养老机构护理 care home``) — never a code on a page."""
    f = _FIELD_BY_NAME.get(name or "")
    if f is not None:
        for v, zh, en in f.choices:
            if v == value:
                return f"{zh} {en}".strip()
    return VALUE_WORDS.get(value, value)
