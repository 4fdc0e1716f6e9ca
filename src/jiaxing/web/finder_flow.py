"""The policy finder's questions: steps, fields, validation, and the situation they build.

Every answer travels in the query string (GET forms), so each page of the flow is a shareable URL and
the browser's back / forward work. A step is shown when its ``when`` holds for the answers so far;
its fields are validated when a later step (or the result) is asked for — the first invalid step is
shown again with bilingual messages.
"""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

from jiaxing.districts import DISTRICTS  # noqa: F401  (re-exported for the scheme modules)

YES_NO = (("1", "是", "yes"), ("0", "否", "no"))
MAX_YUAN = Decimal("100000000000")  # 1,000 亿元: a bound far above any real figure, far below int64 fen overflow
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)

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


# ---------------------------------------------------------------- answers in the query string


ALIASES = {"nev_district": "district", "app_district": "district"}  # links made before one district question


def answers_from(items: list[tuple[str, str]]) -> Answers:
    """Query items → answers (known keys only; multi fields as lists; blanks dropped)."""
    out: Answers = {}
    for k, v in items:
        if k in ALIASES and not any(x == ALIASES[k] for x, _ in items):
            k = ALIASES[k]
        if k not in KNOWN:
            continue
        v = "".join(ch for ch in v if ch >= " ").strip()[:100]  # no control characters
        if k in MULTI:
            lst = out.setdefault(k, [])
            if v and v not in lst and isinstance(lst, list):
                lst.append(v)
        elif v:
            out[k] = v
    return {k: v for k, v in out.items() if v}


def flow(a: Answers) -> list[Step]:
    """The steps that apply to these answers, in order (it grows as answers arrive)."""
    return [s for s in STEPS if s.when(a)]


def flow_known(a: Answers) -> bool:
    """Whether the answers so far fix the whole flow (so "第 2 步，共 4 步" can be said)."""
    who = a.get("who")
    return who == "worker" or (who == "citizen" and bool(a.get("buy"))) or (who == "enterprise" and bool(a.get("kinds")))


def in_flow(a: Answers) -> Answers:
    """Only the answers the flow asks for (a permalink drops what another persona's steps left behind)."""
    names = {f.name for s in flow(a) for f in s.fields}
    return {k: v for k, v in a.items() if k in names}


def query(a: Answers, **extra: str) -> str:
    """The canonical query string of the answers (flow order), for links and permalinks."""
    items: list[tuple[str, str]] = []
    seen = set()
    for s in STEPS:
        for f in s.fields:
            if f.name in seen or f.name not in a:
                continue
            seen.add(f.name)
            v = a[f.name]
            items += [(f.name, x) for x in v] if isinstance(v, list) else [(f.name, v)]
    items += [(k, v) for k, v in extra.items() if v]
    return urlencode(items)


def hidden_items(a: Answers, exclude: set[str]) -> list[tuple[str, str]]:
    """Answers that the current form does not ask, as hidden inputs (so nothing is lost)."""
    return [(k, v) for k, v in parse_qsl(query({k: v for k, v in a.items() if k not in exclude}))]


# A short link: each answer as <field code><US><value> joined by <RS> (field codes are base-36 positions in
# the flow, values raw UTF-8), deflated when that is shorter, then base64url. Nothing is stored.
_CODES = {name: i for i, name in enumerate(dict.fromkeys(f.name for s in STEPS for f in s.fields))}
_NAMES = {i: name for name, i in _CODES.items()}
_US, _RS = "\x1f", "\x1e"


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    return digits[n] if n < 36 else digits[n // 36] + digits[n % 36]


def encode_slug(a: Answers) -> str:
    parts = []
    for name, value in parse_qsl(query(in_flow(a))):
        parts.append(f"{_b36(_CODES[name])}{_US}{value}")
    raw = _RS.join(parts).encode()
    packed = zlib.compress(raw, 9)
    data = b"z" + packed if len(packed) < len(raw) else b"r" + raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_slug(slug: str) -> Answers | None:
    """A short link back to its answers; None when it is not one of ours (no exception reaches a page)."""
    if len(slug) > 2000:
        return None
    try:
        data = base64.urlsafe_b64decode(slug + "=" * (-len(slug) % 4))
        if data[:1] == b"z":
            d = zlib.decompressobj()
            raw = d.decompress(data[1:], 8192)
            if d.unconsumed_tail:
                return None
        elif data[:1] == b"r":
            raw = data[1:]
        else:
            return None
        items = []
        for part in raw.decode().split(_RS):
            code, sep, value = part.partition(_US)
            if not sep or int(code, 36) not in _NAMES:
                return None
            items.append((_NAMES[int(code, 36)], value))
        return answers_from(items) or None
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None


# ---------------------------------------------------------------- validation


@dataclass
class Problem:
    field: str
    zh: str
    en: str


def _money(v: str, f: Field) -> tuple[Decimal | None, Problem | None]:
    text = v.replace(",", "").replace("，", "").replace("元", "").strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None, Problem(f.name, f"{f.zh}：请输入金额（元），如 250000", f"{f.en}: enter an amount in yuan, e.g. 250000")
    if not d.is_finite():
        return None, Problem(f.name, f"{f.zh}：请输入金额（元）", f"{f.en}: enter an amount in yuan")
    if d < 0:
        return None, Problem(f.name, f"{f.zh}：金额不能为负数", f"{f.en}: the amount cannot be negative")
    if d > MAX_YUAN:
        return None, Problem(f.name, f"{f.zh}：金额过大", f"{f.en}: the amount is too large")
    if f.positive and d == 0:
        return None, Problem(f.name, f"{f.zh}：价格为 0，请重新填写实际支付的价格",
                             f"{f.en}: a price of 0 — please enter the price you paid")
    if d != d.quantize(Decimal("0.01")):
        return None, Problem(f.name, f"{f.zh}：最多两位小数（分）", f"{f.en}: at most two decimal places (fen)")
    return d.quantize(Decimal("0.01")), None


def _decimal(v: str, f: Field) -> tuple[Decimal | None, Problem | None]:
    try:
        d = Decimal(v.replace(",", ""))
    except InvalidOperation:
        return None, Problem(f.name, f"{f.zh}：请输入数字", f"{f.en}: enter a number")
    if not d.is_finite() or d < 0 or d > 10**9:
        return None, Problem(f.name, f"{f.zh}：请输入 0 至 1,000,000,000 之间的数字", f"{f.en}: enter a number from 0 to 10^9")
    if d != d.quantize(Decimal("0.001")):
        return None, Problem(f.name, f"{f.zh}：最多三位小数", f"{f.en}: at most three decimal places")
    return d, None


def _rate(v: str, f: Field) -> tuple[int | None, Problem | None]:
    """A rate → basis points: "12", "12%" and "0.12" are all 12% (a number above 1 is a percentage)."""
    raw = v.strip().replace("％", "%")
    pct = raw.endswith("%")
    try:
        d = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        return None, Problem(f.name, f"{f.zh}：请输入比例，如 12 或 12%", f"{f.en}: enter a rate, e.g. 12 or 12%")
    if not d.is_finite() or d <= 0:
        return None, Problem(f.name, f"{f.zh}：比例应大于 0", f"{f.en}: the rate must be above 0")
    if not pct and d <= 1:
        d *= 100
    bp = d * 100
    if bp != bp.to_integral_value():
        return None, Problem(f.name, f"{f.zh}：最多保留两位小数（百分数）", f"{f.en}: at most two decimals of a percent")
    if bp > 10000:
        return None, Problem(f.name, f"{f.zh}：比例不能超过 100%", f"{f.en}: the rate cannot exceed 100%")
    return int(bp), None


def check_field(f: Field, v: str | list[str] | None) -> tuple[object, Problem | None]:
    """(clean value, problem). A blank optional field is (None, None)."""
    if v is None or v == "" or v == []:
        if f.required:
            return None, Problem(f.name, f"请填写：{f.zh}", f"required: {f.en}")
        return None, None
    if f.kind == "multi":
        allowed = {c[0] for c in f.choices}
        vals = v if isinstance(v, list) else [v]
        bad = [x for x in vals if x not in allowed]
        if bad:
            return None, Problem(f.name, f"{f.zh}：无效选项 {bad[0]}", f"{f.en}: invalid choice {bad[0]}")
        return vals, None
    assert isinstance(v, str)
    if f.kind in ("choice", "bool"):
        if v not in {c[0] for c in f.choices}:
            return None, Problem(f.name, f"{f.zh}：请从列表中选择", f"{f.en}: choose one of the options")
        return (v == "1") if f.kind == "bool" else v, None
    if f.kind == "money":
        return _money(v, f)
    if f.kind == "decimal":
        return _decimal(v, f)
    if f.kind == "date":
        try:
            d = dt.date.fromisoformat(v)
        except ValueError:
            return None, Problem(f.name, f"{f.zh}：日期格式应为 YYYY-MM-DD，如 2022-10-08",
                                 f"{f.en}: expected a date YYYY-MM-DD, e.g. 2022-10-08")
        if not MIN_DATE <= d <= MAX_DATE:
            return None, Problem(f.name, f"{f.zh}：日期应在 1900-01-01 至 2100-12-31 之间",
                                 f"{f.en}: the date must be between 1900-01-01 and 2100-12-31")
        return d, None
    if f.kind == "int":
        try:
            n = int(v)
        except ValueError:
            return None, Problem(f.name, f"{f.zh}：请输入整数", f"{f.en}: enter a whole number")
        if (f.lo is not None and n < f.lo) or (f.hi is not None and n > f.hi):
            return None, Problem(f.name, f"{f.zh}：应在 {f.lo} 至 {f.hi} 之间", f"{f.en}: must be from {f.lo} to {f.hi}")
        return n, None
    if f.kind == "rate":
        return _rate(v, f)
    raise AssertionError(f.kind)


def check_step(step: Step, a: Answers) -> tuple[dict[str, object], list[Problem]]:
    clean: dict[str, object] = {}
    problems: list[Problem] = []
    for f in step.fields:
        if f.required_if is not None and f.required_if(a) and not a.get(f.name):
            problems.append(Problem(f.name, f"请填写：{f.zh}", f"required: {f.en}"))
            continue
        value, p = check_field(f, a.get(f.name))
        if p:
            problems.append(p)
        elif value is not None:
            clean[f.name] = value
    return clean, problems


def check_all(a: Answers) -> tuple[dict[str, object], Step | None, list[Problem]]:
    """Validate every step of the flow: (clean values, first invalid step, its problems)."""
    clean: dict[str, object] = {}
    for step in flow(a):
        values, problems = check_step(step, a)
        if problems:
            return clean, step, problems
        clean.update(values)
    return clean, None, []


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
_FIELD = {f.name: f for s in STEPS for f in s.fields}


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


def step_of(name: str | None, a: Answers) -> str | None:
    """The step (in this flow) that asks the question ``name``."""
    for s in flow(a):
        if any(f.name == name for f in s.fields):
            return s.id
    return None


# every choice the finder offers, in words — and the few the rules use that no question offers
VALUE_WORDS: dict[str, str] = {v: f"{zh} {en}".strip() for s in STEPS for f in s.fields if f.kind != "bool"
                               for v, zh, en in f.choices if v != zh}
VALUE_WORDS.update({"personal_pile": "个人自用充电桩 personal charging pile", "none": "无 none",
                    "male": "男 male", "female": "女 female"})


def choice_label(name: str | None, value: str) -> str:
    """A stored choice (``elderly_institution``) → its words (``养老机构护理 care home``) — never a code on a page."""
    f = _FIELD.get(name or "")
    if f is not None:
        for v, zh, en in f.choices:
            if v == value:
                return f"{zh} {en}".strip()
    return VALUE_WORDS.get(value, value)
