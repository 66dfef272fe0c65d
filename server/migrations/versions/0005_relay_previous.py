"""Relay events remember where the interaction was before, so that agents it left hear of it
(also when they catch up after a reconnect).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("relay_events") as table:
        table.add_column(sa.Column("previous_queue_id", sa.String(64), nullable=True))
        table.add_column(sa.Column("previous_assignee_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("relay_events") as table:
        table.drop_column("previous_assignee_id")
        table.drop_column("previous_queue_id")
