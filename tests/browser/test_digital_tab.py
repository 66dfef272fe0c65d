"""An agent works the Digital tab in a real browser: the Lightning stand-in (the Salesforce
stand-in's origin) with the force-app components, the canvas bridge (the backend's origin), the
CXone sandbox and the Salesforce stand-in, all over loopback as `scripts/run` starts them."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PARCEL = "Browser test: my parcel arrived damaged"
AGAIN = "Browser test: it is still broken"


def open_tab(page: Page, backend: str) -> None:
    page.goto(backend + "/")
    page.get_by_label("Ana Lima — Acme Support (demo)").check()
    page.get_by_role("button", name="Open the Digital tab in Lightning").click()
    expect(page.get_by_role("heading", name="Digital", exact=True)).to_be_visible(timeout=30_000)


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def inbox_rows(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("list", name="Interactions").get_by_role("listitem")


def status(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("c-digital-conversation .status")


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_violations(page: Page) -> list[dict]:
    """axe-core's WCAG checks on the Digital tab as it is now (the components' own markup and
    the base components they use)."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document.querySelector("c-digital-tab"),
                                      {resultTypes: ["violations"]})).violations
              .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.html.slice(0, 120))}))"""
    )


def test_an_agent_works_the_whole_digital_tab(stack, browser, shots):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # 1. The inbox, in Lightning, loaded through the canvas bridge.
    open_tab(page, stack.backend)
    opened = time.monotonic()
    expect(page.locator("c-digital-tab .agent")).to_have_text("Ana Lima · Acme Support (demo)")
    expect(inbox_rows(page).first).to_be_visible(timeout=30_000)
    everything = inbox_rows(page).count()
    page.screenshot(path=shots / "01-inbox.png", full_page=True)

    # 2. Filter by tag: every row left carries the tag.
    page.get_by_role("combobox", name="Tag").click()
    tag = page.get_by_role("option").nth(1).inner_text().strip()
    page.get_by_role("option", name=tag, exact=True).click()
    wait_until(lambda: inbox_rows(page).count() < everything, seconds=15)
    metas = page.locator("c-digital-inbox .meta").all_inner_texts()
    assert metas and all(f"#{tag}" in meta for meta in metas)
    page.screenshot(path=shots / "02-filtered-by-tag.png", full_page=True)
    choose(page, "Tag", "All tags")
    wait_until(lambda: inbox_rows(page).count() == everything, seconds=15)

    # 3. Sort by channel: chat, email, facebook, … in that order.
    choose(page, "Sort by", "Channel")
    wait_until(
        lambda: (
            (
                kinds := [
                    m.split(" · ")[0]
                    for m in page.locator("c-digital-inbox .meta").all_inner_texts()
                ]
            )
            == sorted(kinds)
            and len(set(kinds)) > 1
        ),
        seconds=15,
    )
    page.screenshot(path=shots / "03-sorted-by-channel.png", full_page=True)

    # 4. A customer writes in (live, no reload) and the agent claims the interaction by opening it.
    contact = stack.customer_writes(PARCEL)
    row = inbox_rows(page).filter(has_text=PARCEL)
    expect(row).to_have_count(1, timeout=30_000)
    row.get_by_role("button").focus()  # by keyboard
    page.keyboard.press("Enter")
    expect(page.get_by_text(PARCEL).last).to_be_visible()
    expect(status(page)).to_have_text("Open", timeout=15_000)
    expect(page.locator("c-digital-contact-details .customer")).not_to_be_empty()
    page.screenshot(path=shots / "04-claimed.png", full_page=True)
    assert accessibility_violations(page) == []

    # 5. Reply with an emoji and an attachment: the interaction is Resolved.
    page.get_by_label("Reply").fill("Sorry about that, a replacement is on its way ")
    page.get_by_role("button", name="Insert an emoji").click()
    page.get_by_role("menuitem", name="🙏").click()
    expect(page.get_by_label("Reply")).to_have_value(
        "Sorry about that, a replacement is on its way 🙏"
    )
    page.locator("c-digital-conversation input[type=file]").set_input_files(
        [{"name": "return-label.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 label"}]
    )
    expect(page.get_by_role("list", name="Attached files")).to_contain_text("return-label.pdf")
    page.get_by_label("Reply").press("Control+Enter")  # the composer's keyboard shortcut
    expect(status(page)).to_have_text("Resolved", timeout=15_000)
    thread = page.get_by_role("log", name="Messages")
    expect(thread).to_contain_text("a replacement is on its way 🙏")
    expect(thread).to_contain_text("return-label.pdf")
    page.screenshot(path=shots / "05-replied-resolved.png", full_page=True)

    # 6. The customer writes again: Open again, announced, without a reload.
    stack.customer_writes(AGAIN, contact=contact)
    expect(thread).to_contain_text(AGAIN, timeout=30_000)
    expect(status(page)).to_have_text("Open", timeout=15_000)
    page.screenshot(path=shots / "06-customer-wrote-again.png", full_page=True)

    # 7. Transfer to another queue.
    page.get_by_role("button", name="Transfer", exact=True).click()
    dialog = page.get_by_role("dialog", name="Transfer to another queue")
    choose(page, "Queue", "Billing")
    dialog.get_by_role("button", name="Transfer").click()
    expect(page.locator("#toasts")).to_contain_text("Transferred to Billing", timeout=15_000)
    page.screenshot(path=shots / "07-transferred.png", full_page=True)

    # 8. End (re-opening it from the inbox when the transfer took it away), then the disposition
    #    with an Account and a Case found in Salesforce, written to the Salesforce stand-in.
    if not page.locator("c-digital-conversation").is_visible():
        inbox_rows(page).filter(has_text=AGAIN).get_by_role("button").click()
        expect(status(page)).to_have_text("Open", timeout=15_000)
    page.get_by_role("button", name="End", exact=True).click()
    form = page.locator("c-digital-disposition")
    expect(
        form.get_by_role("heading", name=re.compile("Disposition for interaction"))
    ).to_be_visible()
    form.get_by_label("Name (Account or Lead)").fill("Globex")
    form.get_by_role("option", name="Account: Globex Corporation").click()
    form.get_by_label("Relates To (Case)").fill("damaged")
    form.get_by_role("option", name=re.compile("Case: .*Delivery arrived damaged")).click()
    expect(
        form.get_by_role(
            "link", name=re.compile(r"^Open record\s*: Globex Corporation, in a new window$")
        )
    ).to_have_attribute("href", re.compile(r"/lightning/r/Account/001\w{15}/view"))
    form.get_by_label("Notes").fill("Replacement sent; customer happy")
    form.get_by_role("button", name="Save disposition").click()
    expect(form.locator(".saved")).to_contain_text("Saved", timeout=15_000)
    page.screenshot(path=shots / "08-disposition.png", full_page=True)
    assert accessibility_violations(page) == []

    accounts = {a["Name"]: a["Id"] for a in stack.salesforce_records("Account")}

    def disposition_written() -> dict | None:
        for record in stack.salesforce_records("Digital_Interaction__c"):
            if record.get("Disposition_Notes__c") == "Replacement sent; customer happy":
                return record
        return None

    wait_until(disposition_written, seconds=30)
    record = disposition_written()
    assert record["Account__c"] == accounts["Globex Corporation"]
    assert record["Case__c"].startswith("500")

    # 9. A new SMS from the outbound SMS queue.
    form.get_by_role("button", name="Close").click()
    page.get_by_role("button", name="New SMS").click()
    outbound = page.locator("c-digital-outbound")
    outbound.get_by_label(re.compile("To \\(phone number")).fill("+15550123456")
    outbound.get_by_label("Message").fill("Your replacement ships today")
    page.screenshot(path=shots / "09-new-sms.png", full_page=True)
    assert accessibility_violations(page) == []
    outbound.get_by_role("button", name="Send").click()
    expect(page.locator("#toasts")).to_contain_text("SMS sent", timeout=15_000)
    expect(page.get_by_role("log", name="Messages")).to_contain_text(
        "Your replacement ships today", timeout=15_000
    )
    page.screenshot(path=shots / "10-sms-sent.png", full_page=True)

    # 10. All along, the bridge renewed its session through refreshSignedRequest (the Canvas SDK
    #     and the Lightning page, as in an org); after the first token's 45 s, calls still work.
    canvas = page.frame_locator("iframe[name=canvas-frame]")
    expect(canvas.locator("#status")).to_have_text(
        "Connected: live updates on; session renewed.", timeout=30_000
    )
    page.wait_for_timeout(max(0, 50_000 - (time.monotonic() - opened) * 1000))
    choose(page, "Sort by", "Received")
    expect(inbox_rows(page).first).to_be_visible()
    expect(page.locator("c-digital-inbox .error")).to_have_count(0)

    assert errors == []
    page.close()


# Credential shapes: a JWT (session tokens), a Salesforce OAuth token, a signed request.
JWT = re.compile(r"eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}")
OAUTH = re.compile(r"00D\w{12,15}![\w.-]{20,}")
SIGNED = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}\.eyJ[A-Za-z0-9+/=]{40,}")


def test_no_token_or_secret_reaches_any_log_line(stack):  # type: ignore[no-untyped-def]
    """After the whole run above (at DEBUG), nothing the three processes printed carries a
    credential: session tokens, OAuth tokens, signed requests, or the development secrets."""
    text = stack.log.read_text()
    assert "POST /canvas" in text or "/canvas" in text  # the log is the run's, and not empty
    secrets = json.loads((stack.instance / "dev-secrets.json").read_text())
    for name, value in secrets.items():
        if name != "WARNING":
            assert value not in text, f"{name} is in the log"
    for shape in (JWT, OAUTH, SIGNED):
        assert not shape.search(text), shape.search(text).group(0)[:40]
