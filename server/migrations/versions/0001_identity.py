"""Agents, agent sessions and the signed-request replay cache.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("org_id", sa.String(18), primary_key=True),
        sa.Column("user_id", sa.String(18), primary_key=True),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("username", sa.String(255), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("first_seen_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("org_id", sa.String(18), nullable=False),
        sa.Column("user_id", sa.String(18), nullable=False),
        sa.Column("org_name", sa.String(255), nullable=False),
        sa.Column("instance_url", sa.String(255), nullable=False),
        sa.Column("target_origin", sa.String(255), nullable=False),
        sa.Column("oauth_token_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("renewed_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(["org_id", "user_id"], ["agents.org_id", "agents.user_id"]),
    )
    op.create_index("ix_agent_sessions_agent", "agent_sessions", ["org_id", "user_id"])
    op.create_table(
        "used_signed_requests",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("expires_at", WHEN, nullable=False),
    )
    op.create_index("ix_used_signed_requests_expires_at", "used_signed_requests", ["expires_at"])


def downgrade() -> None:
    op.drop_table("used_signed_requests")
    op.drop_index("ix_agent_sessions_agent", table_name="agent_sessions")
    op.drop_table("agent_sessions")
    op.drop_table("agents")
