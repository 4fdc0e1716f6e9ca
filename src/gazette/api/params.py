"""Path parameters shared by API routes and pages."""

from typing import Annotated

from fastapi import Path

# Row ids are BIGINT: a larger number names nothing, so it is refused (422) before reaching the database.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="row id")]
