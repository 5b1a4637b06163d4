"""The app factory reads defaults, then the environment, then overrides, and refuses unsafe starts."""
import pytest

from permits.app import create_app
from permits.core import config


def test_production_without_secret_key_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PARITY_ENV", "production")
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"})


def test_development_makes_and_keeps_a_local_secret(tmp_path):
    first = config.build(str(tmp_path), {"PARITY_ENV": "development"}, environ={})
    second = config.build(str(tmp_path), {"PARITY_ENV": "development"}, environ={})
    assert first["SECRET_KEY"] and first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "dev-secret-key").stat().st_mode & 0o077 == 0


def test_environment_then_overrides(tmp_path):
    environ = {"SECRET_KEY": "from-env", "DATABASE_URL": "sqlite:///env.db", "PARITY_MIN_NOTICE_DAYS": "60",
               "PARITY_HTTPS": "true"}
    built = config.build(str(tmp_path), {"DATABASE_URL": "sqlite:///override.db"}, environ=environ)
    assert built["SECRET_KEY"] == "from-env"
    assert built["DATABASE_URL"] == "sqlite:///override.db"
    assert built["PARITY_MIN_NOTICE_DAYS"] == 60
    assert built["SESSION_COOKIE_SECURE"] is True


def test_default_database_is_a_sqlite_file_under_instance(tmp_path):
    built = config.build(str(tmp_path), {"PARITY_ENV": "development"}, environ={})
    assert built["DATABASE_URL"] == f"sqlite:///{tmp_path / 'parity.sqlite3'}"


def test_a_malformed_setting_names_itself(tmp_path):
    with pytest.raises(config.ConfigError, match="PARITY_MIN_NOTICE_DAYS"):
        config.build(str(tmp_path), None, environ={"SECRET_KEY": "x", "PARITY_MIN_NOTICE_DAYS": "soon"})


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(config.ConfigError, match="PARITY_ENV"):
        config.build(str(tmp_path), {"PARITY_ENV": "staging", "SECRET_KEY": "x"}, environ={})


def test_security_headers_and_cookie_flags(app, client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_app_starts_from_any_directory(tmp_path):
    """gunicorn and cron start the app elsewhere; the package's paths must not depend on cwd."""
    import subprocess
    import sys

    code = ("from permits import create_app; "
            f"app = create_app({{'SECRET_KEY': 'k', 'DATABASE_URL': 'sqlite:///{tmp_path}/x.db'}}); "
            "print(app.template_folder)")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("templates")
