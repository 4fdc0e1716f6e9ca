"""The violation rule library (疑似违规行为规则库, 三.（四）.12) — rules as data — and the screening run.

Each rule has an id, the clause it implements, a severity and one set-based ``INSERT … SELECT`` that
flags the visits of a month breaking it (one statement per rule, whatever the number of visits).
``ltc_findings`` is unique per (visit, rule): a rerun of the screening adds nothing.

After the flags, a random sample of the month's unflagged visits is drawn for review (随机抽查):
ordered by a seeded integer hash of the visit id, so the draw is reproducible from the recorded seed.

Readings (docs/decisions.md, D-LTC-C2): a home visit "while in hospital" is one on a day strictly
inside a stay (after the admission day, before the discharge day — both of those days can hold a
genuine visit); "care after death" is care on a day after ``died_on``; the geofence is a circle of
``GEOFENCE_METRES`` around the insured's home position (equirectangular at Jiaxing's latitude,
integer arithmetic); "more visits in a day than allowed" counts home visits per person and day against
``MAX_HOME_VISITS_PER_DAY`` and institutional day records against one; a face check that was not
done (unknown) is not a failed one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.ledger import execute_run
from gazette.ledger._sql import bulk_insert
from jiaxing.schemes.ltc.care import params as care_params
from jiaxing.schemes.ltc.care.models import ViolationRule

# metres per micro-degree of latitude ×1000 (mm), and cos(30.75°) ≈ 0.859 for a degree of longitude
MM_PER_UDEG = 111_195 / 1000
COS_PER_MILLE = 859


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title_zh: str
    title_en: str
    where: str  # the condition on visit ``v`` (and the joins it needs, in ``joins``)
    joins: str = ""
    clause: str = care_params.SCREEN_CLAUSE


RULES: tuple[Rule, ...] = (
    Rule("V01", "medium", "服务时长短于项目最低时长", "visit shorter than its items' minimum duration",
         "v.kind = 'home' AND (v.checkout_ts - v.checkin_ts) < v.min_minutes * 60"),
    Rule("V02", "medium", "签到位置在服务对象住址电子围栏之外", "check-in outside the geofence of the person's address",
         "v.kind = 'home' AND v.lat_udeg IS NOT NULL AND i.home_lat_udeg IS NOT NULL AND ("
         "ABS(v.lat_udeg - i.home_lat_udeg) > :fence_udeg * 2 OR ABS(v.lon_udeg - i.home_lon_udeg) > :fence_udeg * 3"
         " OR (CAST(ABS(v.lat_udeg - i.home_lat_udeg) AS BIGINT) * 111195 / 1000)"
         " * (CAST(ABS(v.lat_udeg - i.home_lat_udeg) AS BIGINT) * 111195 / 1000)"
         " + (CAST(ABS(v.lon_udeg - i.home_lon_udeg) AS BIGINT) * 111195 * 859 / 1000000)"
         " * (CAST(ABS(v.lon_udeg - i.home_lon_udeg) AS BIGINT) * 111195 * 859 / 1000000) > :fence_mm2)",
         "JOIN ltc_insured i ON i.person_id = v.person_id"),
    Rule("V03", "high", "同一护理员同一时间出现在两处", "one caregiver in two places at once",
         "(o.checkin_ts < o.prev_end OR o.next_start < o.checkout_ts)",
         "JOIN (SELECT id, checkin_ts, checkout_ts,"
         " MAX(checkout_ts) OVER (PARTITION BY caregiver_id ORDER BY checkin_ts, id"
         "  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end,"
         " LEAD(checkin_ts) OVER (PARTITION BY caregiver_id ORDER BY checkin_ts, id) AS next_start"
         " FROM ltc_visits WHERE month = :m AND kind = 'home' AND done AND caregiver_id IS NOT NULL) o ON o.id = v.id"),
    Rule("V04", "high", "住院期间发生居家护理服务", "home visit while the person is in hospital",
         "v.kind = 'home' AND EXISTS (SELECT 1 FROM ltc_hospital_stays h WHERE h.person_id = v.person_id"
         " AND h.admitted_on < v.day AND (h.discharged_on IS NULL OR h.discharged_on > v.day))"),
    Rule("V05", "high", "服务对象死亡后仍发生护理服务", "care after the person's death",
         "i.died_on IS NOT NULL AND v.day > i.died_on", "JOIN ltc_insured i ON i.person_id = v.person_id"),
    Rule("V06", "high", "人脸验证未通过", "face check failed", "v.kind = 'home' AND v.face_ok = false"),
    Rule("V07", "low", "单日服务次数超过上限", "more visits in a day than allowed", "1 = 1",
         "JOIN (SELECT person_id, day, kind FROM ltc_visits WHERE month = :m AND done GROUP BY person_id, day, kind"
         " HAVING COUNT(*) > CASE kind WHEN 'home' THEN :max_per_day ELSE 1 END) d"
         " ON d.person_id = v.person_id AND d.day = v.day AND d.kind = v.kind"),
    Rule("V08", "medium", "服务项目不在护理计划内", "items not in the care plan",
         "EXISTS (SELECT 1 FROM ltc_visit_items vi WHERE vi.visit_id = v.id AND NOT EXISTS ("
         "SELECT 1 FROM ltc_care_plan_items pi WHERE pi.plan_id = v.plan_id AND pi.item_code = vi.item_code))"),
)
BY_ID = {r.id: r for r in RULES}
SEVERITY_ZH = {"high": "严重", "medium": "一般", "low": "轻微"}


def load_rules(session: Session) -> None:
    """Put the library in ``ltc_violation_rules`` (idempotent): findings name their rule."""
    bulk_insert(session, ViolationRule.__table__,
                [{"id": r.id, "clause": r.clause, "severity": r.severity, "title_zh": r.title_zh,
                  "title_en": r.title_en} for r in RULES], conflict=["id"])


def fence_params() -> dict:
    fence_udeg = int(care_params.GEOFENCE_METRES * 1000 / MM_PER_UDEG) + 1
    return {"fence_udeg": fence_udeg, "fence_mm2": (care_params.GEOFENCE_METRES * 1000) ** 2}


def flag_sql(rule: Rule) -> str:
    return (f"INSERT INTO ltc_findings (visit_id, rule_id, month, provider_id, person_id, district, status, note) "
            f"SELECT v.id, '{rule.id}', v.month, v.provider_id, v.person_id, v.district, 'flagged', '' "
            f"FROM ltc_visits v {rule.joins} WHERE v.month = :m AND v.done AND {rule.where} "
            f"ON CONFLICT (visit_id, rule_id) DO NOTHING")


def default_seed(month: str) -> int:
    return int(month.replace("-", ""))


def sample_order(seed: int) -> str:
    # a multiplicative hash of the id, offset by the seed: reproducible, spread, integer-only
    return f"((v.id * 2654435761 + {int(seed)}) % 4294967296), v.id"


def screen(month: str, *, seed: int | None = None, uow=None, actor: str = "system"):
    """Flag the visits of ``month`` (YYYY-MM) that break a rule, then draw the review sample.
    Keyed by ("ltc.screen", month): a second run returns the first result."""
    seed = default_seed(month) if seed is None else int(seed)

    def process(session: Session, chunk, ctx) -> dict:
        from jiaxing.schemes.ltc.care.settlement import batch_settings, refresh_statistics

        batch_settings(session)
        # the visit columns the rules filter, join, partition or group on (not those only computed with)
        refresh_statistics(session, "ltc_visits (id, month, done, kind, person_id, day, caregiver_id, checkin_ts, "
                           "lat_udeg, face_ok, plan_id)", "ltc_visit_items", "ltc_findings", "ltc_hospital_stays",
                           "ltc_insured")
        load_rules(session)
        p = {"m": month, "max_per_day": care_params.MAX_HOME_VISITS_PER_DAY, **fence_params()}
        for rule in RULES:
            session.execute(text(flag_sql(rule)), p)
        unflagged = ("FROM ltc_visits v WHERE v.month = :m AND v.done AND NOT EXISTS "
                     "(SELECT 1 FROM ltc_findings f WHERE f.visit_id = v.id)")
        n = session.execute(text(f"SELECT COUNT(*) {unflagged}"), {"m": month}).scalar_one()
        size = -(-int(n) * care_params.SAMPLE_PER_MILLE // 1000)
        session.execute(text(f"INSERT INTO ltc_review_samples (month, seed, visit_id) SELECT CAST(:m AS VARCHAR(7)), :seed, v.id "
                             f"{unflagged} ORDER BY {sample_order(seed)} LIMIT :n "
                             "ON CONFLICT (month, visit_id) DO NOTHING"), {"m": month, "seed": seed, "n": size})
        return {}

    def finalize(session: Session, ctx, totals) -> dict:
        rows = session.execute(text("SELECT rule_id, COUNT(*) FROM ltc_findings WHERE month = :m GROUP BY rule_id "
                                    "ORDER BY rule_id"), {"m": month}).all()
        sampled = session.execute(text("SELECT COUNT(*) FROM ltc_review_samples WHERE month = :m"),
                                  {"m": month}).scalar_one()
        return {"month": month, "seed": seed, "findings": {r: int(n) for r, n in rows},
                "flagged": sum(int(n) for _, n in rows), "sampled": int(sampled), "clause": care_params.SCREEN_CLAUSE}

    return execute_run("ltc.screen", month, [month], process, uow=uow, chunk_size=1, params={"seed": seed},
                       finalize=finalize, actor=actor)
