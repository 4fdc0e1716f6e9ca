"""The fund's ledger book and its dated parameters: the book ``provident_fund`` with its control
accounts, the business date, and the 办法's parameters read from the pack (parameters.yaml).

The control accounts: ``bank`` (归集账户, asset), ``members`` (个人账户, liability, guarded),
``prepaid`` (预缴, liability, guarded), ``interest`` (利息支出, expense) and ``transfer`` (转移清算,
an asset that may go negative). The per-account sub-ledger lives in ``pf_accounts`` and its journal
(see :mod:`.models`); :func:`jiaxing.schemes.provident_fund.views.reconcile` proves the two agree.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from sqlalchemy.orm import Session

from gazette.errors import Conflict
from gazette.ledger import Ledger
from gazette.ledger.errors import UnknownBook
from gazette.rules.parameters import load_parameter_file
from jiaxing.schemes.provident_fund import domain

BOOK = "provident_fund"
CONTROL_ACCOUNTS = {
    "bank": ("受托银行归集账户存款", "asset", False),
    "members": ("灵活就业人员个人账户", "liability", False),
    "prepaid": ("预缴住房公积金", "liability", False),
    "interest": ("个人账户利息支出", "expense", False),
    "transfer": ("账户转移清算", "asset", True),
}
PARAMS_FILE = Path(__file__).resolve().parents[2] / "policies" / "provident_fund" / "parameters.yaml"


@functools.cache
def policy_params() -> dict:
    """The rules engine's parameters of this 办法 (dated, cited)."""
    return load_parameter_file(PARAMS_FILE, "provident_fund")


def parameter(name: str, on: dt.date):
    return policy_params()[f"provident_fund.{name}"].at(max(on, domain.IN_FORCE))[0]


def age_limits(on: dt.date) -> domain.AgeLimits:
    return domain.AgeLimits(int(parameter("eligibility.min_age", on)), int(parameter("eligibility.max_age_male", on)),
                            int(parameter("eligibility.max_age_female", on)))


def rate_bounds(on: dt.date) -> tuple[int, int]:
    return int(parameter("rate.min", on) * 10_000), int(parameter("rate.max", on) * 10_000)


def rounding_unit(on: dt.date) -> int:
    return int(parameter("rounding_unit", on))


def base_multiple(on: dt.date) -> int:
    return int(parameter("base.max_multiple", on))


def ledger(actor: str = "system") -> Ledger:
    return Ledger(BOOK, actor=actor)


def today(session: Session) -> dt.date:
    """The fund's business date (营业日)."""
    try:
        return ledger().business_date(session)
    except UnknownBook:
        raise Conflict("公积金账本尚未初始化（gazette fund init）",
                       "the provident fund is not set up (run `gazette fund init`)", code="fund_not_set_up") from None
