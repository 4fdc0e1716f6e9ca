"""hardening: login throttle counters, kept versions of ingested sources, canonical person and
enterprise ids (issue 10)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 21:00:00

Existing person ids (居民身份证号码) and enterprise ids (统一社会信用代码) are canonicalised with
:mod:`gazette.validate` (surrounding space removed, full-width → half-width, upper-case X, the check
digit verified). A value that cannot be canonicalised — not an ID number at all, a wrong check digit,
or a canonical form that another row already holds — is left as it is and reported: in the migration's
log and in the table ``id_check_report`` (table, column, row, value, problem) for the operator.
"""

import datetime as dt
import logging

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# (table, key column, id column, kind)
ID_COLUMNS = (
    ("users", "id", "person_id", "person"),
    ("users", "id", "enterprise_id", "enterprise"),
    ("vch_vouchers", "id", "person_id", "person"),
    ("vch_enterprises", "id", "id", "enterprise"),
    ("vch_applications", "id", "enterprise_id", "enterprise"),
    ("vch_payments", "id", "enterprise_id", "enterprise"),
    ("pf_accounts", "id", "person_id", "person"),
)


def upgrade() -> None:
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(210), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('blocked_until', sa.BigInteger(), nullable=False),
        sa.Column('updated', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')),
    )
    op.create_index(op.f('ix_login_throttle_updated'), 'login_throttle', ['updated'])
    op.create_table(
        'corpus_source_versions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('key', sa.String(200), nullable=False),
        sa.Column('sha256', sa.String(64), nullable=False),
        sa.Column('filename', sa.String(500), nullable=False),
        sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('parse', sa.JSON(), nullable=False),
        sa.Column('forced', sa.Boolean(), nullable=False),
        sa.Column('losses', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_corpus_source_versions')),
    )
    op.create_index(op.f('ix_corpus_source_versions_key'), 'corpus_source_versions', ['key'])
    report = op.create_table(
        'id_check_report',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('table_name', sa.String(100), nullable=False),
        sa.Column('column_name', sa.String(100), nullable=False),
        sa.Column('row_key', sa.String(100), nullable=False),
        sa.Column('value', sa.String(200), nullable=False),
        sa.Column('problem', sa.String(200), nullable=False),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_id_check_report')),
    )
    bind = op.get_bind()
    # the versions of the sources already ingested (their bytes were not kept before this revision)
    bind.execute(sa.text(
        "INSERT INTO corpus_source_versions (key, sha256, filename, ingested_at, data, parse, forced) "
        "SELECT key, sha256, filename, ingested_at, NULL, parse, false FROM corpus_sources"))
    canonicalise_ids(bind, report)


def canonicalise_ids(bind, report) -> list[dict]:
    """Canonicalise every stored id; returns (and stores) the rows that could not be."""
    from gazette import validate
    from gazette.errors import GazetteError

    inspector = sa.inspect(bind)
    tables = set(inspector.get_table_names())
    problems: list[dict] = []
    now = dt.datetime.now(dt.UTC)
    for table, key_col, col, kind in ID_COLUMNS:
        if table not in tables:
            continue
        check = validate.person_id if kind == "person" else validate.enterprise_id
        rows = bind.execute(sa.text(f"SELECT {key_col}, {col} FROM {table} WHERE {col} IS NOT NULL")).all()
        for key, value in rows:
            try:
                canonical = check(value)
            except GazetteError as exc:
                problems.append({"table_name": table, "column_name": col, "row_key": str(key)[:100],
                                 "value": str(value)[:200], "problem": exc.message_en[:200], "checked_at": now})
                continue
            if canonical == value:
                continue
            try:
                with bind.begin_nested():
                    bind.execute(sa.text(f"UPDATE {table} SET {col} = :v WHERE {key_col} = :k"),
                                 {"v": canonical, "k": key})
            except sa.exc.IntegrityError:
                problems.append({"table_name": table, "column_name": col, "row_key": str(key)[:100],
                                 "value": str(value)[:200], "checked_at": now,
                                 "problem": f"canonical form {canonical} is already held by another row"[:200]})
    if problems:
        bind.execute(report.insert(), problems)
        for p in problems:
            log.warning("id not canonical: %s.%s row %s value %r: %s", p["table_name"], p["column_name"],
                        p["row_key"], p["value"], p["problem"])
    return problems


def downgrade() -> None:
    op.drop_table('id_check_report')
    op.drop_index(op.f('ix_corpus_source_versions_key'), 'corpus_source_versions')
    op.drop_table('corpus_source_versions')
    op.drop_index(op.f('ix_login_throttle_updated'), 'login_throttle')
    op.drop_table('login_throttle')
