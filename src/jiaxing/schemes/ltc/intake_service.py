"""The intake half's entry points for the edges: raw values in (as a person writes them), validated
with :mod:`gazette.validate`, a command built and executed (idempotent per caller and key).

The API, the CLI, the pages and the demo call these; the reading functions live in the domain modules
and :mod:`.intake_dashboard`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazette import validate
from gazette.errors import InvalidInput
from gazette.ledger import clock
from gazette.schemes.handler import Outcome, execute
from jiaxing.schemes.ltc import (  # noqa: F401
    intake_applications,
    intake_assessment,
    intake_commands,
    intake_discovery,
    intake_funding,
    intake_roster,
)
from jiaxing.schemes.ltc.intake_params import TITLE_RANK

FIRST_DAY = dt.date(2017, 6, 1)  # 一.（一）: the scheme began in June 2017


def _result(o: Outcome) -> dict[str, Any]:
    return {**o.result, "replayed": o.replayed}


def _rows(rows: list[dict[str, Any]]) -> tuple:
    return tuple(tuple(sorted((str(k), "" if v is None else str(v)) for k, v in r.items() if k)) for r in rows)


def _batch(batch: Any) -> str:
    return validate.text(batch, "batch", max_length=60)


def _today() -> dt.date:
    return clock.now().date()


def _date(value: Any, field: str) -> dt.date:
    if value in (None, ""):
        return _today()
    return validate.date(value, field, earliest=FIRST_DAY, latest=_today())


def _id(value: Any, field: str) -> int:
    return validate.integer(value, field, minimum=1, maximum=2**62)


def import_roster(data: bytes, filename: str, batch: str, *, key: str, actor: str) -> dict:
    """一.（二）, 三.（一）.1: every row validated; any bad row rejects the file (errors name row and column)."""
    rows = intake_roster.read_table(data, filename)
    return _result(execute(intake_commands.ImportRoster(idempotency_key=key, actor=actor, batch=_batch(batch), rows=_rows(rows))))


def clear_duplicate(duplicate_id: Any, keep_scheme: str, *, key: str, actor: str, note: str = "") -> dict:
    keep = intake_roster.SCHEMES.get(str(keep_scheme).strip())
    if keep is None:
        raise InvalidInput("保留的险种应为 employee（职工医保）或 resident（城乡居民医保）",
                           "keep_scheme must be employee or resident", field="keep_scheme")
    return _result(execute(intake_commands.ClearDuplicate(idempotency_key=key, actor=actor, keep_scheme=keep,
                                            duplicate_id=_id(duplicate_id, "duplicate_id"),
                                            note=validate.text(note, "note", max_length=500, min_length=0))))


def set_population(district: str, year: Any, registered: Any, source: str, *, key: str, actor: str) -> dict:
    return _result(execute(intake_commands.SetPopulation(
        idempotency_key=key, actor=actor, district=intake_roster.district(district), year=validate.integer(year, "year", minimum=2017,
                                                                                        maximum=2100),
        registered=validate.integer(registered, "registered", minimum=1, maximum=100_000_000),
        source=validate.text(source, "source", max_length=200))))


def fund(year: Any, batch: str, *, key: str, actor: str) -> dict:
    return _result(execute(intake_commands.Fund(idempotency_key=key, actor=actor, year=validate.integer(year, "year", minimum=2017,
                                                                                   maximum=2100), batch=_batch(batch))))


def import_list(kind: str, data: bytes, filename: str, batch: str, *, key: str, actor: str) -> dict:
    """三.（三）.8: a list from another department (discharge, disability, dibao, death)."""
    k = intake_discovery.check_kind(str(kind).strip())
    rows = intake_roster.read_table(data, filename, required=intake_discovery.COLUMNS[k])
    return _result(execute(intake_commands.ImportList(idempotency_key=key, actor=actor, kind=k, batch=_batch(batch),
                                        rows=_rows(rows))))


def discover(on: Any = None, *, key: str, actor: str) -> dict:
    return _result(execute(intake_commands.Discover(idempotency_key=key, actor=actor, on=_date(on, "on"))))


def apply(raw: dict[str, Any], *, key: str, actor: str) -> dict:
    """三.（三）.9: online (self or agent) or at a desk; the edge decides who may use which channel."""
    channel = str(raw.get("channel") or "").strip()
    if channel not in ("online_self", "online_agent", "desk"):
        raise InvalidInput("申请渠道应为 本人网上申请、家属代办 或 窗口受理", "channel must be online_self, online_agent "
                           "or desk", field="channel", code="unknown_channel")
    kind = str(raw.get("kind") or "first").strip()
    if kind not in ("first", "reassessment"):
        raise InvalidInput("申请类型应为首次评估或复评", "kind must be first or reassessment", field="kind")
    agent, relation = str(raw.get("agent_name") or "").strip(), str(raw.get("agent_relation") or "").strip()
    if channel == "online_agent":
        agent = validate.text(agent, "agent_name", max_length=100)
        relation = validate.text(relation, "agent_relation", max_length=30)
    phone = str(raw.get("phone") or "").strip()
    if phone and not (phone.isascii() and phone.isdigit() and 7 <= len(phone) <= 15):
        raise InvalidInput("联系电话应为 7–15 位数字", "a phone number is 7-15 digits", field="phone")
    dementia = raw.get("dementia_unit") in (True, "true", "1", "on", "yes")
    return _result(execute(intake_commands.Apply(
        idempotency_key=key, actor=actor, person_id=validate.person_id(raw.get("person_id")), channel=channel, kind=kind,
        applied_on=_date(raw.get("applied_on"), "applied_on"), agent_name=agent, agent_relation=relation, phone=phone,
        provider=validate.text(str(raw.get("provider") or ""), "provider", max_length=100, min_length=0),
        dementia_unit=dementia)))


def withdraw(application_id: Any, *, key: str, actor: str) -> dict:
    return _result(execute(intake_commands.Withdraw(idempotency_key=key, actor=actor,
                                      application_id=_id(application_id, "application_id"))))


def add_expert(raw: dict[str, Any], *, key: str, actor: str) -> dict:
    title = str(raw.get("title") or "").strip()
    if title not in TITLE_RANK:
        raise InvalidInput("职称应为 junior、intermediate、associate_senior 或 senior", "unknown title",
                           field="title", code="unknown_title")
    d = raw.get("district")
    return _result(execute(intake_commands.AddExpert(
        idempotency_key=key, actor=actor, username=validate.text(raw.get("username"), "username", max_length=100),
        name=validate.text(raw.get("name"), "name", max_length=100), title=title,
        unit=validate.text(raw.get("unit"), "unit", max_length=100), district=intake_roster.district(d) if d else None)))


def _items(raw: Any) -> tuple:
    if not isinstance(raw, dict):
        raise InvalidInput("评分应为“项目: 分值”的对应表", "scores must map item codes to points", field="items")
    return tuple(sorted((str(k), "" if v is None else str(v).strip()) for k, v in raw.items()))


def collect(application_id: Any, items: Any, *, key: str, actor: str, assessor_unit: str = "", on: Any = None) -> dict:
    """镇街信息采集 (an assessor); the system scores it and draws the experts."""
    return _result(execute(intake_commands.Collect(
        idempotency_key=key, actor=actor, application_id=_id(application_id, "application_id"), items=_items(items),
        assessor_unit=validate.text(assessor_unit or "", "assessor_unit", max_length=100, min_length=0),
        on=_date(on, "on"))))


def assign(application_id: Any, expert: str, *, key: str, actor: str) -> dict:
    return _result(execute(intake_commands.AssignExpert(idempotency_key=key, actor=actor,
                                          application_id=_id(application_id, "application_id"),
                                          expert=validate.text(expert, "expert", max_length=100))))


def score(application_id: Any, items: Any, *, key: str, actor: str, on: Any = None) -> dict:
    """县级专家复评: the expert is the actor."""
    return _result(execute(intake_commands.Score(idempotency_key=key, actor=actor, application_id=_id(application_id, "application_id"),
                                   items=_items(items), on=_date(on, "on"))))


def schedule(on: Any = None, *, key: str, actor: str) -> dict:
    return _result(execute(intake_commands.ScheduleReassessments(idempotency_key=key, actor=actor, on=_date(on, "on"))))
