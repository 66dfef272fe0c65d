"""The Salesforce write-back outbox.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "salesforce_writes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(18), nullable=False),
        sa.Column("user_id", sa.String(18), nullable=False),
        sa.Column("sobject", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(64), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_id", sa.String(36), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refused_token", sa.String(64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("salesforce_id", sa.String(18), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_salesforce_writes_due", "salesforce_writes", ["state", "next_attempt_at"])
    op.create_index(
        "ix_salesforce_writes_agent", "salesforce_writes", ["org_id", "user_id", "state"]
    )
    op.create_index(
        "ix_salesforce_writes_record", "salesforce_writes", ["sobject", "external_id", "state"]
    )


def downgrade() -> None:
    op.drop_table("salesforce_writes")
