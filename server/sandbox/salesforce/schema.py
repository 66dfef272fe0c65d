"""Which objects and fields the stand-in knows: the standard ones the product touches, and the
custom ones read from `force-app/` itself, so the stand-in refuses a field the package does not
deploy, as a real org would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

FORCE_APP = Path(__file__).resolve().parents[3] / "force-app" / "main" / "default"
_NS = "{http://soap.sforce.com/2006/04/metadata}"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # Text, LongTextArea, Lookup, Picklist, DateTime, Id, …
    length: int | None = None
    reference_to: str | None = None
    external_id: bool = False
    writable: bool = True


@dataclass(frozen=True)
class SObject:
    name: str
    key_prefix: str
    fields: dict[str, Field]
    private: bool = False  # sharing model Private: only the owner sees a record


def _standard(name: str, prefix: str, *fields: Field) -> SObject:
    common = [
        Field("Id", "Id", writable=False),
        Field("OwnerId", "Lookup", reference_to="User"),
        Field("CreatedDate", "DateTime", writable=False),
        Field("LastModifiedDate", "DateTime", writable=False),
    ]
    return SObject(name, prefix, {f.name: f for f in [*common, *fields]})


def _text(name: str, length: int = 255, writable: bool = True) -> Field:
    return Field(name, "Text", length, writable=writable)


STANDARD = [
    _standard(
        "Account",
        "001",
        _text("Name"),
        _text("Phone", 40),
        _text("AccountNumber", 40),
        _text("Type"),
    ),
    _standard(
        "Lead",
        "00Q",
        _text("FirstName", 40),
        _text("LastName", 80),
        _text("Name", 121, writable=False),
        _text("Email", 80),
        _text("Phone", 40),
        _text("Company"),
        _text("Status", 40),
    ),
    _standard(
        "Contact",
        "003",
        _text("FirstName", 40),
        _text("LastName", 80),
        _text("Name", 121, writable=False),
        _text("Email", 80),
        _text("Phone", 40),
        Field("AccountId", "Lookup", reference_to="Account"),
    ),
    _standard(
        "Case",
        "500",
        _text("CaseNumber", 30, writable=False),
        _text("Subject"),
        _text("Status", 40),
        Field("AccountId", "Lookup", reference_to="Account"),
        Field("ContactId", "Lookup", reference_to="Contact"),
    ),
    _standard("User", "005", _text("Name", 121, writable=False), _text("Email", 128)),
]


def custom_objects(folder: Path = FORCE_APP) -> list[SObject]:
    """Every custom object in the package, with its fields, as the metadata declares them."""
    found = []
    for index, object_dir in enumerate(sorted((folder / "objects").glob("*__c"))):
        meta = ET.parse(object_dir / f"{object_dir.name}.object-meta.xml").getroot()  # noqa: S314 (our own package)
        name_type = meta.findtext(f"{_NS}nameField/{_NS}type")
        fields = [Field("Name", "Text", 80, writable=name_type != "AutoNumber")]
        for path in sorted((object_dir / "fields").glob("*.field-meta.xml")):
            xml = ET.parse(path).getroot()  # noqa: S314 (our own package)
            length = xml.findtext(f"{_NS}length")
            fields.append(
                Field(
                    xml.findtext(f"{_NS}fullName") or path.name.split(".")[0],
                    xml.findtext(f"{_NS}type") or "Text",
                    int(length) if length else None,
                    xml.findtext(f"{_NS}referenceTo"),
                    xml.findtext(f"{_NS}externalId") == "true",
                )
            )
        base = _standard(object_dir.name, f"a0{chr(ord('A') + index)}", *fields)
        found.append(
            SObject(
                base.name,
                base.key_prefix,
                base.fields,
                private=meta.findtext(f"{_NS}sharingModel") == "Private",
            )
        )
    return found


def all_objects() -> dict[str, SObject]:
    return {o.name: o for o in [*STANDARD, *custom_objects()]}
