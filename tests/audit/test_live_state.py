"""`audit verify` recomputes from the chain what each live row must hold, and names every row
edited behind Parity's back: permit status and terms, totals, shipments, facilities, decisions."""
import pytest
from sqlalchemy import text
from sqlmodel import Session

from permits.audit import verification
from standards import clock
from tests.helpers import bearer
from tests.openapi_check import assert_matches_openapi


def _verify(db):
    with Session(db) as session:
        return verification.verify(session)


def _tamper(db, *statements):
    with db.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _found(result):
    return {(p["entity"], p["id"], p["field"]) for p in result.problems}


def test_a_world_made_through_parity_verifies(db, world):
    result = _verify(db)
    assert result.ok, result.problems
    assert result.problems == [] and result.chain.entries > 10


@pytest.mark.parametrize("tamper, expected", [
    # An application under review set to approved by hand.
    ("UPDATE permit SET status = 'approved' WHERE id = {pending}", ("permit", "{pending}", "status")),
    # The quantity multiplied: a larger shipment would now pass the cap.
    ("UPDATE permit SET quantity_kg = quantity_kg * 10 WHERE id = {permit}", ("permit", "{permit}", "quantity_kg")),
    ("UPDATE permit SET valid_to = '2099-12-31' WHERE id = {permit}", ("permit", "{permit}", "valid_to")),
    # The running total reset, so the cap is given back.
    ("UPDATE permit SET used_kg = 0 WHERE id = {permit}", ("permit", "{permit}", "used_kg")),
    ("UPDATE permit SET shipments_used = 0 WHERE id = {permit}", ("permit", "{permit}", "shipments_used")),
    # A shipment's quantity shrunk: its row and the permit's shipments disagree with the chain.
    ("UPDATE shipment SET quantity_kg = 1000 WHERE id = {s1}", ("shipment", "{s1}", "quantity_kg")),
    ("UPDATE shipment SET status = 'recovered' WHERE id = {s2}", ("shipment", "{s2}", "status")),
    ("UPDATE facility SET status = 'revoked' WHERE id = 1", ("facility", "1", "status")),
    # A shipper made an admin by hand.
    ("UPDATE user_account SET role = 'admin' WHERE role = 'shipper'", ("user", "1", "role")),
])
def test_each_edited_live_row_is_named(db, world, tamper, expected):
    ids = {"pending": world.pending_id, "permit": world.permit_id,
           "s1": world.shipment_ids[0], "s2": world.shipment_ids[1]}
    _tamper(db, tamper.format(**ids))
    result = _verify(db)
    entity, record_id, field = expected
    assert not result.ok
    assert (entity, int(record_id.format(**ids)), field) in _found(result)
    assert result.chain.ok  # the chain itself is untouched: only the live check catches this


def test_a_deleted_shipment_is_named_and_the_totals_disagree(db, world):
    _tamper(db, f"DELETE FROM shipment WHERE id = {world.shipment_ids[1]}")
    found = _found(_verify(db))
    assert ("shipment", world.shipment_ids[1], None) in found
    assert ("permit", world.permit_id, "shipments.used_kg") in found


def test_a_row_inserted_outside_parity_is_named(db, world):
    _tamper(db, "INSERT INTO shipment (permit_id, movement_document, carrier, quantity_kg, "
                "departed_on, expected_arrival_on, status, discrepancy, refused_kg, created_at, updated_at) "
                f"SELECT {world.permit_id}, 'FORGED', 'x', 1, departed_on, expected_arrival_on, "
                f"'in_transit', discrepancy, 0, created_at, updated_at FROM shipment WHERE id = {world.shipment_ids[0]}")
    result = _verify(db)
    assert any(p["entity"] == "shipment" and p["field"] is None and "no audit entry" in p["problem"]
               for p in result.problems)


def test_a_decision_rewritten_with_a_recomputed_hash_is_named(db, world):
    """Recomputing the record hash after an edit is easy (no key); the chain logged the old one."""
    from permits.permitting import decisions
    from permits.permitting.decision_models import Decision

    with Session(db) as session:
        decision = session.get(Decision, 1)
        decision.outcome = "approved" if decision.outcome != "approved" else "denied"
        decision.record_hash = decisions.record_hash(decision)
        session.add(decision)
        session.commit()
    result = _verify(db)
    assert ("decision", 1, "record_hash") in _found(result)


def test_the_api_lists_the_problems(client, db, world):
    from tests.helpers import make_user

    headers = bearer(db, make_user(db, "admin", email="auditor@example.com"))
    clean = client.get("/api/v1/audit/verify", headers=headers)
    assert clean.status_code == 200 and clean.json["ok"] and clean.json["problems"] == []
    assert_matches_openapi(client, "GET", "/api/v1/audit/verify", clean)
    _tamper(db, f"UPDATE permit SET status = 'approved' WHERE id = {world.pending_id}")
    found = client.get("/api/v1/audit/verify", headers=headers)
    assert found.json["ok"] is False
    assert [p["field"] for p in found.json["problems"]] == ["status"]
    assert found.json["problems"][0]["chain"] == "under_review"
    assert_matches_openapi(client, "GET", "/api/v1/audit/verify", found)


def test_the_cli_exits_1_naming_the_problem(runner, db, world):
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    _tamper(db, f"UPDATE permit SET quantity_kg = 5000000 WHERE id = {world.permit_id}")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"permit {world.permit_id}: quantity_kg" in result.output


def test_the_public_page_and_json_say_when_the_live_row_disagrees(client, db, world):
    page = client.get(f"/verify/{world.number}")
    assert page.status_code == 200 and "Verified." in page.get_data(as_text=True)
    body = client.get(f"/api/v1/public/permits/{world.number}").json
    assert body["integrity"]["live_matches_record"] is True
    _tamper(db, f"UPDATE permit SET quantity_kg = quantity_kg * 10 WHERE id = {world.permit_id}")
    page = client.get(f"/verify/{world.number}").get_data(as_text=True)
    assert "Verified." not in page and "disagrees" in page
    assert "500 t in 20 shipments" in page  # the decided quantity, not the multiplied one
    body = client.get(f"/api/v1/public/permits/{world.number}")
    assert_matches_openapi(client, "GET", "/api/v1/public/permits/{number}", body)
    assert body.json["quantity_tonnes"] == 500
    assert body.json["integrity"]["live_matches_record"] is False
    assert any("quantity" in line for line in body.json["integrity"]["disagreements"])


def test_a_stored_report_carries_the_chain_head_it_was_built_on(db, world):
    from permits.audit import chain
    from permits.reports.store import run_report

    with Session(db) as session:
        before = chain.head(session)
        stored = run_report(session, kind="monthly_compliance", period=None, today=clock.today(),
                            trigger="cli")
        session.commit()
        assert (stored.chain_seq, stored.chain_head) == before


def test_the_integrity_checks_read_as_of_one_moment(client, db, world, shipper, monkeypatch):
    """The public page, its JSON and the certificate compare the live rows with the chain. Their
    reads share one snapshot (`db.reads_one_snapshot`): read each on its own, a shipment logged
    between two of them (the permit's totals read before, its entry after) would show as a
    disagreement on the public register."""
    from permits.audit import livestate
    from tests.helpers import login

    inside, check = [], livestate.check_permit

    def watched(session, permit):
        driver = session.connection().connection.driver_connection
        inside.append(driver.in_transaction if db.dialect.name == "sqlite"
                      else driver.info.transaction_status != 0)  # 0: idle, outside a transaction
        return check(session, permit)

    monkeypatch.setattr(livestate, "check_permit", watched)
    assert client.get(f"/verify/{world.number}").status_code == 200
    assert client.get(f"/api/v1/public/permits/{world.number}").status_code == 200
    login(client, shipper)
    assert client.get(f"/permits/{world.permit_id}/certificate.pdf").status_code == 200
    assert inside == [True, True, True]
