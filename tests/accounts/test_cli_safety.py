"""The command line: seed-demo refuses production and is harmless when repeated in development;
a configuration that cannot run is one line and exit 2, not a traceback."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _flask(*args, env):
    return subprocess.run([sys.executable, "-m", "flask", "--app", "permits", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


def _environ(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "PARITY_ENV")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env.update(extra)
    return env


def test_a_missing_secret_key_is_one_line_and_exit_2(tmp_path):
    result = _flask("audit", "verify", env=_environ(tmp_path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        "Error: SECRET_KEY is not set. Parity refuses to start in production without it: set "
        "SECRET_KEY to a long random string (or PARITY_ENV=development on a laptop)."]


def test_seed_demo_refuses_production_saying_how_to_run_it(app, runner):
    app.config["PARITY_ENV"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 2
    assert "PARITY_ENV=development" in result.output
    from sqlmodel import Session, select

    from permits.accounts.models import User

    with Session(app.extensions["parity.engine"]) as session:
        assert session.exec(select(User)).all() == []


def test_seed_demo_twice_adds_nothing_and_prints_every_login(seeded_demo, demo_db, runner, db,
                                                            monkeypatch):
    from sqlalchemy import text

    from permits import cli

    # The test database is made from the models, not by migrations.
    monkeypatch.setattr(cli.migrate, "upgrade", lambda url: None)

    first = seeded_demo  # the run's one first `seed-demo`, its rows put back by demo_db
    assert first.exit_code == 0, first.output
    with db.connect() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("user_account", "permit", "shipment", "audit_entry")]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and "already there" in second.output
    with db.connect() as conn:
        assert [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("user_account", "permit", "shipment", "audit_entry")] == counts
    logins = lambda out: sorted(line.split()[-1] for line in out.splitlines() if line.startswith("  "))  # noqa: E731
    assert logins(second.output) == logins(first.output)
    assert len(logins(second.output)) == counts[0]
