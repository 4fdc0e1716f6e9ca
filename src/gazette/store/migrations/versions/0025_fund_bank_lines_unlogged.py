"""provident fund: the bank import's staging table unlogged

``pf_bank_lines`` holds each bank result file's lines for the one transaction that settles them
(bank_import.py); nothing reads it afterwards. Unlogged, its 900,000 lines a month are no longer
written to the WAL as well (~130 MB a month), which took about 0.5 s off staging them by COPY
(docs/provident_fund.md). What this gives up: after a server crash PostgreSQL empties the table, and
a standby never holds its rows — the settled debits (pf_collections), the exceptions list and the
run's result, which are what the import leaves behind, stay logged. The table is rewritten once,
here. PostgreSQL only.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 19:25:00
"""

from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = ('0017',)  # the fund's tables (0004, last changed by 0017; a branch beside 0024's)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE pf_bank_lines SET UNLOGGED')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE pf_bank_lines SET LOGGED')
