"""Small SQL helpers shared by the ledger modules."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from gazette.ledger.canonical import canonical_hash, check_key, jsonable

__all__ = ["bulk_insert", "canonical_hash", "check_key", "dialect_insert", "jsonable"]


def dialect_insert(session: Session, table):
    """An INSERT that supports ``on_conflict_do_nothing`` on PostgreSQL and SQLite."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - we support the two
        raise RuntimeError(f"unsupported database: {name}")
    return insert(table)


def bulk_insert(
    session: Session,
    table,
    rows: list[dict[str, Any]],
    *,
    conflict: list[str] | None = None,
    returning: list[str] | None = None,
    chunk: int = 20_000,
) -> list[Any]:
    """Insert many rows fast; optionally ``ON CONFLICT (conflict) DO NOTHING`` and ``RETURNING``.

    On PostgreSQL one ``INSERT … SELECT … FROM unnest(array, array, …)`` per chunk: a handful
    of parameters whatever the row count, so neither SQLAlchemy nor psycopg has to build a
    statement with a placeholder per value. Elsewhere an executemany (SQLAlchemy batches it).
    Returns the RETURNING rows (in no particular order) or ``[]``.
    """
    if not rows:
        return []
    out: list[Any] = []
    if session.get_bind().dialect.name != "postgresql":
        stmt = dialect_insert(session, table)
        if conflict:
            stmt = stmt.on_conflict_do_nothing(index_elements=conflict)
        if returning:
            stmt = stmt.returning(*(table.c[c] for c in returning))
        for i in range(0, len(rows), chunk):
            result = session.execute(stmt, rows[i : i + chunk])
            if returning:
                out += result.all()
        return out
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    cols = list(rows[0])
    types = {c: table.c[c].type.compile(dialect=dialect) for c in cols}
    is_json = {c: types[c] in ("JSON", "JSONB") for c in cols}

    def encode(c, v):
        return None if v is None or not is_json[c] else json.dumps(v, ensure_ascii=False)

    for i in range(0, len(rows), chunk):
        part = rows[i : i + chunk]
        # A column with one value for every row goes as one scalar parameter, the rest as arrays.
        same = {c for c in cols if all(r[c] == part[0][c] for r in part)} if len(part) > 1 else set()
        varying = [c for c in cols if c not in same] or [cols[0]]
        same -= set(varying)
        params: dict[str, Any] = {}
        select_list = []
        for j, c in enumerate(cols):
            if c in same:
                params[f"s{j}"] = encode(c, part[0][c]) if is_json[c] else part[0][c]
                select_list.append(f"CAST(:s{j} AS {types[c]})")
            else:
                values = [r[c] for r in part]
                if is_json[c]:
                    values = [encode(c, v) for v in values]
                params[f"a{j}"] = values
                select_list.append(f'v."{c}"')
        arrays = ", ".join(f"CAST(:a{j} AS {types[c]}[])" for j, c in enumerate(cols) if c in varying)
        names = ", ".join(f'"{c}"' for c in cols if c in varying)
        sql = (
            f'INSERT INTO "{table.name}" (' + ", ".join(f'"{c}"' for c in cols) + ") "
            f"SELECT {', '.join(select_list)} FROM unnest({arrays}) AS v({names})"
        )
        if conflict:
            sql += " ON CONFLICT (" + ", ".join(f'"{c}"' for c in conflict) + ") DO NOTHING"
        if returning:
            sql += " RETURNING " + ", ".join(f'"{c}"' for c in returning)
        result = session.execute(text(sql), params)
        if returning:
            out += result.all()
    return out
