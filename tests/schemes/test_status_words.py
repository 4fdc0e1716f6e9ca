"""Status words are StrEnums whose values are the stored strings: the CHECK constraints built from them
read exactly as the migrations created them, so moving the words into enums changed nothing in the database."""

from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint

from gazette.store.base import Base
from jiaxing.schemes.airspace import models as airspace_models
from jiaxing.schemes.budget import models as budget_models
from jiaxing.schemes.resident_pension import models as pension_models
from jiaxing.schemes.supervision import validation as supervision_validation
from jiaxing.schemes.supervision.status import LABELS, ReportStatus, TaskStatus

MIGRATIONS = Path(pension_models.__file__).parents[3] / "gazette" / "store" / "migrations" / "versions"

STATUS_WORDS = {
    "rp_participants": pension_models.ParticipantStatus,
    "rp_adjustments": pension_models.AdjustmentStatus,
    "rp_lines": pension_models.LineStatus,
    "rp_recoveries": pension_models.RecoveryStatus,
    "airspace_devices": airspace_models.DeviceStatus,
    "airspace_flights": airspace_models.FlightStatus,
    "airspace_violations": airspace_models.ViolationStatus,
    "budget_requests": budget_models.RequestStatus,
}


def _status_check(table: str) -> str:
    [check] = [c for c in Base.metadata.tables[table].constraints
               if isinstance(c, CheckConstraint) and str(c.sqltext).startswith("status IN")]
    return str(check.sqltext)


@pytest.mark.parametrize("table", sorted(STATUS_WORDS))
def test_each_status_check_lists_its_enum_and_is_spelled_as_in_the_migrations(table):
    words = STATUS_WORDS[table]
    check = _status_check(table)
    assert check == "status IN (" + ", ".join(f"'{word.value}'" for word in words) + ")"
    migrations = "".join(path.read_text(encoding="utf-8") for path in sorted(MIGRATIONS.glob("*.py")))
    assert f'"{check}"' in migrations


def test_supervision_labels_cover_every_status_word():
    assert set(LABELS) == set(TaskStatus)
    assert set(supervision_validation.REPORT_STATUSES) == set(ReportStatus)
    assert supervision_validation.report_status("受阻") is ReportStatus.BLOCKED
