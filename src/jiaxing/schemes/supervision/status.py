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
from enum import StrEnum
from fractions import Fraction


class TaskStatus(StrEnum):
    """A task's status on a date (derived, never stored)."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    DONE = "done"


class ReportStatus(StrEnum):
    """What a responsible unit reports about its task (stored in ``sup_reports.status``)."""

    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


STATUSES = tuple(TaskStatus)
LABELS = {TaskStatus.ON_TRACK: "正常推进 On track", TaskStatus.AT_RISK: "存在风险 At risk",
          TaskStatus.OVERDUE: "已逾期 Overdue", TaskStatus.DONE: "已完成 Done"}
LAG_POINTS = 25


@dataclass(frozen=True)
class LastReport:
    status: str  # a ReportStatus
    percent: int
    reported_on: dt.date


def derive(*, on: dt.date, starts: dt.date, deadline: dt.date | None, last: LastReport | None) -> TaskStatus:
    if last is not None and last.reported_on <= on and (last.status == ReportStatus.DONE or last.percent >= 100):
        return TaskStatus.DONE
    if deadline is not None and on > deadline:
        return TaskStatus.OVERDUE
    if last is not None and last.reported_on <= on and last.status == ReportStatus.BLOCKED:
        return TaskStatus.AT_RISK
    if deadline is None or deadline <= starts:
        return TaskStatus.ON_TRACK
    percent = last.percent if last is not None and last.reported_on <= on else 0
    elapsed = Fraction(max(0, (on - starts).days), (deadline - starts).days)
    expected = elapsed * 100
    return TaskStatus.AT_RISK if Fraction(percent) < expected - LAG_POINTS else TaskStatus.ON_TRACK
