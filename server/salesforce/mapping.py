"""What the Digital tab writes to Salesforce, field by field (the objects are in force-app/)."""

from __future__ import annotations

from typing import Any

from server.digital.models import ContactNote, Disposition, Interaction

INTERACTION = "Digital_Interaction__c"
NOTE = "Contact_Note__c"
_CHANNEL_LABELS = {
    "chat": "Chat",
    "email": "Email",
    "sms": "SMS",
    "facebook": "Messenger",
    "instagram": "Instagram",
    "twitter": "X",
    "whatsapp": "WhatsApp",
}


def interaction_fields(row: Interaction, agent_user_id: str) -> dict[str, Any]:
    """The interaction and the links the agent chose: Name is an Account or a Lead, never both."""
    label = _CHANNEL_LABELS.get(row.channel_kind, "Digital")
    return {
        "Name": f"{label} {row.contact_id}"[:80],
        "Channel__c": row.channel_kind or None,
        "Status__c": row.status,
        "Digital_Id__c": (row.customer_digital_id or None) and row.customer_digital_id[:255],
        "Customer_Name__c": (row.customer_name or None) and row.customer_name[:255],
        "Agent__c": agent_user_id,
        "Account__c": row.name_id if row.name_type == "Account" else None,
        "Lead__c": row.name_id if row.name_type == "Lead" else None,
        "Case__c": row.relates_to_id,
    }


def disposition_fields(
    row: Interaction, disposition: Disposition, agent_user_id: str
) -> dict[str, Any]:
    return interaction_fields(row, agent_user_id) | {
        "Disposition_Notes__c": disposition.notes or None,
        "Ended_At__c": disposition.created_at.isoformat(),
    }


def note_fields(note: ContactNote, case_number: str) -> dict[str, Any]:
    return {
        "Body__c": note.text,
        "Customer_Key__c": note.customer_id[:255],
        "Case_Number__c": case_number,
    }
