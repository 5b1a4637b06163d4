"""The facility page is scannable: a summary with the counts at the top, the check table in view,
the long sections folded with their counts on the fold."""
from __future__ import annotations

import re

from sqlmodel import Session, select

from facility_registry.models import Facility
from permits import demo
from permits.accounts import services as accounts
from tests.helpers import login


def test_the_facility_page_leads_with_a_summary_and_folds_the_long_sections(demo_db, client, db):
    with Session(db, expire_on_commit=False) as session:
        inspector = accounts.find_user(session, "inspector@parity.example")
        facility = session.exec(select(Facility).where(Facility.name == "Keystone Lead Recovery")).one()
    login(client, inspector, demo.PASSWORD)
    html = client.get(f"/registry/facilities/{facility.id}").get_data(as_text=True)
    glance = html.index('class="at-a-glance"')
    assert glance < html.index('id="checks"') < html.index('<table class="checks folded">')
    summary = re.sub(r"<[^>]+>", "", html[glance:html.index("</nav>", glance)])
    assert re.search(r"Evidence: \d+ standards", summary) and "Inspections: 1" in summary
    for section in ("evidence", "inspections", "carbon", "status"):
        assert re.search(rf'<details class="section" id="{section}">', html), section  # folded
    assert "Why it meets" in html  # the met rows' reasons fold; the failing row's does not
    failing_row = html[html.index('<table class="checks folded">'):].split("</tr>")[1]
    assert "fails" in failing_row and "Why it meets" not in failing_row
