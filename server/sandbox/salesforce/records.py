"""The stand-in's records: create, update, upsert by external id, the SOQL and SOSL the product
sends, with Salesforce's checks and error codes. In memory, one lock."""

from __future__ import annotations

import itertools
import re
import threading
from datetime import UTC, datetime
from typing import Any

from server.canvas.ids import to_18
from server.sandbox.salesforce.schema import SObject, all_objects


class SalesforceError(Exception):
    """Answered as Salesforce does: a list of {message, errorCode[, fields]}."""

    def __init__(self, status: int, code: str, message: str, fields: list[str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or []

    def body(self) -> list[dict[str, Any]]:
        return [{"message": self.message, "errorCode": self.code, "fields": self.fields}]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


class Records:
    def __init__(self) -> None:
        self.objects = all_objects()
        self._rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in self.objects}
        self._lock = threading.RLock()
        self._serial = itertools.count(1)
        self._case_numbers = itertools.count(1027)

    # --- writes ------------------------------------------------------------------------------

    def create(self, sobject: str, data: dict[str, Any], owner: str) -> str:
        meta = self._object(sobject)
        with self._lock:
            values = self._checked(meta, data)
            record_id = to_18(f"{meta.key_prefix}5g{next(self._serial):010d}")
            stamp = _now()
            row = {"Id": record_id, "OwnerId": owner, "CreatedDate": stamp} | values
            row["LastModifiedDate"] = stamp
            if sobject == "Case":
                row["CaseNumber"] = f"{next(self._case_numbers):08d}"
            if sobject in ("Lead", "Contact"):
                row["Name"] = " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p)
            self._unique(meta, row, record_id)
            self._rows[sobject][record_id] = row
            return record_id

    def update(self, sobject: str, record_id: str, data: dict[str, Any], user: str) -> None:
        meta = self._object(sobject)
        with self._lock:
            row = self._visible_row(meta, record_id, user)
            values = self._checked(meta, data)
            self._unique(meta, row | values, row["Id"])
            row.update(values, LastModifiedDate=_now())

    def upsert(
        self, sobject: str, field: str, value: str, data: dict[str, Any], user: str
    ) -> tuple[str, bool]:
        """(record id, created?) — by external id, as PATCH …/{field}/{value} does."""
        meta = self._object(sobject)
        key = meta.fields.get(field)
        if key is None or not key.external_id:
            raise SalesforceError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {field}",
            )
        if field in data and str(data[field]) != value:
            raise SalesforceError(
                400, "INVALID_FIELD", f"{field} differs from the URL's value", [field]
            )
        with self._lock:
            matches = [
                r
                for r in self._rows[sobject].values()
                if str(r.get(field, "")).lower() == value.lower()
            ]
            if len(matches) > 1:  # pragma: no cover (uniqueness is enforced on write)
                raise SalesforceError(300, "MULTIPLE_CHOICES", "more than one record matches")
            if matches:
                self.update(sobject, matches[0]["Id"], data, user)
                return matches[0]["Id"], False
            return self.create(sobject, data | {field: value}, user), True

    # --- reads -------------------------------------------------------------------------------

    def get(self, sobject: str, record_id: str, user: str) -> dict[str, Any]:
        meta = self._object(sobject)
        with self._lock:
            return self._shaped(meta, dict(self._visible_row(meta, record_id, user)))

    def all(self, sobject: str) -> list[dict[str, Any]]:
        meta = self._object(sobject)
        with self._lock:
            return [self._shaped(meta, dict(r)) for r in self._rows[sobject].values()]

    def query(self, soql: str, user: str) -> dict[str, Any]:
        parsed = _SOQL.fullmatch(soql.strip())
        if parsed is None:
            raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected query: {soql[:200]}")
        meta = self._object(parsed["object"])
        fields = [f.strip() for f in parsed["fields"].split(",")]
        _known(meta, fields)
        matches = _condition(parsed["where"] or "", meta)
        with self._lock:
            rows = [r for r in self._rows[meta.name].values() if self._sees(meta, r, user)]
        rows = [r for r in rows if matches(r)]
        if parsed["order"]:
            rows.sort(key=lambda r: str(r.get(parsed["order"]) or ""), reverse=bool(parsed["desc"]))
        rows = rows[: int(parsed["limit"] or 2000)]
        records = [self._shaped(meta, {f: r.get(f) for f in fields}) for r in rows]
        return {"totalSize": len(records), "done": True, "records": records}

    def search(self, sosl: str, user: str) -> dict[str, Any]:
        parsed = _SOSL.fullmatch(sosl.strip())
        if parsed is None:
            raise SalesforceError(400, "MALFORMED_SEARCH", f"unexpected search: {sosl[:200]}")
        term = _sosl_unescape(parsed["term"])
        prefix = term.endswith("*")
        term = term.rstrip("*").strip().lower()
        if len(term) < 2:
            raise SalesforceError(
                400, "INVALID_SEARCH", "search term must be longer than one character"
            )
        found = []
        for spec in _RETURNING.finditer(parsed["returning"]):
            meta = self._object(spec["object"])
            fields = [f.strip() for f in spec["fields"].split(",")]
            _known(meta, fields)
            with self._lock:
                rows = [r for r in self._rows[meta.name].values() if self._sees(meta, r, user)]
            hits = [r for r in rows if _mentions(r, term, prefix)]
            if spec["order"]:
                hits.sort(key=lambda r: str(r.get(spec["order"]) or ""))
            for row in hits[: int(spec["limit"] or 2000)]:
                found.append(self._shaped(meta, {f: row.get(f) for f in fields}))
        return {"searchRecords": found}

    # --- checks --------------------------------------------------------------------------------

    def _object(self, name: str) -> SObject:
        meta = self.objects.get(name)
        if meta is None:
            raise SalesforceError(
                404, "NOT_FOUND", f"The requested resource does not exist: {name}"
            )
        return meta

    def _checked(self, meta: SObject, data: dict[str, Any]) -> dict[str, Any]:
        values = {k: v for k, v in data.items() if k != "attributes"}
        _known(meta, list(values))
        for name, value in values.items():
            field = meta.fields[name]
            if not field.writable:
                raise SalesforceError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {name}. Please check the security settings "
                    "of this field and verify that it is read/write for your profile.",
                    [name],
                )
            if value is None:
                continue
            if field.kind == "Lookup":
                self._reference(field.reference_to or "", str(value), name)
            elif field.length is not None and len(str(value)) > field.length:
                raise SalesforceError(
                    400,
                    "STRING_TOO_LONG",
                    f"{name}: data value too large: {str(value)[:40]}… (max length={field.length})",
                    [name],
                )
        return values

    def _reference(self, target: str, value: str, field: str) -> None:
        if target == "User":
            return  # the stand-in keeps no user records; any user id is taken
        meta = self.objects[target]
        try:
            record_id = to_18(value)
        except ValueError:
            raise SalesforceError(
                400, "MALFORMED_ID", f"{field}: id value of incorrect type: {value}", [field]
            ) from None
        if not record_id.startswith(meta.key_prefix) or record_id not in self._rows[target]:
            raise SalesforceError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{field}: id value of incorrect type: {value}",
                [field],
            )

    def _unique(self, meta: SObject, row: dict[str, Any], record_id: str) -> None:
        for field in meta.fields.values():
            value = row.get(field.name)
            if not field.external_id or value in (None, ""):
                continue
            for other in self._rows[meta.name].values():
                if (
                    other["Id"] != record_id
                    and str(other.get(field.name, "")).lower() == str(value).lower()
                ):
                    raise SalesforceError(
                        400,
                        "DUPLICATE_VALUE",
                        f"duplicate value found: {field.name} duplicates value on record with id: {other['Id']}",
                        [field.name],
                    )

    def _visible_row(self, meta: SObject, record_id: str, user: str) -> dict[str, Any]:
        try:
            key = to_18(record_id)
        except ValueError:
            raise SalesforceError(
                404, "NOT_FOUND", "The requested resource does not exist"
            ) from None
        row = self._rows[meta.name].get(key)
        if row is None or not self._sees(meta, row, user):
            raise SalesforceError(404, "NOT_FOUND", "The requested resource does not exist")
        return row

    @staticmethod
    def _sees(meta: SObject, row: dict[str, Any], user: str) -> bool:
        return not meta.private or row.get("OwnerId") == user

    @staticmethod
    def _shaped(meta: SObject, row: dict[str, Any]) -> dict[str, Any]:
        url = f"/services/data/v62.0/sobjects/{meta.name}/{row.get('Id', '')}"
        return {"attributes": {"type": meta.name, "url": url}} | row


# The SOQL the product sends: SELECT … FROM … [WHERE …] [ORDER BY f [ASC|DESC]] [LIMIT n]
_SOQL = re.compile(
    r"SELECT\s+(?P<fields>[\w\s,.]+?)\s+FROM\s+(?P<object>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+(?:ASC|(?P<desc>DESC)))?)?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?",
    re.I | re.S,
)
_TERM = re.compile(r"(?P<field>\w+)\s+(?P<op>LIKE|=)\s+'(?P<value>(?:[^'\\]|\\.)*)'", re.I)
_SOSL = re.compile(
    r"FIND\s+\{(?P<term>(?:[^}\\]|\\.)*)\}\s+IN\s+ALL\s+FIELDS\s+RETURNING\s+(?P<returning>.+)",
    re.I | re.S,
)
_RETURNING = re.compile(
    r"(?P<object>\w+)\s*\(\s*(?P<fields>[\w\s,]+?)"
    r"(?:\s+ORDER\s+BY\s+(?P<order>\w+))?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*\)",
    re.I,
)


def _known(meta: SObject, fields: list[str]) -> None:
    for name in fields:
        if name not in meta.fields:
            raise SalesforceError(
                400,
                "INVALID_FIELD",
                f"No such column '{name}' on entity '{meta.name}'. If you are attempting to use a "
                "custom field, be sure to append the '__c' after the custom field name.",
                [name],
            )


def _condition(where: str, meta: SObject):  # type: ignore[no-untyped-def]
    """Terms joined by OR (or all by AND); each `Field LIKE 'x'` or `Field = 'x'`."""
    if not where.strip():
        return lambda row: True
    terms = list(_TERM.finditer(where))
    rest = _TERM.sub("", where).replace("(", "").replace(")", "").split()
    joiners = {word.upper() for word in rest}
    if not terms or not joiners <= {"OR", "AND"} or len(joiners) > 1:
        raise SalesforceError(400, "MALFORMED_QUERY", f"unexpected WHERE clause: {where[:200]}")
    tests = []
    for term in terms:
        _known(meta, [term["field"]])
        pattern = _like(term["value"]) if term["op"].upper() == "LIKE" else None
        literal = _soql_unescape(term["value"])
        name = term["field"]
        tests.append(
            (lambda row, n=name, p=pattern: p.fullmatch(str(row.get(n) or "")) is not None)
            if pattern
            else (lambda row, n=name, v=literal: str(row.get(n) or "").lower() == v.lower())
        )
    combine = all if joiners == {"AND"} else any
    return lambda row: combine(test(row) for test in tests)


def _like(value: str) -> re.Pattern[str]:
    """SOQL LIKE: % and _ are wildcards unless escaped; case-insensitive."""
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            out.append(re.escape(next(chars, "")))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.I | re.S)


def _soql_unescape(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _sosl_unescape(term: str) -> str:
    return re.sub(r"\\(.)", r"\1", term)


def _mentions(row: dict[str, Any], term: str, prefix: bool) -> bool:
    digits = re.sub(r"\D", "", term)
    for value in row.values():
        if not isinstance(value, str):
            continue
        text = value.lower()
        words = re.split(r"[\s,@.]+", text)
        if term in words or (prefix and any(w.startswith(term) for w in words)):
            return True
        if term == text or (prefix and text.startswith(term)):
            return True
        phone_like = re.fullmatch(r"[\d\s()+\-.]+", term) is not None
        if phone_like and len(digits) >= 4 and digits in re.sub(r"\D", "", text):
            return True
    return False
