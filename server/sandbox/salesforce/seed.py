"""A few believable records for the pickers: accounts, leads, contacts and cases."""

from __future__ import annotations

from server.sandbox.salesforce.records import Records

OWNER = "005000000000ADMINQ"

ACCOUNTS = [
    ("Globex Corporation", "+1 415 555 0134", "GX-1001"),
    ("Initech", "+1 512 555 0177", "IN-2044"),
    ("Acme Logistics", "+44 20 7946 0321", "AC-3310"),
    ("Umbrella Health", "+33 1 70 36 39 50", "UH-0420"),
    ("O'Brien & Sons", "+353 1 555 0199", "OB-7788"),
]
LEADS = [
    ("Maria", "Santos", "maria.santos@example.net", "+351 21 555 0101", "Santos Café"),
    ("Kenji", "Watanabe", "kenji.w@example.org", "+81 3 5555 0123", "Watanabe Trading"),
    ("Priya", "Nair", "priya.nair@example.com", "+91 22 5555 0142", "Nair Textiles"),
]
CONTACTS = [
    ("Lucas", "Meyer", "lucas.meyer@globex.example", "+1 415 555 0188", 0),
    ("Aisha", "Bello", "aisha.bello@initech.example", "+1 512 555 0110", 1),
]
CASES = [
    ("Delivery arrived damaged", "New", 0),
    ("Refund for order 4471", "Working", 1),
    ("Cannot sign in to the portal", "New", 2),
    ("Invoice shows the wrong VAT number", "Escalated", 3),
]


def seed(records: Records) -> None:
    accounts = [
        records.create("Account", {"Name": n, "Phone": p, "AccountNumber": a}, OWNER)
        for n, p, a in ACCOUNTS
    ]
    for first, last, email, phone, company in LEADS:
        records.create(
            "Lead",
            {
                "FirstName": first,
                "LastName": last,
                "Email": email,
                "Phone": phone,
                "Company": company,
                "Status": "Open - Not Contacted",
            },
            OWNER,
        )
    for first, last, email, phone, account in CONTACTS:
        records.create(
            "Contact",
            {
                "FirstName": first,
                "LastName": last,
                "Email": email,
                "Phone": phone,
                "AccountId": accounts[account],
            },
            OWNER,
        )
    for subject, status, account in CASES:
        records.create(
            "Case", {"Subject": subject, "Status": status, "AccountId": accounts[account]}, OWNER
        )
