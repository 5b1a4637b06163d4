"""Shipments as CSV: streamed in batches, scoped to what the caller may see, safe in a spreadsheet."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from permits.core.db import make_engine
from permits.permitting.models import Permit
from permits.shipments import export
from standards import clock
from tests.helpers import bearer
from tests.shipments import factories

DEPARTED = clock.today() - timedelta(days=3)


@pytest.fixture
def logged(db, world):
    """Five shipments under the world's permit, and one under a rival's permit to another facility."""
    with Session(db, expire_on_commit=False) as s:
        permit = s.get(Permit, world.permit.id)
        made = [factories.make_shipment(s, permit=permit, tonnes=n + 1, departed_on=DEPARTED) for n in range(5)]
        made[0].carrier = "=HYPERLINK(\"http://evil\")"
        made[1].status, made[1].received_on, made[1].received_kg = "received", DEPARTED, 1_990
        rival = s.get(Permit, factories.make_permit(
            s, organization=factories.make_organization(s, "Rival Recycling"), applicant=world.other_shipper,
            facility=world.other_facility).id)
        factories.make_shipment(s, permit=rival, departed_on=DEPARTED)
        s.commit()
    return made


def rows_of(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_export_streams(client, db, world, logged):
    response = client.get(f"/api/v1/shipments/export?permit_id={world.permit.id}",
                          headers=bearer(db, world.shipper))
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert f'filename="shipments-permit-{world.permit.id}.csv"' in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert [r["quantity_tonnes"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[1]["status"] == "received" and rows[1]["received_tonnes"] == "1.99"
    assert rows[0]["permit_number"] == world.permit.number


def test_a_cell_a_spreadsheet_would_run_is_defused(client, db, world, logged):
    rows = rows_of(client.get("/api/v1/shipments/export", headers=bearer(db, world.shipper)))
    assert rows[0]["carrier"] == "'=HYPERLINK(\"http://evil\")"


def test_rows_come_out_one_batch_at_a_time(db, world, logged):
    query = export.statement(actor=world.inspector, scope=export.Scope(permit_id=world.permit.id))
    chunks = list(export.csv_chunks(db, query, batch=2))
    assert len(chunks) == 1 + 3  # the header, then 2 + 2 + 1 rows
    assert [chunk.count("\r\n") for chunk in chunks] == [1, 2, 2, 1]


def test_the_database_is_not_touched_before_the_first_row_is_asked_for(world, tmp_path):
    unreachable = make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.sqlite'}")
    chunks = export.csv_chunks(unreachable, export.statement(actor=world.inspector, scope=export.Scope()))
    assert next(chunks).startswith("shipment_id,permit_number,")
    with pytest.raises(OperationalError):
        next(chunks)


def test_a_long_export_does_not_hold_up_writers(db, world, logged):
    if db.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never block writers")
    chunks = export.csv_chunks(db, export.statement(actor=world.inspector, scope=export.Scope()), batch=1)
    next(chunks), next(chunks)  # the export's read transaction is open now
    with db.connect() as writer:
        writer.exec_driver_sql("PRAGMA busy_timeout=200")
        writer.execute(text("UPDATE permit SET status_reason = 'written while exporting'"))
        writer.commit()
    assert sum(1 for _ in chunks) == 5  # and the export carries on


SCOPES = [  # who, query, rows they get
    ("shipper", "", 5),
    ("shipper", "organization_id={org}", 5),
    ("facility_user", "", 5),
    ("facility_user", "facility_id={facility}", 5),
    ("other_facility_user", "", 1),
    ("inspector", "facility_id={other_facility}", 1),
    ("admin", "organization_id={org}", 5),
    ("other_shipper", "permit_id={permit}", None),
    ("other_shipper", "organization_id={org}", None),
    ("other_facility_user", "facility_id={facility}", None),
    ("shipper", "facility_id={facility}", None),
]


def test_each_scope_sees_its_own_and_someone_elses_is_not_found(client, db, world, logged):
    tokens = {who: bearer(db, getattr(world, who)) for who in {who for who, _, _ in SCOPES}}
    for who, query, expected in SCOPES:
        url = "/api/v1/shipments/export?" + query.format(
            permit=world.permit.id, org=world.permit.organization_id, facility=world.facility.id,
            other_facility=world.other_facility.id)
        response = client.get(url, headers=tokens[who])
        if expected is None:
            assert response.status_code == 404, (who, query)
        else:
            assert response.status_code == 200 and len(rows_of(response)) == expected, (who, query)


def test_an_inspector_names_one_scope(client, db, world):
    response = client.get("/api/v1/shipments/export?permit_id=1&facility_id=1", headers=bearer(db, world.inspector))
    assert response.status_code == 422
    response = client.get("/api/v1/shipments/export?permit_id=seven", headers=bearer(db, world.inspector))
    assert response.get_json()["error"]["fields"] == {"permit_id": ["must be a whole number"]}


@pytest.mark.parametrize("query", ["facility_id=4242", "organization_id=4242", "permit_id=4242"])
def test_an_overseer_exporting_a_record_that_does_not_exist_is_told_404(client, db, world, query):
    response = client.get(f"/api/v1/shipments/export?{query}", headers=bearer(db, world.inspector))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
