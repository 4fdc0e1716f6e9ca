"""Entities and variables of the Jiaxing pack (documented in docs/variables.md).

Money is yuan in a situation (numbers or decimal strings) and integer fen inside the engine.
Yearly variables are given as ``{"2021": …, "2022": …}``.
"""

from gazette.rules.entities import Entity, Variable
from jiaxing.districts import DISTRICTS

PERSON = Entity(
    "person", "persons", "个人", "a natural person", district_fact="district",
    variables=(
        Variable("district", "str", "户籍或常住所在县（市、区）", "county / district of residence", choices=DISTRICTS),
        Variable("birth_date", "date", "出生日期", "date of birth"),
        Variable("sex", "str", "性别", "sex", choices=("male", "female")),
        Variable("flexible_employment", "bool", "以个体经营、非全日制、新业态等方式灵活就业", "works in flexible employment"),
        Variable("employee_pension_as_flexible", "bool", "以灵活就业人员身份参加职工基本养老保险",
                 "insured in employee pension insurance as a flexible worker"),
        Variable("stable_residence_income", "bool", "在本辖区有稳定的住所和较稳定的经济收入来源",
                 "stable residence and income in the jurisdiction"),
        Variable("full_capacity", "bool", "具有完全民事行为能力", "has full civil capacity"),
        Variable("resident_pension_recipient", "bool", "领取城乡居民基本养老保险待遇", "receives the resident basic pension"),
        Variable("medical_insurance", "str", "基本医疗保险类别", "basic medical insurance scheme",
                 choices=("employee", "resident", "none")),
        Variable("ltc_severe_disability", "bool", "经评定为重度失能（含失智）", "assessed as severely disabled"),
        Variable("ltc_care_type", "str", "长护险护理类型", "long-term care type",
                 choices=("elderly_institution", "medical_institution", "home")),
        Variable("ltc_monthly_care_cost_yuan", "money", "当月长护险护理服务费用", "care service cost this month", unit="yuan/month"),
        Variable("software_employed", "bool", "在嘉兴软件领域实现就业", "employed in Jiaxing's software sector"),
        Variable("software_training_passed", "bool", "在符合条件的人力资源服务机构培训合格",
                 "passed training at a qualifying HR service institution"),
        Variable("training_fee_yuan", "money", "培训费", "training fee paid"),
    ),
)

VEHICLE_PURCHASE = Entity(
    "vehicle_purchase", "vehicle_purchases", "汽车购买", "a car purchase", district_fact="district",
    variables=(
        Variable("buyer", "ref", "购车人", "buyer", target="person"),
        Variable("district", "str", "购车及领券所在县（市、区）", "district where the car is bought and the voucher used",
                 choices=DISTRICTS),
        Variable("price_yuan", "money", "购车价格（不含相关税费）", "price excluding taxes and fees"),
        Variable("new_energy", "bool", "新能源汽车", "new-energy vehicle"),
        Variable("date", "date", "购车日期", "purchase date"),
    ),
)

APPLIANCE_PURCHASE = Entity(
    "appliance_purchase", "appliance_purchases", "家电购买", "a household appliance purchase", district_fact="district",
    variables=(
        Variable("buyer", "ref", "购买人", "buyer", target="person"),
        Variable("district", "str", "购买及领券所在县（市、区）", "district where bought", choices=DISTRICTS),
        Variable("price_yuan", "money", "家电价格", "price"),
        Variable("category", "str", "家电品类", "appliance category",
                 choices=("air_conditioner", "refrigerator", "washing_machine", "television", "integrated_stove", "other")),
        Variable("energy_label", "int", "中国能效标识等级（1–5）", "China energy label grade (1–5)"),
        Variable("date", "date", "购买日期", "purchase date"),
    ),
)

CHARGING_FACILITY = Entity(
    "charging_facility", "charging_facilities", "充电设施", "a charging pile or station", district_fact="district",
    variables=(
        Variable("owner", "ref", "个人自用充电桩的所有人", "owner of a personal pile", target="person"),
        Variable("district", "str", "所在县（市、区）", "district", choices=DISTRICTS),
        Variable("facility_type", "str", "设施类型：社会充电桩、充电站、个人自用充电桩", "public pile, station or personal pile",
                 choices=("public_pile", "station", "personal_pile")),
        Variable("rated_power_kw", "decimal", "额定充电功率", "rated charging power", unit="kW", scale=3),
        Variable("location_type", "str", "充电站所在区域类型", "where the station is",
                 choices=("highway_service_area", "integrated_energy_station", "other")),
        Variable("guarantee_facility", "bool", "保障型充换电设施", "a guarantee-type charging/swapping facility"),
        Variable("operation_year", "int", "运营年度序号（投运第 1 年为 1）", "year of operation (first year = 1)"),
        Variable("energy_kwh", "decimal", "补贴年度充电量", "energy charged in the subsidised year", unit="kWh", scale=3),
        Variable("with_nev_purchase", "bool", "购置新能源汽车且建设个人自用充电桩", "built together with an NEV purchase"),
        Variable("build_date", "date", "建成日期", "date built"),
    ),
)

ENTERPRISE = Entity(
    "enterprise", "enterprises", "企业", "an enterprise (not a person)", district_fact="district",
    variables=(
        Variable("district", "str", "所在县（市、区）", "district", choices=DISTRICTS),
        Variable("main_revenue_yuan", "money", "主营业务收入", "main business revenue", period="year"),
        Variable("main_revenue_peak_before_yuan", "money", "此前年度主营业务收入最高值（可选）",
                 "highest main revenue of any earlier year (optional)"),
        Variable("monthly_scale_reached", "bool", "当年度实现月度上规", "reached the monthly above-scale threshold in the year",
                 period="year"),
        # 新能源汽车 嘉政办发〔2022〕47号
        Variable("nev_sales_company", "bool", "新能源汽车销售公司", "an NEV sales company"),
        Variable("nev_sales_company_new", "bool", "新设立的新能源汽车销售公司", "a newly established NEV sales company"),
        Variable("nev_fixed_investment_yuan", "money", "固定资产投资额（不含房产、土地款）",
                 "fixed-asset investment excluding buildings and land"),
        Variable("nev_show_filed", "bool", "车展经商务部门备案", "car show filed with the commerce department"),
        Variable("nev_show_expense_yuan", "money", "办展实际支出（场租、搭建、设备等）", "actual car-show expenses"),
        Variable("nev_show_subsidy_received_yuan", "money", "此前已获车展补助累计", "car-show subsidy already received"),
        Variable("nev_park_operator", "bool", "新能源汽车商贸园运营方", "operator of an NEV trade park"),
        Variable("nev_park_new_companies", "int", "年度新引进新能源汽车销售公司数", "NEV sales companies newly brought in",
                 period="year"),
        Variable("nev_spinoff", "bool", "新能源汽车制造企业主辅分离出的服务业企业", "service company spun off an NEV maker"),
        Variable("nev_spinoff_first_award_year", "int", "首次获主辅分离营收奖励的年度", "year of the first spin-off revenue award"),
        Variable("nev_sales_units", "int", "当年度汽车销量", "cars sold in the year", period="year"),
        Variable("nev_sales_rank", "int", "当年度新能源汽车销售公司销量排名", "sales ranking among NEV sales companies",
                 period="year"),
        Variable("used_car_dealer_company", "bool", "二手车经营户成立的经销公司", "dealer company formed by used-car traders"),
        # 绿色智能家电 嘉政办发〔2022〕46号
        Variable("appliance_sales_company", "bool", "家电销售企业", "a household-appliance sales enterprise"),
        Variable("appliance_spinoff", "bool", "家电制造企业主辅分离设立的销售公司", "sales company spun off an appliance maker"),
        Variable("appliance_promo_filed", "bool", "促销活动经商务部门备案", "promotion filed with the commerce department"),
        Variable("appliance_promo_days", "int", "促销活动持续天数", "promotion duration in days"),
        Variable("appliance_promo_brands", "int", "参与品牌数", "brands taking part"),
        Variable("appliance_promo_categories", "int", "参与品类数", "product categories taking part"),
        Variable("appliance_promo_expense_yuan", "money", "促销活动实际支出（场租、搭建、设备等）", "actual promotion expenses"),
        Variable("appliance_promo_subsidy_received_yuan", "money", "此前已获促销补助累计", "promotion subsidy already received"),
        # 软件产业 嘉政办发〔2022〕10号
        Variable("software_enterprise", "bool", "软件企业", "a software enterprise"),
        Variable("software_revenue_yuan", "money", "年度软件业务收入", "software revenue", period="year"),
        Variable("software_revenue_peak_before_yuan", "money", "此前年度软件业务收入最高值（可选）",
                 "highest software revenue of any earlier year (optional)"),
        Variable("first_listed_key_software", "bool", "首次列入国家鼓励的重点软件企业", "first listed as a national key software enterprise"),
        Variable("first_listed_key_ic_design", "bool", "首次列入国家鼓励的重点集成电路设计企业",
                 "first listed as a national key IC design enterprise"),
        Variable("first_listed_top100", "bool", "首次列入中国软件业务收入前百强企业", "first listed among China's top-100 software firms"),
        Variable("outsourcing_external_executed_yuan", "money", "承接市外软件外包订单实际执行金额",
                 "executed value of software outsourcing orders from outside the city"),
        Variable("first_version_level", "str", "首版次软件产品评定级别", "first-version software product rating",
                 choices=("none", "provincial", "national")),
        Variable("key_tech_project", "bool", "列入市软件产业领域关键核心技术攻关专项", "in the city's key core-technology programme"),
        Variable("key_tech_assessed_yuan", "money", "关键核心技术攻关专项核定补助额", "assessed key-technology subsidy"),
        Variable("rd_key_project", "bool", "列入国家、省重点研发专项", "in a national or provincial key R&D programme"),
        Variable("rd_superior_funding_yuan", "money", "国家、省重点研发专项上级资助额", "national/provincial funding received"),
        Variable("major_project", "bool", "引进的软件领域重大项目", "an attracted major software project"),
        Variable("major_project_standard_yuan", "money", "按重大项目标准核定的补助额", "subsidy assessed under major-project standards"),
        Variable("software_stage", "str", "软件企业发展阶段", "stage of the software enterprise", choices=("startup", "growth", "mature")),
        Variable("tech_sme", "bool", "符合科技型中小企业条件", "qualifies as a technology SME"),
    ),
)

CERTIFICATION = Entity(
    "certification", "certifications", "资质认证", "a software capability certification",
    variables=(
        Variable("holder", "ref", "取得认证的软件企业", "the software enterprise certified", target="enterprise"),
        Variable("scheme", "str", "认证体系", "certification scheme",
                 choices=("CMMI", "T/SIA009-2020", "T/SIA010.11-2021.1", "ITSS", "CS", "CCRC", "ISO27001", "BS7799")),
        Variable("level", "int", "本次通过的资质等级", "level certified now"),
        Variable("previous_level", "int", "此前已通过的最高等级（未通过为 0）", "highest level held before (0 if none)"),
        Variable("date", "date", "认证通过日期", "date certified"),
    ),
)

LOAN = Entity(
    "loan", "loans", "企业贷款", "a loan to an enterprise",
    variables=(
        Variable("borrower", "ref", "借款企业", "borrower", target="enterprise"),
        Variable("sector", "str", "借款企业类别", "borrower's sector", choices=("nev_sales", "appliance_sales", "other")),
        Variable("relending", "bool", "金融机构运用央行支持小微企业再贷款新发放", "newly issued under PBoC small-business relending"),
        Variable("annual_rate", "decimal", "贷款年利率（如 0.0435）", "annual interest rate (e.g. 0.0435)", unit="/1", scale=6),
        Variable("interest_yuan", "money", "已付利息", "interest paid"),
        Variable("date", "date", "贷款发放日期", "date the loan was issued"),
    ),
)

PENSION_CONTRIBUTION = Entity(
    "pension_contribution", "pension_contributions", "城乡居民养老保险缴费", "a resident pension contribution",
    variables=(
        Variable("person", "ref", "参保人", "insured person", target="person"),
        Variable("amount_yuan", "money", "缴费额（元/年）", "contribution per year", unit="yuan/year"),
        Variable("paid_date", "date", "缴费日期", "date paid"),
        Variable("back_payment", "bool", "因中断缴费而补缴", "a back payment for an interrupted year"),
    ),
)

PENSION_ADJUSTMENT = Entity(
    "pension_adjustment", "pension_adjustments", "基础养老金调整测算", "an annual basic-pension adjustment computation",
    variables=(
        Variable("rural_income_prev_yuan", "money", "上一年度全市农村居民人均可支配收入", "last year's rural per-capita disposable income"),
        Variable("rural_income_prev2_yuan", "money", "前一年度全市农村居民人均可支配收入", "the year before's rural income"),
        Variable("current_standard_yuan", "money", "现行基础养老金标准（元/月）", "current basic pension per month"),
    ),
)

PROVIDENT_FUND_ACCOUNT = Entity(
    "provident_fund_account", "provident_fund_accounts", "灵活就业人员住房公积金账户", "a flexible worker's housing fund account",
    variables=(
        Variable("holder", "ref", "缴存人", "depositor", target="person"),
        Variable("base_yuan", "money", "申报的缴存基数（元/月）", "declared monthly deposit base", unit="yuan/month"),
        Variable("rate", "decimal", "缴存比例（如 0.12）", "deposit rate (e.g. 0.12)", unit="/1", scale=4),
        Variable("back_payment", "bool", "申请补缴", "a request to pay arrears"),
    ),
)

DISTRICT = Entity(
    "district", "districts", "县（市、区）", "a county, county-level city or district", district_fact="name",
    variables=(
        Variable("name", "str", "县（市、区）名称", "name", choices=DISTRICTS),
        Variable("nev_voucher_spent_yuan", "money", "新能源汽车消费券发放额", "NEV vouchers issued"),
        Variable("appliance_voucher_spent_yuan", "money", "绿色智能家电消费券发放额", "appliance vouchers issued"),
    ),
)

FLIGHT = Entity(
    "flight", "flights", "无人驾驶航空器或空飘物飞行、施放", "a flight of a drone or a release of an airborne object",
    variables=(
        Variable("object_type", "str", "飞行器或空飘物类型", "kind of object",
                 choices=("drone", "airship", "model_aircraft", "glider", "hang_glider", "powered_paraglider",
                          "hot_air_balloon", "balloon", "sky_lantern", "other")),
        Variable("start_time", "datetime", "开始时间（北京时间）", "start (Asia/Shanghai)"),
        Variable("end_time", "datetime", "结束时间（北京时间，可选）", "end (Asia/Shanghai, optional)"),
        Variable("lat", "decimal", "纬度（WGS84）", "latitude (WGS84)", unit="degree", scale=6),
        Variable("lon", "decimal", "经度（WGS84）", "longitude (WGS84)", unit="degree", scale=6),
        Variable("approved", "bool", "经依法批准（电视转播、航拍、警务、应急救援、气象探测等）",
                 "approved by law (broadcast, aerial photography, police, rescue, weather …)"),
    ),
)

ENTITIES = [PERSON, VEHICLE_PURCHASE, APPLIANCE_PURCHASE, CHARGING_FACILITY, ENTERPRISE, CERTIFICATION, LOAN,
            PENSION_CONTRIBUTION, PENSION_ADJUSTMENT, PROVIDENT_FUND_ACCOUNT, DISTRICT, FLIGHT]
