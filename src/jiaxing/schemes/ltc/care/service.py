"""The care half's edge-neutral service: raw values in (from the CLI, the API or a page), validated and
canonical, a command out through the one handler. The edges stay thin and say the same thing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from gazette import validate
from gazette.corpus.docnumber import canonical_id
from gazette.errors import InvalidInput
from gazette.schemes.handler import execute
from jiaxing.schemes.ltc.care import catalogue, commands, handlers, params, settlement, violations
from jiaxing.schemes.ltc.care.models import CARE_TYPES

SH = handlers.SH
LTC_DOCUMENT = params.BENEFIT_CLAUSE.partition("#")[0]
MAX_YUAN = 10_000_000  # a correction of one claim: far above any month of one provider, below int64 limits


def setup(session) -> dict:
    """Catalogue (DEMO), rule library and the book (idempotent)."""
    added = catalogue.load_demo(session)
    violations.load_rules(session)
    settlement.setup(session)
    return {"catalogue_items_added": added, "rules": len(violations.RULES), "book": params.BOOK}


def moment(value, field: str = "at") -> dt.datetime:
    """An ISO date-time (``2023-01-05T09:00``, local time Asia/Shanghai unless an offset is given)."""
    try:
        out = dt.datetime.fromisoformat(str(value).strip()) if isinstance(value, str) and len(value) >= 16 else None
    except ValueError:
        out = None
    if out is None:
        raise InvalidInput("时间格式应为 YYYY-MM-DDTHH:MM", "a time is written YYYY-MM-DDTHH:MM", field=field,
                           code="invalid_time")
    out = out.replace(tzinfo=SH) if out.tzinfo is None else out.astimezone(SH)
    validate.date(out.date(), field)
    return out


def udeg(value, field: str) -> int | None:
    """Decimal degrees (``30.7512``) → micro-degrees, exactly; None when not given."""
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite() or not -180 <= d <= 180 or (d * 1_000_000) != (d * 1_000_000).to_integral_value():
        raise InvalidInput("经纬度应为十进制度数，最多 6 位小数", "a coordinate is decimal degrees, at most 6 decimals",
                           field=field, code="invalid_position")
    return int(d * 1_000_000)


def codes(value, field: str = "items") -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    out = tuple(dict.fromkeys(validate.text(str(c), field, max_length=20).upper() for c in items if str(c).strip()))
    if not out:
        raise InvalidInput("至少填写一个服务项目编码", "give at least one service item code", field=field)
    return out


def face(value) -> bool | None:
    if value in (None, ""):
        return None
    v = str(value).strip().lower()
    if v in ("pass", "ok", "true", "通过"):
        return True
    if v in ("fail", "false", "未通过"):
        return False
    raise InvalidInput("人脸验证结果应为 pass 或 fail", "face check is pass or fail", field="face")


def register_provider(body: dict, *, key: str, actor: str) -> dict:
    care_type = str(body.get("care_type", ""))
    if care_type not in CARE_TYPES:
        raise InvalidInput("护理类型应为 elderly_institution、medical_institution 或 home",
                           "care_type is elderly_institution, medical_institution or home", field="care_type")
    cmd = commands.RegisterProvider(idempotency_key=key, actor=actor, code=validate.text(body.get("code"), "code", max_length=40),
                             name=validate.text(body.get("name"), "name", max_length=200),
                             district=validate.text(body.get("district"), "district", max_length=30), care_type=care_type,
                             dementia_unit=bool(body.get("dementia_unit", False)),
                             designated_on=validate.date(body.get("designated_on"), "designated_on"))
    return _run(cmd)


def register_caregiver(body: dict, *, key: str, actor: str) -> dict:
    return _run(commands.RegisterCaregiver(idempotency_key=key, actor=actor,
                                    provider_code=validate.text(body.get("provider"), "provider", max_length=40),
                                    name=validate.text(body.get("name"), "name", max_length=100),
                                    certificate=validate.text(body.get("certificate"), "certificate", max_length=60)))


def choose_plan(body: dict, *, key: str, actor: str) -> dict:
    return _run(commands.ChoosePlan(idempotency_key=key, actor=actor, person_id=validate.person_id(body.get("person_id")),
                             provider_code=validate.text(body.get("provider"), "provider", max_length=40),
                             starts_on=validate.date(body.get("starts_on"), "starts_on"), items=codes(body.get("items"))))


def check_in(body: dict, *, key: str, actor: str) -> dict:
    return _run(commands.CheckIn(idempotency_key=key, actor=actor,
                          certificate=validate.text(body.get("certificate"), "certificate", max_length=60),
                          person_id=validate.person_id(body.get("person_id")), at=moment(body.get("at")),
                          lat_udeg=udeg(body.get("lat"), "lat"), lon_udeg=udeg(body.get("lon"), "lon"),
                          face_ok=face(body.get("face"))))


def check_out(body: dict, *, key: str, actor: str) -> dict:
    return _run(commands.CheckOut(idempotency_key=key, actor=actor,
                           visit_id=validate.integer(body.get("visit_id"), "visit_id", minimum=1, maximum=2**62),
                           at=moment(body.get("at")), items=codes(body.get("items")),
                           certificate=None if body.get("certificate") is None else
                           validate.text(body.get("certificate"), "certificate", max_length=60)))


def record_day(body: dict, *, key: str, actor: str) -> dict:
    return _run(commands.RecordDay(idempotency_key=key, actor=actor, person_id=validate.person_id(body.get("person_id")),
                            day=validate.date(body.get("day"), "day"), items=codes(body.get("items"))))


def decide(body: dict, *, key: str, actor: str, district: str | None) -> dict:
    decision = str(body.get("decision", ""))
    return _run(commands.DecideFinding(idempotency_key=key, actor=actor, district=district,
                                finding_id=validate.integer(body.get("finding_id"), "finding_id", minimum=1, maximum=2**62),
                                decision={"confirm": "confirmed", "dismiss": "dismissed"}.get(decision, decision),
                                note=validate.text(body.get("note") or "-", "note", max_length=500)))


def clause_of_ltc(value, field: str = "clause") -> str:
    """A clause id of 嘉政发〔2022〕21号 (the 文号 written in any accepted form), canonical."""
    canonical = canonical_id(validate.text(value, field, max_length=100))
    document, _, path = canonical.partition("#")
    if document != LTC_DOCUMENT or not path:
        raise InvalidInput(f"请引用{LTC_DOCUMENT}的条款，如 {params.BENEFIT_CLAUSE}",
                           f"cite a clause of {LTC_DOCUMENT}, e.g. {params.BENEFIT_CLAUSE}", field=field,
                           code="invalid_clause")
    return canonical


def correct(body: dict, *, key: str, actor: str, district: str | None) -> dict:
    """A correction of a paid claim; ``amount`` in yuan, negative for a recovery (D-LTC-C3)."""
    return _run(commands.CorrectPaidClaim(
        idempotency_key=key, actor=actor, district=district,
        provider_code=validate.text(body.get("provider"), "provider", max_length=40),
        month=validate.month(body.get("month")),
        amount_fen=validate.yuan(body.get("amount"), "amount", minimum=-MAX_YUAN, maximum=MAX_YUAN, allow_zero=False),
        reason=validate.text(body.get("reason"), "reason", max_length=500), clause=clause_of_ltc(body.get("clause"))))


def rate(body: dict, *, key: str, actor: str) -> dict:
    return _run(commands.RateVisit(idempotency_key=key, actor=actor, person_id=validate.person_id(body.get("person_id")),
                            visit_id=validate.integer(body.get("visit_id"), "visit_id", minimum=1, maximum=2**62),
                            stars=validate.integer(body.get("stars"), "stars", minimum=1, maximum=5),
                            comment=validate.text(body.get("comment") or "-", "comment", max_length=500)))


def _run(cmd) -> dict:
    out = execute(cmd)
    return {**out.result, "replayed": out.replayed}
