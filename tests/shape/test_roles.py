"""Every role of the schemes can be given to a user; scoped roles need their unit."""

from __future__ import annotations

import pytest

from gazette.auth import users
from gazette.auth.principal import ROLE_LABELS, Role
from gazette.errors import InvalidInput
from gazette.store.db import unit_of_work


def test_every_role_has_labels():
    assert set(ROLE_LABELS) == set(Role)


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.district_officer, Role.enterprise)])
def test_every_role_is_accepted_by_the_database(clean_db, role):
    unit = "市财政局" if role in users.UNIT_ROLES else None
    with unit_of_work() as s:
        made = users.create_user(s, username=f"u-{role.value}", password="pw-long-enough-1", role=role.value,
                                 unit=unit)
    assert made["role"] == role.value and made["unit"] == unit


def test_scoped_role_needs_unit(clean_db):
    with unit_of_work() as s, pytest.raises(InvalidInput) as err:
        users.create_user(s, username="dept", password="pw-long-enough-1", role="department")
    assert err.value.field == "unit"
