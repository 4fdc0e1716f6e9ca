"""A generated world for the care half: providers, caregivers, beneficiaries, plans and months of visits,
with planted violations of every rule of the library (三.（四）.12). Plain Python, deterministic by seed.

Clean visits break no rule by construction (one visit a day per person, slots two hours apart per
caregiver, durations above the items' minimum, check-ins within ~35 m of home, face checks passed, plan
items only, no care in hospital or after death); every planted visit breaks exactly the rule it is
planted for (it may also make its partner break it, e.g. both sides of an overlap).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from gazette.validate import example_person_id
from jiaxing.schemes.ltc.care.catalogue import DEMO_VERSIONS

SH = ZoneInfo("Asia/Shanghai")
DISTRICTS = ("南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市")
CAT = {c: (p * 100, mins, u) for c, _, _, u, p, mins in DEMO_VERSIONS[0][3]}
HOME_ITEMS = [c for c, (_, mins, u) in CAT.items() if u == "visit" and mins <= 30]
RULES = ("V01", "V02", "V03", "V04", "V05", "V06", "V07", "V08")


def months(first: str, n: int) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def days_in(month: str) -> int:
    y, m = int(month[:4]), int(month[5:7])
    return ((dt.date(y + (m == 12), m % 12 + 1, 1)) - dt.date(y, m, 1)).days


@functools.cache
def _midnight(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=SH).timestamp())


def ts(day: dt.date, minutes: int) -> int:
    # a world holds ~600,000 visit times over ~400 days: the day's midnight is computed once per day
    return _midnight(day) + minutes * 60


@dataclass
class World:
    seed: int
    providers: list[dict] = field(default_factory=list)
    caregivers: list[dict] = field(default_factory=list)
    insured: list[dict] = field(default_factory=list)
    plans: list[dict] = field(default_factory=list)
    plan_items: list[dict] = field(default_factory=list)
    stays: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    visit_items: list[dict] = field(default_factory=list)
    planted: list[tuple[int, str]] = field(default_factory=list)
    by_month: dict[str, list[dict]] = field(default_factory=dict)
    items_by_month: dict[str, list[dict]] = field(default_factory=dict)


def build(n_people: int, n_providers: int, first_month: str, n_months: int, *, seed: int = 7,
          planted_per_rule: int = 3) -> World:
    rng = random.Random(seed)
    w = World(seed)
    for i in range(1, n_providers + 1):
        kind = "home" if i % 20 < 15 else ("elderly_institution" if i % 20 < 18 else "medical_institution")
        w.providers.append({"id": i, "code": f"P{i:04d}", "name": f"护理机构{i}", "district": DISTRICTS[i % 7],
                            "care_type": kind, "dementia_unit": i % 20 == 17, "designated_on": dt.date(2022, 1, 1)})
    cg_of: dict[int, list[int]] = {}
    for p in w.providers:
        if p["care_type"] == "home":
            for _ in range(10):
                cid = len(w.caregivers) + 1
                w.caregivers.append({"id": cid, "provider_id": p["id"], "name": f"护理员{cid}",
                                     "certificate": f"C{cid:06d}"})
                cg_of.setdefault(p["id"], []).append(cid)
    start = dt.date(int(first_month[:4]), int(first_month[5:7]), 1)
    home_of: dict[str, tuple[int, int]] = {}
    plan_of: dict[str, dict] = {}
    for n in range(n_people):
        pid = example_person_id(n, region="330402", born="19400101")
        prov = w.providers[rng.randrange(n_providers)]
        lat, lon = 30_700_000 + rng.randrange(100_000), 120_700_000 + rng.randrange(100_000)
        home_of[pid] = (lat, lon)
        w.insured.append({"person_id": pid, "name": f"参保人{n}", "district": prov["district"], "scheme": "resident",
                          "insured_since": dt.date(2017, 6, 1), "address": f"地址{n}", "home_lat_udeg": lat,
                          "home_lon_udeg": lon, "died_on": None, "source": "sim"})
        plan = {"id": n + 1, "person_id": pid, "district": prov["district"], "care_type": prov["care_type"],
                "provider_id": prov["id"], "starts_on": start, "ends_on": None,
                "heavy": rng.random() < 0.08}
        codes = rng.sample(HOME_ITEMS, 5) if prov["care_type"] == "home" else \
            (["D01", "M08"] if prov["care_type"] == "elderly_institution" else ["D02", "M06"])
        plan["items"] = codes
        w.plans.append(plan)
        w.plan_items += [{"plan_id": plan["id"], "item_code": c} for c in codes]
        plan_of[pid] = plan
    people = list(plan_of)
    state = {"vid": 0}
    busy: dict[tuple[int, dt.date], int] = {}

    def add(plan, day, items, *, kind, cg=None, start_min=0, minutes=0, pos=None, face=True):
        state["vid"] += 1
        vid = state["vid"]
        cost = sum(CAT[c][0] for c in items)
        mins = sum(CAT[c][1] for c in items)
        v = {"id": vid, "person_id": plan["person_id"], "district": plan["district"], "provider_id": plan["provider_id"],
             "caregiver_id": cg, "plan_id": plan["id"], "kind": kind, "day": day, "month": day.isoformat()[:7],
             "checkin_ts": None, "checkout_ts": None, "lat_udeg": None, "lon_udeg": None, "face_ok": None,
             "done": True, "cost_fen": cost, "min_minutes": mins}
        if kind == "home":
            lat, lon = pos or home_of[plan["person_id"]]
            v.update(checkin_ts=ts(day, start_min), checkout_ts=ts(day, start_min + minutes),
                     lat_udeg=lat + rng.randrange(-300, 300), lon_udeg=lon + rng.randrange(-300, 300), face_ok=face)
        w.visits.append(v)
        w.visit_items += [{"visit_id": vid, "item_code": c, "price_fen": CAT[c][0], "min_minutes": CAT[c][1]}
                          for c in items]
        return v

    def slot(provider_id, day):
        for _ in range(50):
            cg = rng.choice(cg_of[provider_id])
            k = busy.get((cg, day), 0)
            if k < 5:
                busy[(cg, day)] = k + 1
                return cg, 8 * 60 + 120 * k
        raise RuntimeError("no free caregiver slot")

    def home_visit(plan, day, items=None, minutes=None, **kw):
        items = items or rng.sample(plan["items"], rng.randint(1, 2))
        need = sum(CAT[c][1] for c in items)
        cg, start_min = slot(plan["provider_id"], day)
        return add(plan, day, items, kind="home", cg=cg, start_min=start_min,
                   minutes=minutes if minutes is not None else need + rng.randint(5, 25), **kw)

    dead: dict[str, dt.date] = {}
    for month in months(first_month, n_months):
        y, m = int(month[:4]), int(month[5:7])
        nd = days_in(month)
        month_home: list[dict] = []
        for pid in people:
            plan = plan_of[pid]
            if pid in dead:
                continue
            if plan["care_type"] == "home":
                k = rng.randint(12, 16) if plan["heavy"] else rng.randint(1, 3)
                for d in sorted(rng.sample(range(1, nd + 1), k)):
                    items = rng.sample(plan["items"], 3) if plan["heavy"] else None
                    month_home.append(home_visit(plan, dt.date(y, m, d), items))
            else:
                for d in sorted(rng.sample(range(1, nd + 1), rng.randint(25, 28) if plan["heavy"] else rng.randint(1, 4))):
                    extra = [plan["items"][1]] if rng.random() < 0.3 else []
                    add(plan, dt.date(y, m, d), [plan["items"][0], *extra], kind="day")
        # planted violations: distinct visits, each made to break its rule
        pick = rng.sample([v for v in month_home if v["day"].day <= nd - 2 and v["day"].day >= 3],
                          planted_per_rule * 8)
        groups = [pick[i::8] for i in range(8)]
        for v in groups[0]:  # V01 shorter than the items' minimum
            v["checkout_ts"] = v["checkin_ts"] + max(v["min_minutes"] - 1, 0) * 60
            w.planted.append((v["id"], "V01"))
        for v in groups[1]:  # V02 outside the geofence (≈ 2.2 km north)
            v["lat_udeg"] += 20_000
            w.planted.append((v["id"], "V02"))
        for v in groups[2]:  # V03 the same caregiver starts another person's visit halfway through this one
            other = plan_of[rng.choice([p for p in people if plan_of[p]["provider_id"] == v["provider_id"]
                                        and p not in dead])]
            items = [other["items"][0]]
            x = add(other, v["day"], items, kind="home", cg=v["caregiver_id"],
                    start_min=(v["checkin_ts"] - ts(v["day"], 0)) // 60
                    + max(1, (v["checkout_ts"] - v["checkin_ts"]) // 120), minutes=60)
            w.planted += [(v["id"], "V03"), (x["id"], "V03")]
        for v in groups[3]:  # V04 home visit in the middle of a hospital stay
            w.stays.append({"person_id": v["person_id"], "hospital": "嘉兴市第一医院",
                            "admitted_on": v["day"] - dt.timedelta(days=1),
                            "discharged_on": v["day"] + dt.timedelta(days=1), "diagnosis": "肺炎", "source": "sim"})
            w.planted.append((v["id"], "V04"))
        for v in groups[4]:  # V05 care after death: the person died the day before
            if v["person_id"] in dead:
                continue
            dead[v["person_id"]] = v["day"] - dt.timedelta(days=1)
            w.planted.append((v["id"], "V05"))
        for v in groups[5]:  # V06 face check failed
            v["face_ok"] = False
            w.planted.append((v["id"], "V06"))
        for v in groups[6]:  # V07 two more visits the same day (three > two allowed)
            plan = plan_of[v["person_id"]]
            extra = [home_visit(plan, v["day"]) for _ in range(2)]
            w.planted += [(v["id"], "V07")] + [(x["id"], "V07") for x in extra]
        for v in groups[7]:  # V08 an item outside the plan
            plan = plan_of[v["person_id"]]
            code = next(c for c in HOME_ITEMS if c not in plan["items"])
            w.visit_items.append({"visit_id": v["id"], "item_code": code, "price_fen": CAT[code][0],
                                  "min_minutes": CAT[code][1]})
            v["cost_fen"] += CAT[code][0]
            v["min_minutes"] += CAT[code][1]
            v["checkout_ts"] = v["checkin_ts"] + v["min_minutes"] * 60  # exactly the minimum: not short
            w.planted.append((v["id"], "V08"))
    for v in w.visits:
        w.by_month.setdefault(v["month"], []).append(v)
    month_of = {v["id"]: v["month"] for v in w.visits}
    for it in w.visit_items:
        w.items_by_month.setdefault(month_of[it["visit_id"]], []).append(it)
    by_pid = {r["person_id"]: r for r in w.insured}
    for pid, d in dead.items():
        by_pid[pid]["died_on"] = d
    return w


CORRECTIONS_PER_MONTH = 3


def corrections(w: World, month: str, paid: dict[tuple[int, str], int]) -> list[dict]:
    """The simulated officer's corrections after ``month``'s payment: a few paid claims (``paid``: (provider,
    care month) → what the claim has paid so far, net of earlier corrections), alternately topped up and
    partly recovered — never more than was paid, so each is accepted."""
    rng = random.Random(f"{w.seed}:{month}")
    chosen = rng.sample(sorted(paid), min(CORRECTIONS_PER_MONTH, len(paid)))
    out = []
    for n, (provider_id, care_month) in enumerate(chosen):
        if n % 2 == 0:
            amount = rng.randint(1, 50_000)
        else:
            amount = -(max(paid[(provider_id, care_month)], 0) * rng.randint(1, 40) // 100)
            if amount == 0:  # nothing left to recover on this claim
                continue
        out.append({"provider_id": provider_id, "care_month": care_month, "amount": amount,
                    "key": f"sim-correct:{month}:{n}"})
    return out


def decide(finding_visit: int, rule: str) -> str:
    """The simulated officer: confirms most findings, dismisses a deterministic quarter."""
    return "dismissed" if (finding_visit + int(rule[1:])) % 4 == 0 else "confirmed"
