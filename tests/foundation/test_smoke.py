from tests.helpers import bearer, login, make_user


def test_home_page_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Parity" in response.data


def test_me_over_api(app, client, db):
    user = make_user(db, "inspector")
    response = client.get("/api/v1/me", headers=bearer(db, user))
    assert response.status_code == 200
    assert response.get_json()["role"] == "inspector"


def test_login_then_account(client, db):
    user = make_user(db, "admin")
    assert login(client, user).status_code == 302
    assert client.get("/account").status_code == 200
