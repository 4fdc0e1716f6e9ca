"""An independent reference of the resident pension, in plain Python — no SQL, no scheme code.

It knows the rules as the docs state them (嘉人社〔2022〕60号 一、二、三 and docs/resident_pension.md):
the standard for a month is the one published (approved) by the payroll date; a top-up brings every
paid month, up to the month of a *reported* death, to the newest standard; a death stops payment the
month after it, and what was granted for later months becomes recovery (unsent lines are cancelled);
a failed bank payment is retried in the next export; 5,000 from 2022-09-01 earns 900 unless 补缴.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


def mi(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


@dataclass
class Line:
    kind: str
    month: int
    amount: int
    status: str = "due"


@dataclass
class Person:
    pid: str
    status: str
    pension_from: int | None
    death_month: int | None = None
    lines: list[Line] = field(default_factory=list)
    granted: dict[int, int] = field(default_factory=dict)  # month → pension + top-ups granted for it
    recoveries: list[tuple[int, int]] = field(default_factory=list)
    contributions: dict[int, tuple[int, int]] = field(default_factory=dict)  # year → (amount, subsidy)


class Reference:
    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        # publications: (published on, first month, fen)
        self.pubs: list[tuple[dt.date, int, int]] = [(dt.date(2021, 1, 1), 2021 * 12, 290_00),
                                                     (dt.date(2022, 9, 6), 2022 * 12, 320_00)]
        self.topped: set[int] = set()  # publication counts already topped up

    def standard(self, n_pubs: int, month: int) -> int:
        # the latest publication for the latest start ≤ month wins
        cand = [(start, i, fen) for i, (_, start, fen) in enumerate(self.pubs[:n_pubs]) if start <= month]
        return max(cand)[2]

    def known(self, d: dt.date) -> int:
        return sum(1 for p, _, _ in self.pubs if p <= d)

    def publish(self, d: dt.date, year: int, fen: int) -> None:
        self.pubs.append((d, year * 12, fen))

    # ------------------------------------------------------------------ people

    def enrol(self, pid: str, receiving_from: int | None) -> None:
        self.people[pid] = Person(pid, "receiving" if receiving_from is not None else "contributing", receiving_from)

    def start(self, pid: str, month: int) -> None:
        p = self.people[pid]
        p.status, p.pension_from = "receiving", month

    def suspend(self, pid: str) -> None:
        self.people[pid].status = "suspended"

    def restart(self, pid: str) -> None:
        self.people[pid].status = "receiving"

    def death(self, pid: str, d: dt.date) -> None:
        p = self.people[pid]
        p.status, p.death_month = "deceased", mi(d)
        for ln in p.lines:
            if ln.kind != "pension" or ln.month <= p.death_month or ln.status == "cancelled":
                continue
            owed = p.granted[ln.month] - ln.amount
            if ln.status in ("due", "failed"):
                ln.status = "cancelled"
            else:
                owed += ln.amount
            if owed:
                p.recoveries.append((ln.month, owed))

    def contribute(self, pid: str, year: int, amount: int, paid_on: dt.date) -> int:
        subsidy = 900_00 if amount == 5000_00 and paid_on >= dt.date(2022, 9, 1) and year >= paid_on.year else 0
        self.people[pid].contributions[year] = (amount, subsidy)
        return subsidy

    # ------------------------------------------------------------------ runs

    def payroll(self, month: int, d: dt.date) -> None:
        fen = self.standard(self.known(d), month)
        for p in self.people.values():
            if p.status == "receiving" and p.pension_from is not None and p.pension_from <= month:
                p.lines.append(Line("pension", month, fen))
                p.granted[month] = fen

    def topup(self, d: dt.date) -> None:
        n = self.known(d)
        if n in self.topped:
            return
        self.topped.add(n)
        for p in self.people.values():
            total = months = 0
            for ln in p.lines:
                if ln.kind != "pension" or ln.status == "cancelled":
                    continue
                if p.death_month is not None and ln.month > p.death_month:
                    continue
                new = self.standard(n, ln.month)
                if new > p.granted[ln.month]:
                    total += new - p.granted[ln.month]
                    months += 1
                    p.granted[ln.month] = new
            if total:
                p.lines.append(Line("topup", mi(d), total))

    def export(self) -> list[tuple[str, Line]]:
        out = []
        for p in self.people.values():
            for ln in p.lines:
                if ln.status in ("due", "failed"):
                    ln.status = "sent"
                    out.append((p.pid, ln))
        return out

    def results(self, sent: list[tuple[str, Line]], fails) -> None:
        for pid, ln in sent:
            p = self.people[pid]
            if not fails(pid):
                ln.status = "paid"
            elif ln.kind == "pension" and p.death_month is not None and ln.month > p.death_month:
                ln.status = "cancelled"
                p.recoveries = [(m, a - ln.amount if m == ln.month else a) for m, a in p.recoveries]
                p.recoveries = [(m, a) for m, a in p.recoveries if a]
            else:
                ln.status = "failed"

    # ------------------------------------------------------------------ what the books must show

    def fingerprint(self) -> dict:
        lines, recs, subs = [], [], []
        for p in self.people.values():
            lines += [(p.pid, ln.kind, ln.month, ln.amount, ln.status) for ln in p.lines]
            recs += [(p.pid, m, a) for m, a in p.recoveries]
            subs += [(p.pid, y, a, s) for y, (a, s) in p.contributions.items()]
        return {"lines": sorted(lines), "recoveries": sorted(recs), "contributions": sorted(subs),
                "status": sorted((p.pid, p.status) for p in self.people.values())}
