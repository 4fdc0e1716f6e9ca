"""auth: the roles of the wave-2 schemes, and the unit a scoped role acts for

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-03 20:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None

OLD_ROLES = ('citizen', 'enterprise', 'district_officer', 'city_admin', 'auditor')
NEW_ROLES = OLD_ROLES + (
    'assessor', 'expert', 'provider_staff', 'caregiver', 'insurance_officer', 'pension_officer', 'approver',
    'unit_reporter', 'supervision_officer', 'department', 'finance_officer', 'registrar',
)


def _check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('unit', sa.String(200), nullable=True))
        batch.drop_constraint(op.f('ck_users_role_known'), type_='check')
        batch.create_check_constraint(op.f('ck_users_role_known'), _check(NEW_ROLES))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_constraint(op.f('ck_users_role_known'), type_='check')
        batch.create_check_constraint(op.f('ck_users_role_known'), _check(OLD_ROLES))
        batch.drop_column('unit')
