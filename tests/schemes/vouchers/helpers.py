"""Invariant checks shared by the voucher tests."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from gazette.ledger import Ledger
from gazette.validate import example_enterprise_id, example_person_id
from jiaxing.schemes.vouchers.models import Application, Payment, Voucher
from jiaxing.schemes.vouchers.reconcile import report

_PIDS: dict[object, str] = {}
_EIDS: dict[object, str] = {}
_LOCK = threading.Lock()  # the concurrency tests draw ids from many threads


def pid(tag: object) -> str:
    """A valid, made-up ID number standing for ``tag`` (distinct tags, distinct ids, in one process)."""
    with _LOCK:
        if tag not in _PIDS:
            _PIDS[tag] = example_person_id(len(_PIDS) + 1)
        return _PIDS[tag]


def eid(tag: object) -> str:
    """A valid, made-up credit code standing for ``tag``."""
    with _LOCK:
        if tag not in _EIDS:
            _EIDS[tag] = example_enterprise_id(len(_EIDS) + 1)
        return _EIDS[tag]


def check_invariants(uow) -> dict:
    """Every pool: budget = pool + issued + redeemed, nothing negative; ledger = voucher table;
    no person over the limit; no enterprise paid twice for one clause; trial balance zero."""
    with uow() as s:
        rep = report(s)
        assert rep["ok"], rep["anomalies"]
        lg = Ledger("vouchers")
        tb = lg.trial_balance(s)
        assert tb.net_fen == 0 and tb.balanced
        assert lg.verify(s).ok
        for row in rep["pools"]:
            for k in ("budget_fen", "pool_fen", "issued_fen", "redeemed_fen"):
                assert row[k] >= 0, row
            assert row["budget_fen"] == row["pool_fen"] + row["issued_fen"] + row["redeemed_fen"], row
        over = s.execute(
            select(Voucher.programme, Voucher.person_id, func.count())
            .where(Voucher.status.in_(("claimed", "redeemed")))
            .group_by(Voucher.programme, Voucher.person_id)
            .having(func.count() > 1)
        ).all()
        assert over == []
        twice = s.execute(
            select(Payment.enterprise_id, Payment.clause, Payment.period, func.count())
            .group_by(Payment.enterprise_id, Payment.clause, Payment.period)
            .having(func.count() > 1)
        ).all()
        assert twice == []
        paid_apps = s.execute(select(func.count()).select_from(Application).where(Application.status == "paid")).scalar()
        assert paid_apps == s.execute(select(func.count()).select_from(Payment)).scalar()
    return rep


def state(uow) -> dict:
    """A comparable snapshot of the scheme (no ids, no timestamps)."""
    with uow() as s:
        vouchers = sorted(
            (v.programme, v.district, v.person_id, v.status, v.reserved_fen, v.face_fen)
            for v in s.execute(select(Voucher)).scalars()
        )
        apps = sorted(
            (a.enterprise_id, a.clause, a.period, a.status, a.amount_fen)
            for a in s.execute(select(Application)).scalars()
        )
        pays = sorted((p.enterprise_id, p.clause, p.period, p.amount_fen) for p in s.execute(select(Payment)).scalars())
        bals = sorted((a.code, b) for a, b in Ledger("vouchers").balances(s))
    return {"vouchers": vouchers, "applications": apps, "payments": pays, "balances": bals}
