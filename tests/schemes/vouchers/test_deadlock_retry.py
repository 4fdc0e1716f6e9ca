"""A one-statement command that PostgreSQL chose as a deadlock's victim was undone whole, so it runs
again — a bounded number of times; any other database error is raised at once."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

from jiaxing.schemes.vouchers import commands


class _Orig(Exception):
    def __init__(self, sqlstate: str):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _error(sqlstate: str) -> DBAPIError:
    return DBAPIError("SELECT vch_claim(…)", {}, _Orig(sqlstate))


def test_a_deadlock_runs_again_until_the_last_attempt():
    deadlock = _error("40P01")
    assert [commands._run_again(deadlock, n) for n in range(1, commands._RETRIES + 1)] == \
        [True] * (commands._RETRIES - 1) + [False]


def test_other_errors_never_run_again():
    for sqlstate in ("GZV01", "GZV02", "23505", "22003"):
        assert commands._run_again(_error(sqlstate), 1) is False
