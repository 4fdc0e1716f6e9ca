"""第十七条 (decision PF3): the arrears rule lives once, in the SQL of the arrears run; here it is
evaluated by the database itself over a grid of cases and held to the plain-Python reference."""

from __future__ import annotations

import itertools

from sqlalchemy import text

from gazette.store.db import unit_of_work
from jiaxing.schemes.provident_fund.arrears import rule_sql

from . import reference_rules


def test_the_sql_arrears_rule_is_the_reference_rule(db_url):
    month = 1000
    cases = list(itertools.product((None, 990, 995, 996, 997, 998, 999, 1000), (900, 996, 997, 998, 1000),
                                   (None, 996, 998, 999, 1000)))
    with unit_of_work(db_url) as s:
        remind, seal = rule_sql(s)
        query = text(f"SELECT CASE WHEN {remind} THEN 1 ELSE 0 END, CASE WHEN {seal} THEN 1 ELSE 0 END "
                     "FROM (SELECT CAST(:last_paid AS INTEGER) AS last_paid_month, CAST(:due_from AS INTEGER) "
                     "AS due_from, CAST(:reminded AS INTEGER) AS reminded) a")
        actions = set()
        for last_paid, due_from, reminded in cases:
            reminds, seals = s.execute(query, {"m": month, "last_paid": last_paid, "due_from": due_from,
                                               "reminded": reminded}).one()
            expected = reference_rules.arrears_action(
                month, reference_rules.unpaid_streak(month, last_paid, due_from), reminded)
            got = "remind" if reminds else "seal" if seals else None
            assert not (reminds and seals)
            assert got == expected, (last_paid, due_from, reminded)
            actions.add(got)
    assert actions == {None, "remind", "seal"}  # the grid reaches every outcome
