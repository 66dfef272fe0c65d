"""The Digital tab's read model, agent links, reads, dispositions and private notes.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agent_links",
        sa.Column("org_id", sa.String(18), primary_key=True),
        sa.Column("user_id", sa.String(18), primary_key=True),
        sa.Column("cxone_user_id", sa.Integer(), nullable=False, unique=True),
        sa.Column("can_transfer", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "interactions",
        sa.Column("contact_id", sa.String(32), primary_key=True),
        sa.Column("channel_id", sa.String(128), nullable=False),
        sa.Column("channel_kind", sa.String(32), nullable=False),
        sa.Column("channel_rank", sa.Integer(), nullable=False),
        sa.Column("routing_queue_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_updated_at", WHEN, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assignee_name", sa.String(255), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("last_inbound_at", WHEN, nullable=True),
        sa.Column("customer_id", sa.String(255), nullable=False),
        sa.Column("customer_name", sa.String(255), nullable=False),
        sa.Column("customer_digital_id", sa.String(255), nullable=False),
        sa.Column("thread_id", sa.String(255), nullable=False),
        sa.Column("preview", sa.String(255), nullable=False),
        sa.Column("inbound_count", sa.Integer(), nullable=False),
        sa.Column("transfer_count", sa.Integer(), nullable=False),
        sa.Column("master_contact_id", sa.String(32), nullable=True),
        sa.Column("name_type", sa.String(16), nullable=True),
        sa.Column("name_id", sa.String(18), nullable=True),
        sa.Column("name_label", sa.String(255), nullable=False),
        sa.Column("relates_to_id", sa.String(18), nullable=True),
        sa.Column("relates_to_label", sa.String(255), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
    )
    # One index per inbox sort, in its exact directions (see server/digital/models.py).
    desc = sa.text
    op.create_index(
        "ix_inbox_received",
        "interactions",
        ["active", desc("received_at DESC"), desc("contact_id DESC")],
    )
    op.create_index(
        "ix_inbox_priority",
        "interactions",
        ["active", desc("priority DESC"), desc("received_at DESC"), desc("contact_id DESC")],
    )
    op.create_index(
        "ix_inbox_channel",
        "interactions",
        ["active", "channel_rank", desc("received_at DESC"), desc("contact_id DESC")],
    )
    op.create_index("ix_interactions_assignee", "interactions", ["assignee_id", "active"])
    op.create_table(
        "claims",
        sa.Column("contact_id", sa.String(32), primary_key=True),
        sa.Column("cxone_user_id", sa.Integer(), nullable=False),
        sa.Column("holder_name", sa.String(255), nullable=False),
        sa.Column("claimed_at", WHEN, nullable=False),
    )
    op.create_table(
        "interaction_tags",
        sa.Column("contact_id", sa.String(32), primary_key=True),
        sa.Column("tag_id", sa.Integer(), primary_key=True),
    )
    op.create_index("ix_interaction_tags_tag_id", "interaction_tags", ["tag_id"])
    op.create_table(
        "interaction_messages",
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("contact_id", sa.String(32), nullable=False),
        sa.Column("inbound", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_interaction_messages_contact_id", "interaction_messages", ["contact_id"])
    op.create_table(
        "agent_reads",
        sa.Column("org_id", sa.String(18), primary_key=True),
        sa.Column("user_id", sa.String(18), primary_key=True),
        sa.Column("contact_id", sa.String(32), primary_key=True),
        sa.Column("read_at", WHEN, nullable=False),
    )
    op.create_table(
        "dispositions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("contact_id", sa.String(32), nullable=False),
        sa.Column("org_id", sa.String(18), nullable=False),
        sa.Column("user_id", sa.String(18), nullable=False),
        sa.Column("case_number", sa.String(32), nullable=False),
        sa.Column("name_type", sa.String(16), nullable=True),
        sa.Column("name_id", sa.String(18), nullable=True),
        sa.Column("relates_to_id", sa.String(18), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("writeback_status", sa.String(16), nullable=False),
    )
    op.create_index("ix_dispositions_contact_id", "dispositions", ["contact_id"])
    op.create_table(
        "contact_notes",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("org_id", sa.String(18), nullable=False),
        sa.Column("user_id", sa.String(18), nullable=False),
        sa.Column("customer_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
    )
    op.create_index("ix_contact_notes_owner", "contact_notes", ["org_id", "user_id", "customer_id"])


def downgrade() -> None:
    for table in (
        "contact_notes",
        "dispositions",
        "agent_reads",
        "interaction_messages",
        "interaction_tags",
        "claims",
        "interactions",
        "agent_links",
    ):
        op.drop_table(table)
