"""Salesforce record ids: 15-character (case-sensitive) and 18-character (case-safe) forms."""

from __future__ import annotations

import re

_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$")
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


class InvalidSalesforceId(ValueError):
    """Not a 15- or 18-character Salesforce id, or an 18-character id with a wrong suffix."""


def to_18(record_id: str) -> str:
    """The 18-character form of a Salesforce id, so both forms name the same record.

    Raises:
        InvalidSalesforceId: not an id, or an 18-character id whose suffix does not match.
    """
    if not isinstance(record_id, str) or not _ID.match(record_id):
        raise InvalidSalesforceId(f"{record_id!r} is not a 15- or 18-character Salesforce id")
    base = record_id[:15]
    suffix = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, char in enumerate(base[start : start + 5]) if char.isupper())
        suffix += _SUFFIX_ALPHABET[bits]
    if len(record_id) == 18 and record_id[15:].upper() != suffix:
        raise InvalidSalesforceId(f"{record_id!r} has a checksum that does not match its first 15")
    return base + suffix
