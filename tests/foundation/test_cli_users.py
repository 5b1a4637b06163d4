"""`users create`, `users token`, `users deactivate` and `audit verify` from the command line."""
from sqlmodel import Session

from permits.accounts import services as accounts
from permits.accounts.models import User


def test_create_user_reads_password_from_stdin(runner, db):
    result = runner.invoke(args=["users", "create", "Ana@Example.com", "--role", "shipper",
                                 "--organization", "Fundidora MX", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with Session(db) as session:
        user = accounts.find_user(session, "ana@example.com")
        assert user.role == "shipper" and user.organization_id is not None
        assert accounts.check_password(user, "a long enough password")


def test_bad_role_and_short_password_name_the_option(runner, db):
    result = runner.invoke(args=["users", "create", "a@example.com", "--role", "emperor", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code != 0 and "--role" in result.output
    result = runner.invoke(args=["users", "create", "a@example.com", "--role", "admin", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0 and "--password" in result.output
    with Session(db) as session:
        assert accounts.find_user(session, "a@example.com") is None


def test_shipper_needs_an_organization(runner, db):
    result = runner.invoke(args=["users", "create", "s@example.com", "--role", "shipper", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code != 0 and "--organization" in result.output


def test_facility_user_needs_an_existing_facility(runner, db):
    result = runner.invoke(args=["users", "create", "f@example.com", "--role", "facility",
                                 "--facility-id", "4242", "--password-stdin"], input="a long enough password\n")
    assert result.exit_code != 0 and "--facility-id" in result.output


def test_token_prints_only_the_token_and_it_works(runner, client, db):
    runner.invoke(args=["users", "create", "i@example.com", "--role", "inspector", "--password-stdin"],
                  input="a long enough password\n")
    result = runner.invoke(args=["users", "token", "i@example.com"])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert token.startswith("par_") and "\n" not in token
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.get_json()["email"] == "i@example.com"


def test_token_for_unknown_user_fails(runner, db):
    result = runner.invoke(args=["users", "token", "nobody@example.com"])
    assert result.exit_code != 0


def test_audit_verify_exit_codes(runner, db):
    runner.invoke(args=["users", "create", "x@example.com", "--role", "admin", "--password-stdin"],
                  input="a long enough password\n")
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "ok: 1 entries" in ok.output
    with Session(db) as session:
        user = session.get(User, 1)
        accounts.deactivate(session, user=user, actor_id=None)
        session.commit()
    from sqlalchemy import text

    with db.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET reason = 'edited' WHERE seq = 1"))
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "entry 1" in broken.output
