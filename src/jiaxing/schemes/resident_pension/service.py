"""The edges' entry points: raw values in (strings as a person writes them), validated with
:mod:`gazette.validate`, a command built and executed (idempotent per caller and key).

The API, the CLI, the pages and the demo call these; batch runs live in :mod:`.payroll` and :mod:`.bank`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazette import validate
from gazette.schemes.handler import Outcome, execute
from jiaxing.schemes.resident_pension import (
    commands,
    domain,
    handlers,  # noqa: F401 - registers the command functions
    participants,
)


def _result(o: Outcome) -> dict[str, Any]:
    return {**o.result, "replayed": o.replayed}


def enrol(raw: dict[str, Any], *, key: str, actor: str) -> dict:
    r = participants.clean_row(raw)
    return _result(execute(commands.Enrol(idempotency_key=key, actor=actor, **r)))


def import_roster(data: bytes, filename: str, *, key: str, actor: str) -> dict:
    """Every row validated (errors name row and column); any bad row rejects the file, nothing written.
    A repeat with the same key and rows replays the first result."""
    rows = participants.read_roster(data, filename)
    return _result(execute(participants.roster_command(rows, key=key, actor=actor)))


def start(person_id: str, from_month: str, *, key: str, actor: str) -> dict:
    return _result(execute(commands.StartPension(idempotency_key=key, actor=actor,
                                                 person_id=validate.person_id(person_id),
                                                 from_month=validate.month(from_month, "from_month"))))


def suspend(person_id: str, *, key: str, actor: str, reason: str = "待遇资格认证未通过") -> dict:
    return _result(execute(commands.Suspend(idempotency_key=key, actor=actor,
                                            person_id=validate.person_id(person_id),
                                            reason=validate.text(reason, "reason", max_length=200))))


def restart(person_id: str, *, key: str, actor: str) -> dict:
    return _result(execute(commands.Restart(idempotency_key=key, actor=actor, person_id=validate.person_id(person_id))))


def death(person_id: str, death_date: str | dt.date, *, key: str, actor: str) -> dict:
    return _result(execute(commands.ReportDeath(idempotency_key=key, actor=actor,
                                                person_id=validate.person_id(person_id),
                                                death_date=validate.date(death_date, "death_date"))))


def transfer_out(person_id: str, on: str | dt.date, *, key: str, actor: str) -> dict:
    return _result(execute(commands.TransferOut(idempotency_key=key, actor=actor,
                                                person_id=validate.person_id(person_id),
                                                on=validate.date(on, "on"))))


def contribute(person_id: str, year: Any, amount: Any, paid_on: Any, *, key: str, actor: str) -> dict:
    return _result(execute(commands.Contribute(
        idempotency_key=key, actor=actor, person_id=validate.person_id(person_id),
        year=validate.integer(year, "year", minimum=2009, maximum=2100),
        amount_fen=validate.yuan(amount, "amount", allow_zero=False, maximum=domain.MAX_STANDARD_FEN // 100),
        paid_on=validate.date(paid_on, "paid_on", earliest=dt.date(2009, 1, 1)))))


def propose(year: Any, rural_income: Any, growth: Any, *, key: str, actor: str) -> dict:
    return _result(execute(commands.ProposeAdjustment(
        idempotency_key=key, actor=actor, year=validate.integer(year, "year", minimum=2023, maximum=2100),
        rural_income_fen=validate.yuan(rural_income, "rural_income", allow_zero=False, maximum=10_000_000),
        growth_ppm=domain.growth_ppm(growth))))


def edit(year: Any, amount: Any, *, key: str, actor: str, note: str = "") -> dict:
    return _result(execute(commands.EditAdjustment(
        idempotency_key=key, actor=actor, year=validate.integer(year, "year", minimum=2023, maximum=2100),
        amount_fen=validate.yuan(amount, "amount", allow_zero=False, maximum=domain.MAX_STANDARD_FEN // 100),
        note=validate.text(note, "note", max_length=2000, min_length=0) if note else "")))


def submit(year: Any, *, key: str, actor: str) -> dict:
    return _result(execute(commands.SubmitAdjustment(idempotency_key=key, actor=actor,
                                                     year=validate.integer(year, "year", minimum=2023,
                                                                           maximum=2100))))


def approve(year: Any, *, key: str, actor: str) -> dict:
    return _result(execute(commands.ApproveAdjustment(idempotency_key=key, actor=actor,
                                                      year=validate.integer(year, "year", minimum=2023,
                                                                            maximum=2100))))


def reject(year: Any, reason: str, *, key: str, actor: str) -> dict:
    return _result(execute(commands.RejectAdjustment(idempotency_key=key, actor=actor,
                                                     year=validate.integer(year, "year", minimum=2023,
                                                                           maximum=2100),
                                                     reason=validate.text(reason, "reason",
                                                                          max_length=2000))))
