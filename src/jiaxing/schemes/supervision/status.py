"""A task's status on a date, derived from its deadline, its targets and its last report (never stored).

* ``done`` — the last report says done (or 100%);
* ``overdue`` — not done and the day is after the deadline (the deadline day itself is still in time:
  a deadline is the end of its day, DESIGN §3);
* ``at_risk`` — not done and: the last report says blocked, or the reported percent lags the share
  of time elapsed since the task began by more than ``LAG_POINTS`` percentage points (no report counts
  as 0%);
* ``on_track`` — otherwise (a task without a deadline is on track unless blocked).

``LAG_POINTS`` is a workbench setting, not a gazette threshold (docs/supervision.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

STATUSES = ("on_track", "at_risk", "overdue", "done")
LABELS = {"on_track": "正常推进 On track", "at_risk": "存在风险 At risk", "overdue": "已逾期 Overdue",
          "done": "已完成 Done"}
LAG_POINTS = 25


@dataclass(frozen=True)
class LastReport:
    status: str  # in_progress | done | blocked
    percent: int
    reported_on: dt.date


def derive(*, on: dt.date, starts: dt.date, deadline: dt.date | None, last: LastReport | None) -> str:
    if last is not None and last.reported_on <= on and (last.status == "done" or last.percent >= 100):
        return "done"
    if deadline is not None and on > deadline:
        return "overdue"
    if last is not None and last.reported_on <= on and last.status == "blocked":
        return "at_risk"
    if deadline is None or deadline <= starts:
        return "on_track"
    percent = last.percent if last is not None and last.reported_on <= on else 0
    elapsed = Fraction(max(0, (on - starts).days), (deadline - starts).days)
    expected = elapsed * 100
    return "at_risk" if Fraction(percent) < expected - LAG_POINTS else "on_track"
