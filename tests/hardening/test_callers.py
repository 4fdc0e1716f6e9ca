"""Limits that hold: idempotency keys are scoped to the caller; the login limit is atomic — of 100
parallel wrong passwords for one user from one address, at most 5 reach the password check
(PostgreSQL); the real user from another address still logs in."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from gazette.auth.models import LoginAttempt
from gazette.auth.testing import TEST_PASSWORD, ensure_user
from tests.conftest import is_postgres
from tests.hardening.conftest import CITIZEN, WORKER, api, key


def test_one_callers_key_never_blocks_or_reveals_anothers(citizen, worker):
    mine = citizen.post("/api/v1/vouchers/claims", headers=key("web-claim-1"),
                        json={"programme": "nev", "district": "南湖区", "person_id": CITIZEN})
    theirs = worker.post("/api/v1/vouchers/claims", headers=key("web-claim-1"),
                         json={"programme": "nev", "district": "秀洲区", "person_id": WORKER})
    assert mine.status_code == theirs.status_code == 200, (mine.text, theirs.text)
    assert theirs.json()["replayed"] is False and theirs.json()["person_id"] == WORKER
    again = citizen.post("/api/v1/vouchers/claims", headers=key("web-claim-1"),
                         json={"programme": "nev", "district": "南湖区", "person_id": CITIZEN})
    assert again.json()["replayed"] is True and again.json()["voucher_id"] == mine.json()["voucher_id"]


def test_fund_keys_are_the_callers_too(admin, citizen, worker, uow):
    import datetime as dt

    from jiaxing.schemes.provident_fund import service as S

    with uow() as s:
        S.setup(s, dt.date(2022, 5, 1))
    for c, pid, sex in ((citizen, CITIZEN, "male"), (worker, WORKER, "female")):
        r = c.post("/api/v1/fund/accounts", headers=key("open-1"),
                   json={"person_id": pid, "name": "某", "sex": sex, "birth_date": f"{pid[6:10]}-{pid[10:12]}-{pid[12:14]}",
                         "base": "3000", "rate": "12"})
        assert r.status_code == 201 and r.json()["replayed"] is False, r.text


@pytest.mark.postgres
def test_one_hundred_parallel_guesses_check_at_most_five(uow, db_url):
    if not is_postgres(db_url):
        pytest.skip("PostgreSQL")
    ensure_user("victim", "citizen")
    results: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(100)

    def guess(i: int) -> None:
        from gazette.auth import ratelimit

        barrier.wait()
        try:
            user, _ = ratelimit.attempt("victim", f"wrong-{i}", "203.0.113.5")
            code = 200 if user else 401
        except ratelimit.TooManyAttempts:
            code = 429
        with lock:
            results.append(code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 100 and results.count(401) == 5 and results.count(429) == 95
    with uow() as s:
        assert s.scalar(select(func.count()).select_from(LoginAttempt)) == 5  # only the checked ones
    # the real user, from their own address, is not locked out
    from gazette.auth import ratelimit

    user, _ = ratelimit.attempt("victim", TEST_PASSWORD, "198.51.100.20")
    assert user is not None and user["username"] == "victim"


def test_the_token_endpoint_throttles_per_user_and_address(uow):
    ensure_user("victim2", "citizen")
    here, there = api(), api()
    for i in range(5):
        assert here.post("/api/v1/auth/tokens", json={"username": "victim2", "password": f"w{i}"}).status_code == 401
    assert here.post("/api/v1/auth/tokens", json={"username": "victim2", "password": TEST_PASSWORD}).status_code == 429
    from fastapi.testclient import TestClient

    from gazette.api.app import create_app

    there = TestClient(create_app(), client=("198.51.100.30", 1234))
    assert there.post("/api/v1/auth/tokens", json={"username": "victim2", "password": TEST_PASSWORD}).status_code == 201
