"""Each role's journey in a real browser, at 1280 px and at 390 px, with axe-core on every page
visited: the public checks a certificate and finds facilities, a shipper reads the checks and
logs a load ahead of its departure, a facility confirms receipt and recovery, an inspector
verifies evidence and inspects with a violation and sees the cascade, an administrator creates
a user and deactivates it, an authority decides a consent."""
from __future__ import annotations

import re
from datetime import timedelta

from standards import clock
from tests.browser.checks import accessible, visit
from tests.browser.server import sign_in

PERMIT_LINK = "th.permit-number a"


def test_the_public_finds_facilities_and_checks_a_certificate(screen):
    page, base = screen
    visit(page, base + "/")
    page.get_by_role("link", name="Where can a byproduct be shipped?").click()
    page.get_by_label("Byproduct").select_option(label="EAF dust")
    page.get_by_label("Operation").select_option(value="R4")
    page.get_by_role("button", name="Find facilities").click()
    visit(page)
    assert "Great Lakes Metals" in page.content() and "no_evidence" not in page.content()
    visit(page, base + "/registry/facilities")
    visit(page, base + "/")
    page.get_by_role("link", name="Treaties under the two-of-three rule").click()
    visit(page)
    page.get_by_role("link", name="Mexican and Canadian instruments cited by binding limits").click()
    visit(page)
    assert page.locator("tr#NOM-166-SEMARNAT-2014").is_visible()
    visit(page, base + "/")
    page.get_by_label("Check a certificate: permit number").fill(f"PAR-{clock.today().year}-000001")
    page.get_by_role("button", name="Check").click()
    visit(page)
    assert page.get_by_text("Verified.").is_visible()
    page.goto(base + "/verify/PAR-1999-424242")  # a 404, said plainly
    assert "No certificate is numbered PAR-1999-424242" in page.content()
    accessible(page)


def test_a_shipper_reads_the_outcome_and_logs_a_load_ahead_of_departure(screen):
    page, base = screen
    sign_in(page, base, "shipper@acme-metals.example")
    visit(page)
    assert page.get_by_role("heading", name="What waits for you").is_visible()
    visit(page, base + "/permits/?status=approved")
    page.locator(PERMIT_LINK).first.click()
    visit(page)
    assert page.get_by_role("heading", name=re.compile("Approved: loads may travel")).is_visible()
    departure = clock.today() + timedelta(days=3)
    document = f"BR-{page.viewport_size['width']}"
    page.get_by_label("Movement document number").fill(document)
    page.get_by_label("Quantity (tonnes)").fill("1.5")
    page.get_by_label("Planned departure").fill(departure.isoformat())
    page.get_by_label("Expected arrival").fill((departure + timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Log shipment").click()
    visit(page)
    assert f"Shipment {document} is logged" in page.content()
    page.get_by_role("link", name=document).first.click()
    visit(page)
    assert page.get_by_text("Shipper").first.is_visible()
    # A denied application leads with why and what to do next, and offers no certificate.
    visit(page, base + "/permits/?status=denied")
    page.locator(PERMIT_LINK).first.click()
    visit(page)
    assert page.get_by_role("heading", name=re.compile("Denied")).is_visible()
    assert page.get_by_text("What to do next:").is_visible()
    assert page.get_by_role("link", name="Certificate (PDF)").count() == 0
    visit(page, base + "/permits/new")


def test_a_facility_confirms_receipt_and_recovery(screen):
    page, base = screen
    sign_in(page, base, "facility@keystone-lead.example")
    visit(page)
    page.get_by_role("link", name=re.compile("Loads to confirm")).click()
    visit(page)
    page.get_by_role("link", name="confirm receipt").first.click()
    visit(page)
    assert page.get_by_text("Byproduct").first.is_visible()
    page.get_by_role("button", name="Confirm receipt").click()
    visit(page)
    assert "recorded:" in page.content()
    page.get_by_role("button", name="Confirm recovery").click()
    visit(page)
    assert "Recovery of" in page.content() and "The shipment is closed." in page.content()


def test_an_inspector_verifies_evidence_and_a_violation_suspends_the_facility(screen):
    page, base = screen
    sign_in(page, base, "inspector@parity.example")
    visit(page)
    visit(page, base + "/review/")
    page.locator(PERMIT_LINK).first.click()
    visit(page)
    visit(page, base + "/registry/evidence/unverified")
    page.get_by_role("button", name="Verify").first.click()
    visit(page)
    visit(page, base + "/registry/facilities?q=Great+Lakes")
    page.get_by_role("link", name="Great Lakes Metals").click()
    visit(page)
    page.get_by_role("link", name=re.compile("Record an inspection")).first.click()
    visit(page)
    page.get_by_label("Inspected on").fill(clock.today().isoformat())
    page.get_by_label("Outcome").select_option(value="violation")
    page.get_by_label("Summary").fill("Dust handling enclosure open; opacity above the limit.")
    page.get_by_role("button", name=re.compile("Record")).last.click()
    visit(page)
    assert "suspended" in page.content()
    visit(page, base + "/permits/?status=suspended")
    page.locator(PERMIT_LINK).first.click()
    visit(page)
    assert page.get_by_role("heading", name=re.compile("Suspended: no new load may leave")).is_visible()


def test_an_administrator_creates_a_user_and_deactivates_it(screen):
    page, base = screen
    sign_in(page, base, "admin@parity.example")
    visit(page)
    assert page.get_by_role("heading", name="What waits for you").is_visible()
    page.get_by_role("link", name="Administration").first.click()
    visit(page)
    page.get_by_role("link", name="Users", exact=True).click()
    visit(page)
    page.get_by_role("link", name="Create a user").click()
    visit(page)
    email = f"new.inspector.{page.viewport_size['width']}@parity.example"
    page.get_by_label("Email").fill(email)
    page.get_by_label("Name", exact=True).fill("Nadia Newcomer")
    page.get_by_label("Role").select_option(value="inspector")
    page.get_by_role("button", name="Create the user").click()
    visit(page)
    assert page.get_by_role("heading", name="Temporary password").is_visible()
    page.get_by_role("link", name="The user’s page").click()
    visit(page)
    page.get_by_role("button", name="Deactivate").click()
    visit(page)
    assert f"{email} is deactivated" in page.content()
    visit(page, base + "/admin/audit?actor=admin@parity.example")
    assert "user.deactivated" in page.content() and "user.created" in page.content()
    visit(page, base + "/admin/jobs")
    visit(page, base + "/admin/verification")


def test_an_authority_decides_a_consent(screen):
    page, base = screen
    sign_in(page, base, "authority@epa.example")
    visit(page)
    page.get_by_role("link", name=re.compile("Consents to decide")).click()
    visit(page)
    page.locator(PERMIT_LINK).first.click()
    visit(page)
    page.get_by_role("link", name="Record the decision").first.click()
    visit(page)
    page.get_by_label("Decision").select_option(value="consent")
    page.get_by_label("Reference number").fill(f"EPA-AOC-{page.viewport_size['width']}")
    page.get_by_role("button", name="Record the decision").click()
    visit(page)
    assert "The decision is recorded." in page.content()


def _unread_in_header(page) -> int:
    badge = page.locator("a.notices-link .badge.count")
    return int(re.match(r"\d+", badge.text_content()).group()) if badge.count() else 0


def test_a_shipper_reads_a_notice_marks_it_read_and_the_count_drops(screen):
    page, base = screen
    sign_in(page, base, "shipper@norte-reciclaje.example")
    visit(page)
    before = _unread_in_header(page)
    assert before >= 3
    page.locator("a.notices-link").click()
    visit(page)
    assert page.get_by_role("heading", name="Notices").is_visible()
    assert f"{before} unread notices" in page.content()
    first = page.locator("li.notice.unread a").first
    sentence = first.inner_text()
    assert sentence and "notice." not in sentence  # a sentence, not a message code
    first.click()  # read it where it points: following it marks it read
    visit(page)
    assert page.url != base + "/notifications/"
    assert _unread_in_header(page) == before - 1
    page.goto(base + "/notifications/")
    assert f"{before - 1} unread notice" in page.content()
    page.get_by_role("button", name=re.compile("^Mark read")).first.click()
    visit(page)
    assert _unread_in_header(page) == before - 2
    assert f"{before - 2} unread notice" in page.content()
    page.get_by_role("button", name="Mark all read").click()
    visit(page)
    assert _unread_in_header(page) == 0
    assert "0 unread notices" in page.content()
    assert page.get_by_role("button", name="Mark all read").count() == 0
