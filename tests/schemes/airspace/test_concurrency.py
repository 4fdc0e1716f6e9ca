"""Races on PostgreSQL: one serial registered twice at once, a seal racing an approval."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from gazette.errors import GazetteError
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.airspace import (
    commands,
    handlers,  # noqa: F401
)
from jiaxing.schemes.airspace.models import Device, Flight, SealEvent
from tests.schemes.airspace.helpers import point_at

pytestmark = pytest.mark.postgres
LAT, LON = point_at(100)


def _together(*fns):
    barrier = threading.Barrier(len(fns))
    out: list = [None] * len(fns)

    def run(i, fn):
        barrier.wait()
        try:
            out[i] = fn()
        except GazetteError as exc:
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _register(key: str, owner: int, serial: str):
    return lambda: execute(commands.RegisterDevice(idempotency_key=key, actor="officer", owner_kind="person",
                                                   owner_id=example_person_id(owner), owner_name="x",
                                                   kind="drone",
                                                   model="m", serial=serial, by_registrar=True))


def test_one_serial_registered_at_once_twice(clean_db):
    for round_ in range(5):
        res = _together(_register(f"a{round_}", 2 * round_, f"RACE-{round_}"),
                        _register(f"b{round_}", 2 * round_ + 1, f"race-{round_}"))
        errors = [r for r in res if isinstance(r, GazetteError)]
        assert len(errors) == 1 and errors[0].code == "serial_registered" and errors[0].field == "serial"
    with unit_of_work() as s:
        assert len(s.scalars(select(Device)).all()) == 5


def test_a_seal_racing_an_approval_never_approves_a_sealed_device(clean_db):
    for round_ in range(5):
        d = _register(f"d{round_}", 100 + round_, f"SEAL-{round_}")().result
        f = execute(commands.ApplyFlight(idempotency_key=f"f{round_}", actor="owner",
                                         notice_id="嘉政发〔2022〕17号",
                                         device_id=d["id"], purpose="police", pilot="p",
                                         start="2022-09-12T09:00+08:00",
                                         end="2022-09-12T10:00+08:00", lat=LAT, lon=LON, radius_m=200)).result
        _together(lambda d=d, r=round_: execute(commands.SealDevice(idempotency_key=f"s{r}", actor="officer",
                                                                    device_id=d["id"], mode="direct",
                                                                    reason="r",
                                                                    place="p", officer="o")),
                  lambda f=f, r=round_: execute(commands.DecideFlight(idempotency_key=f"a{r}",
                                                                      actor="approver",
                                                                      flight_id=f["id"], approve=True,
                                                                      basis="b",
                                                                      department="d")))
        with unit_of_work() as s:
            flight = s.get(Flight, f["id"])
            seal = s.scalar(select(SealEvent).where(SealEvent.device_id == d["id"]))
            assert seal is not None
            if flight.status == "approved":  # the approval committed first; the seal came after it
                assert flight.decided_at <= seal.at
            else:
                assert flight.status == "applied"
