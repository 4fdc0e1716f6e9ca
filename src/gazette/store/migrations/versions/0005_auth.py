"""auth: users, web sessions, API tokens, login attempts, access denials, secrets

The tables of access control (src/gazette/auth/models.py). ``access_denials`` is append-only.

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-02 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0002'
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('username', sa.String(100), nullable=False),
        sa.Column('display_name', sa.String(200), nullable=False),
        sa.Column('password_hash', sa.String(300), nullable=False),
        sa.Column('role', sa.String(30), nullable=False),
        sa.Column('district', sa.String(100), nullable=True),
        sa.Column('person_id', sa.String(64), nullable=True),
        sa.Column('enterprise_id', sa.String(64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.CheckConstraint("role IN ('citizen', 'enterprise', 'district_officer', 'city_admin', 'auditor')",
                           name=op.f('ck_users_role_known')),
        sa.CheckConstraint("role <> 'district_officer' OR district IS NOT NULL",
                           name=op.f('ck_users_officer_district')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('username', name=op.f('uq_users_username')),
    )
    op.create_table(
        'web_sessions',
        sa.Column('id', sa.String(64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf_token', sa.String(100), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'])
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('token_hash', sa.String(64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(200), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.Column('expires_at', TS, nullable=True),
        sa.Column('revoked_at', TS, nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'])
    op.create_table(
        'login_attempts',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('username', sa.String(100), nullable=False),
        sa.Column('ip', sa.String(100), nullable=False),
        sa.Column('at', TS, nullable=False),
        sa.Column('ok', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts')),
    )
    op.create_index('ix_login_attempts_username_at', 'login_attempts', ['username', 'at'])
    op.create_index('ix_login_attempts_ip_at', 'login_attempts', ['ip', 'at'])
    op.create_table(
        'access_denials',
        sa.Column('id', BIGID, autoincrement=True, nullable=False),
        sa.Column('at', TS, nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(100), nullable=True),
        sa.Column('method', sa.String(10), nullable=False),
        sa.Column('path', sa.Text(), nullable=False),
        sa.Column('reason', sa.String(200), nullable=False),
        sa.Column('ip', sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_access_denials')),
    )
    op.create_index(op.f('ix_access_denials_at'), 'access_denials', ['at'])
    op.create_table(
        'auth_secrets',
        sa.Column('name', sa.String(50), nullable=False),
        sa.Column('value', sa.String(200), nullable=False),
        sa.Column('created_at', TS, nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_auth_secrets')),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("""CREATE OR REPLACE FUNCTION access_denials_append_only() RETURNS trigger AS $$
                      BEGIN RAISE EXCEPTION 'access_denials is append-only'; END; $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER access_denials_no_update BEFORE UPDATE ON access_denials "
                   "FOR EACH ROW EXECUTE FUNCTION access_denials_append_only()")
    elif bind.dialect.name == "sqlite":
        op.execute("CREATE TRIGGER access_denials_no_update BEFORE UPDATE ON access_denials "
                   "BEGIN SELECT RAISE(ABORT, 'access_denials is append-only'); END")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS access_denials_no_update ON access_denials")
        op.execute("DROP FUNCTION IF EXISTS access_denials_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS access_denials_no_update")
    op.drop_table('auth_secrets')
    op.drop_index(op.f('ix_access_denials_at'), 'access_denials')
    op.drop_table('access_denials')
    op.drop_index('ix_login_attempts_ip_at', 'login_attempts')
    op.drop_index('ix_login_attempts_username_at', 'login_attempts')
    op.drop_table('login_attempts')
    op.drop_index(op.f('ix_api_tokens_user_id'), 'api_tokens')
    op.drop_table('api_tokens')
    op.drop_index(op.f('ix_web_sessions_user_id'), 'web_sessions')
    op.drop_table('web_sessions')
    op.drop_table('users')
