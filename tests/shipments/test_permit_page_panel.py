"""The permit page carries the shipments panel: used against allowed, the log, the form."""
from datetime import timedelta

from sqlmodel import Session

from standards import clock
from tests.helpers import PASSWORD, make_facility
from tests.shipments import factories


def test_an_approved_permit_page_shows_its_shipments_and_the_form(app, client, db):
    with Session(db, expire_on_commit=False) as session:
        org = factories.make_organization(session)
        shipper = factories.make_account(session, "shipper", organization=org)
        facility = make_facility(session)
        permit = factories.make_permit(session, organization=org, applicant=shipper, facility=facility)
        shipment = factories.make_shipment(session, permit=permit, tonnes=10,
                                           departed_on=clock.today() - timedelta(days=1))
        session.commit()
    client.post("/login", data={"email": shipper.email, "password": PASSWORD})
    page = client.get(f"/permits/{permit.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="shipments"' in html
    assert "Log a shipment" in html
    assert shipment.movement_document in html
