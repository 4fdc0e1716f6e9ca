"""A plain-Python reference of the fund's arrears rule (第十七条, decision PF3). The rule itself lives in
SQL, in jiaxing.schemes.provident_fund.arrears; test_rules_sql.py holds the two to each other."""

from __future__ import annotations


def unpaid_streak(month: int, last_paid: int | None, due_from: int) -> int:
    """Consecutive unpaid months ending at ``month`` (months before ``due_from`` do not count)."""
    floor = due_from - 1 if last_paid is None else max(last_paid, due_from - 1)
    return max(month - floor, 0)


def arrears_action(month: int, streak: int, reminded_month: int | None) -> str | None:
    """At 3 consecutive unpaid months the centre sends a reminder (催收); if the next month is unpaid
    too, the reminder was ineffective and the account is sealed."""
    if streak < 3:
        return None
    if reminded_month is None:
        return "remind"
    if reminded_month < month:
        return "seal"
    return None
