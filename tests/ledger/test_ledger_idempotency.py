"""The generic idempotency helper that scheme commands (claim a voucher, …) wrap around their writes."""

from __future__ import annotations

import pytest
from ledger_helpers import counts

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.ledger import idempotent


def test_runs_once_and_replays(uow, ledger):
    calls = []

    def action():
        calls.append(1)
        with_ledger = ledger.transfer(s, "issued", "pool", 500, key="claim:p1")
        return {"voucher": "V-1", "entry": with_ledger.id}

    with uow() as s:
        first = idempotent(s, "vouchers.claim", "p1-nev", {"person": "p1", "programme": "nev"}, action)
    with uow() as s:
        again = idempotent(s, "vouchers.claim", "p1-nev", {"programme": "nev", "person": "p1"}, action)
    assert not first.replayed and again.replayed and again.result == first.result and len(calls) == 1


def test_reused_key_with_a_different_body(uow, ledger):
    with uow() as s:
        idempotent(s, "scope", "k1", {"a": 1}, lambda: {"ok": True})
    with uow() as s, pytest.raises(GazetteError) as err:
        idempotent(s, "scope", "k1", {"a": 2}, lambda: {"ok": True})
    assert err.value.code == "idempotency_key_reused" and http_status(err.value) == 409
    with uow() as s:  # same key, other scope: independent
        assert not idempotent(s, "other-scope", "k1", {"a": 2}, lambda: {"ok": True}).replayed


def test_a_failed_command_is_not_recorded(uow, ledger):
    before = counts(uow)

    def action():
        return {"entry": ledger.transfer(s, "issued", "pool", 10**9, key="too-big").id}

    with uow() as s:
        with pytest.raises(GazetteError) as err:
            idempotent(s, "scope", "k-fail", {"amount": 10**9}, action)
        assert err.value.code == "insufficient_funds"
    assert counts(uow) == before
    with uow() as s:  # the client may retry the same key once the cause is fixed
        assert not idempotent(s, "scope", "k-fail", {"amount": 10**9}, lambda: {"ok": 1}).replayed


def test_results_are_json(uow, ledger):
    import datetime as dt

    with uow() as s:
        res = idempotent(
            s, "scope", "k-json", {"d": dt.date(2022, 10, 8)}, lambda: {"on": dt.date(2022, 10, 8)}
        )
    assert res.result == {"on": "2022-10-08"}
