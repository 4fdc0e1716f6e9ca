"""Is the database schema current? Asked before every CLI command that touches the database.

Alembic answers this too, but importing its script machinery costs the CLI about 0.15 s on every
command; the migration files' ``revision`` / ``down_revision`` assignments are read with ``ast``
instead (a test holds the answer equal to Alembic's). Only when something is pending does the
caller import Alembic and upgrade.
"""

from __future__ import annotations

import ast
from pathlib import Path

VERSIONS = Path(__file__).resolve().parent / "store" / "migrations" / "versions"


def migration_heads(versions: Path = VERSIONS) -> set[str]:
    revisions: set[str] = set()
    parents: set[str] = set()
    for f in versions.glob("*.py"):
        values: dict[str, object] = {}
        for node in ast.parse(f.read_text(encoding="utf-8")).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            for t in targets:
                if isinstance(t, ast.Name) and t.id in ("revision", "down_revision") and node.value is not None:
                    values[t.id] = ast.literal_eval(node.value)
        if isinstance(values.get("revision"), str):
            revisions.add(values["revision"])  # type: ignore[arg-type]
            down = values.get("down_revision")
            parents.update([down] if isinstance(down, str) else list(down or ()))  # type: ignore[arg-type]
    return revisions - parents


def pending_migrations(url: str) -> str | None:
    """None when the schema is at the heads; else a short reason (a new database, or behind)."""
    from sqlalchemy import inspect, text

    from gazette.store.db import get_engine

    engine = get_engine(url)
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return "新数据库 / new database"
        current = {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}
    heads = migration_heads()
    if heads <= current:
        return None
    return "待迁移 / pending: " + ", ".join(sorted(heads - current))
