"""The independent reference of the care half: plain Python over the generated world, never the production
SQL. The numbers of 一.（二） are written here from the gazette text (嘉政发〔2022〕21号#一.（二）: monthly
limits 3,000 / 2,400 / 1,500 yuan, fund shares 70% / 70% / 80%), so a production that read them wrongly
from the parameters would disagree; the screening settings are the DEMO ones of the rule library."""

from __future__ import annotations

from collections import defaultdict

CAP = {"elderly_institution": 300_000, "medical_institution": 240_000, "home": 150_000}
SHARE_PCT = {"elderly_institution": 70, "medical_institution": 70, "home": 80}
FENCE_M, MAX_PER_DAY = 500, 2


def fund(cost: int, care_type: str) -> int:
    base = min(cost, CAP[care_type]) * SHARE_PCT[care_type]
    return (base * 2 + 100) // 200  # round half up of base / 100


def _outside(v, home) -> bool:
    if v["lat_udeg"] is None or home[0] is None:
        return False
    f = int(FENCE_M * 1000 / 111.195) + 1
    dlat, dlon = abs(v["lat_udeg"] - home[0]), abs(v["lon_udeg"] - home[1])
    if dlat > 2 * f or dlon > 3 * f:
        return True
    return (dlat * 111195 // 1000) ** 2 + (dlon * 111195 * 859 // 1000000) ** 2 > (FENCE_M * 1000) ** 2


def findings(w, month: str, known_stays, known_deaths) -> set[tuple[int, str]]:
    vs = [v for v in w.by_month.get(month, []) if v["done"]]
    plan_items = defaultdict(set)
    for pi in w.plan_items:
        plan_items[pi["plan_id"]].add(pi["item_code"])
    items = defaultdict(list)
    for it in w.items_by_month.get(month, []):
        items[it["visit_id"]].append(it["item_code"])
    stays = defaultdict(list)
    for st in known_stays:
        stays[st["person_id"]].append(st)
    home = {r["person_id"]: (r["home_lat_udeg"], r["home_lon_udeg"]) for r in w.insured}
    out: set[tuple[int, str]] = set()
    per_day = defaultdict(list)
    by_cg = defaultdict(list)
    for v in vs:
        per_day[(v["person_id"], v["day"], v["kind"])].append(v["id"])
        died = known_deaths.get(v["person_id"])
        if died is not None and v["day"] > died:
            out.add((v["id"], "V05"))
        if any(c not in plan_items[v["plan_id"]] for c in items[v["id"]]):
            out.add((v["id"], "V08"))
        if v["kind"] != "home":
            continue
        if v["checkout_ts"] - v["checkin_ts"] < v["min_minutes"] * 60:
            out.add((v["id"], "V01"))
        if _outside(v, home[v["person_id"]]):
            out.add((v["id"], "V02"))
        if any(s["admitted_on"] < v["day"] and (s["discharged_on"] is None or s["discharged_on"] > v["day"])
               for s in stays.get(v["person_id"], ())):
            out.add((v["id"], "V04"))
        if v["face_ok"] is False:
            out.add((v["id"], "V06"))
        if v["caregiver_id"] is not None:
            by_cg[v["caregiver_id"]].append(v)
    for (_, _, kind), vids in per_day.items():
        if len(vids) > (MAX_PER_DAY if kind == "home" else 1):
            out |= {(i, "V07") for i in vids}
    for cvs in by_cg.values():
        cvs.sort(key=lambda v: (v["checkin_ts"], v["id"]))
        end = None
        for i, v in enumerate(cvs):
            nxt = cvs[i + 1]["checkin_ts"] if i + 1 < len(cvs) else None
            if (end is not None and v["checkin_ts"] < end) or (nxt is not None and nxt < v["checkout_ts"]):
                out.add((v["id"], "V03"))
            end = v["checkout_ts"] if end is None else max(end, v["checkout_ts"])
    return out


class Books:
    """Lines, deductions, claims, payments and ledger balances, month after month."""

    def __init__(self, w):
        self.w = w
        self.plan = {p["id"]: p for p in w.plans}
        self.status: dict[tuple[int, str], str] = {}  # (visit, rule) → flagged/confirmed/dismissed
        self.finding_month: dict[tuple[int, str], tuple[str, str, int]] = {}  # → (month, person, provider)
        self.settled: set[tuple[int, str]] = set()
        self.lines: dict[tuple[str, str], dict] = {}
        self.deductions: dict[tuple[str, str, str], int] = {}
        self.deduction_rules: dict[tuple[str, str, str], str] = {}
        self.claims: dict[tuple[int, str], dict] = {}
        self.balances: dict[str, int] = defaultdict(int)
        self.corrections: list[dict] = []  # provider_id, care_month, amount, paid_in
        self.by_pm: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for v in w.visits:
            self.by_pm[(v["month"], v["person_id"])].append(v)

    def confirmed_visits(self) -> set[int]:
        return {vid for (vid, _), st in self.status.items() if st == "confirmed"}

    def settle(self, month: str) -> None:
        bad = self.confirmed_visits()
        cost = defaultdict(int)
        meta = {}
        for v in self.w.by_month.get(month, []):
            if v["done"] and v["id"] not in bad:
                cost[v["person_id"]] += v["cost_fen"]
                meta[v["person_id"]] = (v["provider_id"], self.plan[v["plan_id"]]["care_type"])
        for pid, c in cost.items():
            if c <= 0:
                continue
            prov, ct = meta[pid]
            f = fund(c, ct)
            self.lines[(month, pid)] = {"provider_id": prov, "care_type": ct, "cost": c, "fund": f, "personal": c - f}
        pending = defaultdict(set)
        for key, st in self.status.items():
            m, pid, _ = self.finding_month[key]
            if st == "confirmed" and key not in self.settled and m < month and (m, pid) in self.lines:
                pending[(m, pid)].add(key[1])
        for (m, pid), rules in pending.items():
            due_cost = sum(v["cost_fen"] for v in self.by_pm[(m, pid)] if v["done"] and v["id"] not in bad)
            line = self.lines[(m, pid)]
            prev = sum(a for (_, p, cm), a in self.deductions.items() if p == pid and cm == m)
            amount = line["fund"] - prev - fund(due_cost, line["care_type"])
            if amount > 0:
                self.deductions[(month, pid, m)] = amount
                self.deduction_rules[(month, pid, m)] = ",".join(sorted(rules))
        for key, st in self.status.items():
            m, pid, _ = self.finding_month[key]
            if st == "confirmed" and key not in self.settled and m <= month and (m, pid) in self.lines:
                self.settled.add(key)
        per = defaultdict(lambda: {"lines": 0, "cost": 0, "fund": 0, "personal": 0, "deduction": 0})
        for (m, _), ln in self.lines.items():
            if m == month:
                c = per[ln["provider_id"]]
                c["lines"] += 1
                c["cost"] += ln["cost"]
                c["fund"] += ln["fund"]
                c["personal"] += ln["personal"]
        for (m, pid, cm), a in self.deductions.items():
            if m == month:
                per[self.lines[(cm, pid)]["provider_id"]]["deduction"] += a
        for prov, c in per.items():
            self.claims[(prov, month)] = {**c, "net": c["fund"] - c["deduction"], "status": "payable"}
            self.balances["fund_expense"] += c["fund"] - c["deduction"]
            self.balances[f"payable:P{prov}"] += c["fund"] - c["deduction"]

    def pay(self, month: str) -> None:
        due = defaultdict(int)
        for (prov, m), c in self.claims.items():
            if c["status"] == "payable" and m <= month:
                due[prov] += c["net"]
        for corr in self.corrections:
            if corr["paid_in"] is None:
                due[corr["provider_id"]] += corr["amount"]
        for prov, amt in due.items():
            if amt > 0:
                self.balances[f"payable:P{prov}"] -= amt
                self.balances["fund_bank"] -= amt
                for (p2, m), c in self.claims.items():
                    if p2 == prov and c["status"] == "payable" and m <= month:
                        c["status"] = "paid"
                for corr in self.corrections:
                    if corr["provider_id"] == prov and corr["paid_in"] is None:
                        corr["paid_in"] = month

    def paid_claims(self) -> dict[tuple[int, str], int]:
        """Each paid claim → what it has paid, net of the corrections of it so far."""
        out = {key: c["net"] for key, c in self.claims.items() if c["status"] == "paid"}
        for corr in self.corrections:
            out[(corr["provider_id"], corr["care_month"])] += corr["amount"]
        return out

    def correct(self, provider_id: int, care_month: str, amount: int) -> None:
        """A correction of a paid claim: its own entry at once, paid or netted by the next payment (D-LTC-C3)."""
        self.corrections.append({"provider_id": provider_id, "care_month": care_month, "amount": amount,
                                 "paid_in": None})
        self.balances["fund_expense"] += amount
        self.balances[f"payable:P{provider_id}"] += amount

    def screen(self, month: str, found: set[tuple[int, str]]) -> None:
        vis = {v["id"]: v for v in self.w.by_month.get(month, [])}
        for key in found:
            if key not in self.status:
                self.status[key] = "flagged"
                v = vis[key[0]]
                self.finding_month[key] = (month, v["person_id"], v["provider_id"])
