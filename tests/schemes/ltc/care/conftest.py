"""Fixtures of the care-half tests: a clean database with the LTC tables registered for ``clean_db``."""

from __future__ import annotations

import pytest

from jiaxing.schemes.ltc import models as shared  # noqa: F401 - registers the shared tables for clean_db
from jiaxing.schemes.ltc.care import (
    handlers,  # noqa: F401 - registers the command handlers
    models,  # noqa: F401 - registers the care tables for clean_db
)


@pytest.fixture()
def care(clean_db):
    return clean_db
