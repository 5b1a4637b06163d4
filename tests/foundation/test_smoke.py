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


def test_form_fields_carry_aria_only_when_it_applies(client, db):
    page = client.get("/login").data
    assert b'="None"' not in page
    failed = client.post("/login", data={"email": "not-an-email", "password": ""}).data
    assert b'aria-invalid="true"' in failed and b'aria-describedby="email-errors"' in failed


def test_a_form_field_no_database_can_store_is_a_400_naming_it(client, db):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400
    assert b"email" in response.data
