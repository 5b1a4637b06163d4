"""Passwords: at least 12 characters, not a common one from the shipped list; changing one asks
for the current one and ends the user's other sessions."""
import pytest
from sqlmodel import Session

from permits.accounts import passwords
from permits.accounts import services as accounts
from tests.helpers import PASSWORD, login, make_user


@pytest.mark.parametrize("password, wrong", [
    ("short pass", "at least 12"),
    ("x" * 257, "at most 256"),
    ("password1234", "too common"),
    ("QWERTY123456", "too common"),  # the list is matched without case
    ("aaaaaaaaaaaaaaa", "too common"),
])
def test_weak_passwords_are_refused_naming_the_field(session, password, wrong):
    with pytest.raises(accounts.AccountError) as refused:
        accounts.create_user(session, email="new@example.com", password=password, role="inspector")
    assert refused.value.field == "password" and wrong in refused.value.message


def test_the_list_ships_with_the_package_and_a_good_password_passes():
    assert len(passwords.common_passwords()) > 200
    assert passwords.problem("violet tractor spoons") is None


def test_the_cli_refuses_a_common_password(runner):
    result = runner.invoke(args=["users", "create", "a@example.com", "--role", "inspector",
                                 "--password-stdin"], input="password1234\n")
    assert result.exit_code != 0 and "too common" in result.output


def test_changing_the_password_asks_the_current_one_and_ends_other_sessions(app, db):
    user = make_user(db, "inspector")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    page = here.get("/account/password")
    assert page.status_code == 200 and 'autocomplete="current-password"' in page.get_data(as_text=True)
    wrong = here.post("/account/password", data={"current_password": "not my password",
                                                 "new_password": "violet tractor spoons",
                                                 "confirm": "violet tractor spoons"})
    assert wrong.status_code == 422 and "is not right" in wrong.get_data(as_text=True)
    weak = here.post("/account/password", data={"current_password": PASSWORD,
                                                "new_password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 422 and "too common" in weak.get_data(as_text=True)
    done = here.post("/account/password", data={"current_password": PASSWORD,
                                                "new_password": "violet tractor spoons",
                                                "confirm": "violet tractor spoons"})
    assert done.status_code == 302
    assert here.get("/account").status_code == 200  # this session goes on
    assert elsewhere.get("/account").status_code == 302  # the other one ended
    assert login(app.test_client(), user, "violet tractor spoons").status_code == 302
    with Session(db) as session:
        from sqlmodel import select

        from permits.audit.models import AuditEntry

        actions = session.exec(select(AuditEntry.action)).all()
    assert "user.password_changed" in actions


def test_an_admin_forces_a_reset_from_the_command_line(app, runner, db):
    user = make_user(db, "shipper")
    client = app.test_client()
    login(client, user)
    result = runner.invoke(args=["users", "force-reset", user.email])
    assert result.exit_code == 0, result.output
    assert client.get("/account").status_code == 302
    login(client, user)
    assert client.get("/account").headers["Location"].endswith("/account/password")
