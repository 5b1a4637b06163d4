"""Each role's home page counts what waits for it, each count a link to where it is done."""
from __future__ import annotations

import re

from sqlmodel import Session

from permits import demo
from permits.accounts import services as accounts
from tests.helpers import login


def _user(db, email):
    with Session(db, expire_on_commit=False) as session:
        return accounts.find_user(session, email)


def _tiles(client) -> dict[str, tuple[int, str]]:
    html = client.get("/").get_data(as_text=True)
    found = re.findall(r'<a href="([^"]+)"><span class="count">(\d+)</span> <span class="what">([^<]+)</span>', html)
    return {label: (int(count), href) for href, count, label in found}


def test_each_role_sees_counts_of_what_waits_with_links(demo_db, client, db):
    login(client, _user(db, "inspector@parity.example"), demo.PASSWORD)
    inspector = _tiles(client)
    assert inspector["Applications to review"][0] >= 1
    assert inspector["Missed deadlines"][0] >= 1 and inspector["Missed deadlines"][1] == "/shipments/exceptions"
    # The suspended facility's case, and the demo's petitions received and under investigation.
    assert inspector["Open enforcement cases"][0] == 3
    assert inspector["Evidence to verify"][0] >= 1

    login(client, _user(db, "facility@keystone-lead.example"), demo.PASSWORD)
    facility = _tiles(client)
    assert facility["Loads to confirm"][0] >= 3 and facility["Loads to confirm"][1] == "/shipments/incoming"

    login(client, _user(db, "shipper@acme-metals.example"), demo.PASSWORD)
    shipper = _tiles(client)
    assert shipper["Permits on hold or suspended"][0] == 1
    assert shipper["Applications under review"][0] == 1
    assert shipper["Loads on the road"][0] >= 3

    login(client, _user(db, "admin@parity.example"), demo.PASSWORD)
    admin = _tiles(client)
    assert "Applications to review" in admin  # an administrator oversees too
