"""The inbox: sign-in required, one's own notices only (unread first), marking read, the header's
unread count; a notice reads in the reader's language."""
from __future__ import annotations

from flask_babel import force_locale
from sqlmodel import Session, select

from permits.accounts.models import User
from permits.notifications import services
from permits.notifications.models import Notification
from permits.notifications.notices import DENIED, ON_HOLD, SUSPENDED_IN_TRANSIT
from permits.permitting.decisions import CHECK_NOT_MET
from permits.web.messages import say
from standards.messages import Message
from tests.helpers import login


def _tell(db, user, message, link="/permits/1"):
    with Session(db) as session:
        ids = services.notify(session, [session.get(User, user.id)], message, link=link)
        session.commit()
    return ids[0]


def _hold(number="PAR-2026-000001"):
    return Message(ON_HOLD, {"number": number, "unmet": [
        Message(CHECK_NOT_MET, {"standard": "osha-lead-pel", "verdict": "fails"})]})


def test_the_inbox_needs_a_sign_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/notifications/read").status_code == 302


def test_the_inbox_shows_only_ones_own_notices_unread_first(db, client, shipper, other_shipper):
    first = _tell(db, shipper, _hold("PAR-2026-000001"))
    _tell(db, shipper, _hold("PAR-2026-000002"))
    _tell(db, other_shipper, _hold("PAR-2026-000099"))
    with Session(db) as session:
        services.mark_read(session, user_id=shipper.id, notification_id=first)
        session.commit()
    login(client, shipper)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "PAR-2026-000099" not in page
    assert page.index("PAR-2026-000002") < page.index("PAR-2026-000001")  # unread first
    assert "1 unread notice" in page


def test_marking_read_touches_only_ones_own_notices(db, client, shipper, other_shipper):
    mine = _tell(db, shipper, _hold())
    theirs = _tell(db, other_shipper, _hold())
    login(client, shipper)
    response = client.post(f"/notifications/{theirs}/read")
    assert response.status_code == 302
    client.post(f"/notifications/{mine}/read")
    with Session(db) as session:
        read = dict(session.exec(select(Notification.id, Notification.read_at)).all())
    assert read[mine] is not None and read[theirs] is None


def test_mark_all_read_and_the_unread_count_in_the_header(db, client, shipper, other_shipper):
    for n in range(3):
        _tell(db, shipper, _hold(f"PAR-2026-00000{n}"))
    _tell(db, other_shipper, _hold())
    login(client, shipper)
    header = client.get("/").get_data(as_text=True)
    assert 'class="badge count">3<' in header
    client.post("/notifications/read")
    assert 'class="badge count"' not in client.get("/").get_data(as_text=True)
    with Session(db) as session:
        assert services.unread_count(session, shipper.id) == 0
        assert services.unread_count(session, other_shipper.id) == 1


def test_the_unread_count_is_one_query(db, app, client, shipper):
    from sqlalchemy import event

    _tell(db, shipper, _hold())
    login(client, shipper)
    statements = []
    engine = app.extensions["parity.engine"]

    def count(_conn, _cursor, statement, *_):
        if "notification" in statement:
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1 and "count(" in statements[0].lower()


def test_a_notice_reads_in_spanish_and_french(app):
    message = Message(SUSPENDED_IN_TRANSIT, {"number": "PAR-2026-000007", "num": 2})
    denied = Message(DENIED, {"number": "PAR-2026-000007", "unmet": [
        Message(CHECK_NOT_MET, {"standard": "osha-lead-pel", "verdict": "fails"})]})
    with app.test_request_context():
        with force_locale("es"):
            es = say(message), say(denied), say(_hold())
        with force_locale("fr"):
            fr = say(message), say(denied), say(_hold())
    english = message.english(), denied.english(), _hold().english()
    for text, en in zip(es + fr, english * 2, strict=True):
        assert text != en and "PAR-20" in text
    assert "suspendida" in es[0] and "2" in es[0]
    assert "suspendu" in fr[0]
    # The nested check reads in Spanish too, the standard by its title, never its code.
    assert es[1].endswith(
        "Plomo, aire del centro de trabajo: valor límite de exposición permisible: no cumple.")
    assert fr[2].endswith(
        "(Plomb, air du milieu de travail : limite d’exposition admissible : non conforme).")
    assert not any("osha-lead-pel" in text for text in es + fr)
    assert _hold().english().endswith("(osha-lead-pel: fails).")  # the stored English is as was


def test_a_hold_notice_names_the_standard_by_its_title_in_the_inbox(db, client, shipper):
    _tell(db, shipper, _hold())
    login(client, shipper)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "(Lead, workplace air: permissible exposure limit: fails)." in page
    assert "osha-lead-pel" not in page


def test_following_a_notice_marks_it_read_and_leads_to_its_page(db, client, shipper):
    first = _tell(db, shipper, _hold("PAR-2026-000001"), link="/permits/7")
    second = _tell(db, shipper, _hold("PAR-2026-000002"), link="/permits/8")
    login(client, shipper)
    page = client.get("/notifications/").get_data(as_text=True)
    assert f'href="/notifications/{first}/open"' in page  # the inbox links through the route
    response = client.get(f"/notifications/{first}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/permits/7"
    with Session(db) as session:
        read = dict(session.exec(select(Notification.id, Notification.read_at)).all())
        assert services.unread_count(session, shipper.id) == 1
    assert read[first] is not None and read[second] is None
    again = client.get(f"/notifications/{first}/open")  # following it again still leads there
    assert again.status_code == 302 and again.headers["Location"] == "/permits/7"
    with Session(db) as session:
        assert session.get(Notification, first).read_at == read[first]  # first reading kept


def test_following_another_user_s_notice_is_a_404_and_marks_nothing(
        db, client, shipper, other_shipper):
    theirs = _tell(db, other_shipper, _hold())
    outside = _tell(db, shipper, _hold(), link="https://evil.example/")
    login(client, shipper)
    assert client.get(f"/notifications/{theirs}/open").status_code == 404
    assert client.get("/notifications/999999/open").status_code == 404
    with Session(db) as session:
        assert session.get(Notification, theirs).read_at is None
    # A link that leaves Parity leads back to the inbox instead.
    response = client.get(f"/notifications/{outside}/open")
    assert response.headers["Location"].endswith("/notifications/")


def test_following_a_notice_needs_a_sign_in(db, client, shipper):
    mine = _tell(db, shipper, _hold())
    response = client.get(f"/notifications/{mine}/open")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with Session(db) as session:
        assert session.get(Notification, mine).read_at is None
