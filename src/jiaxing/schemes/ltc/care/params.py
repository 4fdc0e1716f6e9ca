"""The numbers the care half reads: the monthly limits and fund shares of 一.（二） — read through the
policy's own parameters (src/jiaxing/policies/ltc/parameters.yaml, the file the ``benefit`` rule reads;
never copied here) — and the screening's operator settings.

Reading D-LTC-C1 (docs/decisions.md): the monthly limit caps the cost of verified care the fund pays
from; the fund pays ``round_half_up(min(cost, limit) × share)`` per beneficiary per month, the person
the rest (``cost − fund``) — the same formula as the rule (D16), so a settlement line equals the rule's
answer for that person and month.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

from gazette.errors import GazetteError, InvalidInput
from gazette.rules.parameters import load_parameter_file
from jiaxing.schemes.ltc.care.models import CARE_TYPES

POLICY = Path(__file__).resolve().parents[3] / "policies" / "ltc" / "parameters.yaml"
BENEFIT_CLAUSE = "嘉政发〔2022〕21号#一.（二）"
SCREEN_CLAUSE = "嘉政发〔2022〕21号#三.（四）.12"
RATING_CLAUSE = "嘉政发〔2022〕21号#三.（二）.7"
SHARE_DEN = 10_000  # shares in basis points: exact to 0.01%, as the rule computes them
BOOK = "ltc_care"

# Operator settings of the screening (the gazette sets none): DEMO values, replaced by the bureau's.
GEOFENCE_METRES = 500  # DEMO: a home check-in farther than this from the person's address is flagged
MAX_HOME_VISITS_PER_DAY = 2  # DEMO: more home visits than this in one day are flagged
SAMPLE_PER_MILLE = 10  # DEMO: 1% of the unflagged visits of a month drawn for random review
CARE_TYPE_ZH = {"elderly_institution": "养老机构护理", "medical_institution": "医疗机构护理", "home": "居家护理"}


@functools.cache
def _params() -> dict:
    return load_parameter_file(POLICY, "ltc")


class NotCovered(InvalidInput):
    """A month outside what the gazette covers: "not covered", never "nothing due" (D17)."""

    def __init__(self, on: dt.date):
        super().__init__(f"{on} 不在公报所载长护险标准的适用期内（2017-06 至 2024-12）",
                         f"{on} is outside the period the gazette's LTC standards cover (2017-06 to 2024-12)",
                         field="month", code="not_covered", details={"clause": BENEFIT_CLAUSE})


def benefit_terms(on: dt.date) -> dict[str, tuple[int, int]]:
    """care type → (monthly limit in fen, fund share in basis points) in force on ``on``."""
    from jiaxing.policies.ltc.rules import PLAN_END

    if on > PLAN_END:  # D17: after the pilot plan the gazette holds no standard — unknown, not zero
        raise NotCovered(on)
    p = _params()
    out = {}
    for ty in CARE_TYPES:
        try:
            cap = p[f"ltc.benefit.cap.{ty}"].at(on)[0]
            share = p[f"ltc.benefit.share.{ty}"].value_at(on)[0]
        except GazetteError:
            raise NotCovered(on) from None
        bp = Decimal(str(share)) * SHARE_DEN
        if bp != bp.to_integral_value():  # never round a share silently
            raise ValueError(f"share of {ty} is finer than 0.01%: {share}")
        out[ty] = (int(cap), int(bp))
    return out


def fund_share(cost_fen: int, cap_fen: int, share_bp: int) -> int:
    """The fund's part of one person's month: round_half_up(min(cost, cap) × share) — integers only."""
    return (min(cost_fen, cap_fen) * share_bp * 2 + SHARE_DEN) // (2 * SHARE_DEN)
