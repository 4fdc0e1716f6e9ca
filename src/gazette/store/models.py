"""All tables, imported so Alembic and ``Base.metadata`` see every model."""

from gazette.auth import models as auth_models  # noqa: F401  (users, sessions, tokens, denials)
from gazette.store import ledger_models  # noqa: F401  (ledger tables)
from gazette.store.base import Base
from gazette.store.corpus_models import (
    CatalogRow,
    ClauseRow,
    DocumentRow,
    IssueRow,
    PersonnelRow,
    RelationRow,
    SourceRow,
    TaskRow,
)

__all__ = [
    "Base",
    "CatalogRow",
    "ClauseRow",
    "DocumentRow",
    "IssueRow",
    "PersonnelRow",
    "RelationRow",
    "SourceRow",
    "TaskRow",
]
