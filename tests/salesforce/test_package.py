"""The deployable package and what the backend writes agree: every field written exists in
force-app/, the permission set grants it, and every metadata file is well-formed XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from server.digital.models import ContactNote, Disposition, Interaction
from server.salesforce import mapping
from server.sandbox.salesforce.schema import FORCE_APP, custom_objects

NS = "{http://soap.sforce.com/2006/04/metadata}"


def test_every_metadata_file_is_well_formed():
    files = sorted(FORCE_APP.rglob("*-meta.xml"))
    assert len(files) >= 20
    for path in files:
        ET.parse(path)  # raises on malformed XML
    project = json.loads((FORCE_APP.parents[2] / "sfdx-project.json").read_text())
    assert project["packageDirectories"][0]["path"] == "force-app"


def test_every_field_the_backend_writes_is_deployed_and_granted():
    objects = {o.name: o for o in custom_objects()}
    now = datetime.now(UTC)
    row = Interaction(
        contact_id="44",
        channel_kind="chat",
        status="resolved",
        customer_digital_id="+1555",
        customer_name="Jo",
        name_type="Account",
        name_id="001",
        relates_to_id="500",
    )
    disposition = Disposition(notes="n", created_at=now)
    note = ContactNote(text="t", customer_id="c", created_at=now)
    written = {
        mapping.INTERACTION: set(mapping.disposition_fields(row, disposition, "005")),
        mapping.NOTE: set(mapping.note_fields(note, "44")),
    }
    permission_set = ET.parse(
        FORCE_APP / "permissionsets" / "Digital_Tab_Agent.permissionset-meta.xml"
    )
    granted = {
        p.findtext(f"{NS}field")
        for p in permission_set.getroot().iter(f"{NS}fieldPermissions")
        if p.findtext(f"{NS}editable") == "true"
    }
    objects_granted = {
        p.findtext(f"{NS}object")
        for p in permission_set.getroot().iter(f"{NS}objectPermissions")
        if p.findtext(f"{NS}allowCreate") == "true" and p.findtext(f"{NS}allowEdit") == "true"
    }
    assert objects_granted == set(written)
    for sobject, fields in written.items():
        for field in fields:
            assert field in objects[sobject].fields, f"{sobject}.{field} is not in force-app"
            assert objects[sobject].fields[field].writable
            if field != "Name":
                assert f"{sobject}.{field}" in granted, f"{sobject}.{field} is not granted"
    assert objects[mapping.NOTE].private  # private notes: sharing model Private
    assert objects[mapping.INTERACTION].fields["External_Id__c"].external_id
    assert objects[mapping.NOTE].fields["External_Id__c"].external_id
