"""Room names, built only here."""


def agent_room(org_id: str, user_id: str) -> str:
    return f"agent:{org_id}:{user_id}"


def queue_room(queue_id: str) -> str:
    return f"queue:{queue_id}"
