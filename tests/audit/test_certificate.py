"""The certificate is drawn from the hashed decision record, says plainly when the live permit
disagrees with it, and carries a QR code of its verification address."""
from sqlalchemy import text

from permits.permitting import certificate
from tests.helpers import login
from tests.permits.test_pages import pdf_text


def test_the_certificate_carries_a_qr_code_of_its_verification_address(client, monkeypatch,
                                                                       world, shipper):
    encoded = []
    real = certificate.qr_png
    monkeypatch.setattr(certificate, "qr_png", lambda text: encoded.append(text) or real(text))
    login(client, shipper)
    response = client.get(f"/permits/{world.permit_id}/certificate.pdf")
    assert response.status_code == 200
    assert encoded == [f"http://localhost:5000/verify/{world.number}"]
    assert b"/Subtype /Image" in response.data
    assert "WARNING" not in pdf_text(response.data)


def test_the_certificate_shows_the_decided_terms_and_warns_of_a_tampered_row(client, db, world,
                                                                            shipper):
    with db.begin() as conn:
        conn.execute(text("UPDATE permit SET quantity_kg = 5000000 WHERE id = :id"),
                     {"id": world.permit_id})
    login(client, shipper)
    content = pdf_text(client.get(f"/permits/{world.permit_id}/certificate.pdf").data)
    assert "WARNING" in content
    assert "500 t in at most 20" in content and "5000 t" not in content
