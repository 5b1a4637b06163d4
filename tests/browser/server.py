"""A real Parity server for the browser: a fresh SQLite database with the demo data, served by
werkzeug in a thread on a free port, and Debian's Chromium to drive it."""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PARITY_CHROMIUM", "/usr/bin/chromium")
WIDTHS = {"desktop": 1280, "phone": 390}


def chromium_missing_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return (f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; "
                "or set PARITY_CHROMIUM): the browser journeys need a real browser")
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


def _seed(app, url: str) -> None:
    from permits import demo
    from permits.accounts import services as accounts
    from permits.core import db, migrate
    from standards.catalogue import load_catalogue

    accounts.use_cheap_hashing_for_tests()  # eight demo users, each signed in at both widths
    migrate.upgrade(url)
    with app.app_context(), db.session_scope(db.engine()) as session:
        load_catalogue(session)
    with app.app_context(), db.session_scope(db.engine()) as session:
        demo.seed(session)


def _app(path: Path):
    from permits.app import create_app

    return create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "browser-tests",
                       "TESTING": True, "RATELIMIT_ENABLED": False,
                       "PARITY_PUBLIC_BASE_URL": "http://127.0.0.1"})


def seeded_database(directory: Path) -> Path:
    """A SQLite file with the schema, the catalogue and the demo data, made once and copied."""
    path = directory / "seeded.sqlite3"
    app = _app(path)
    _seed(app, f"sqlite:///{path}")
    app.extensions["parity.engine"].dispose()
    return path


@contextmanager
def live_server(directory: Path, seeded: Path | None = None):
    """Yield the base URL of a server over a copy of the seeded database (made if not given)."""
    seeded = seeded or seeded_database(directory)
    path = directory / "browser.sqlite3"
    shutil.copyfile(seeded, path)
    app = _app(path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["parity.engine"].dispose()


@contextmanager
def chromium():
    """Debian's Chromium under Playwright, headless (never a browser Playwright downloads)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()




def sign_in(page, base: str, email: str) -> None:
    from permits.accounts.demo import PASSWORD

    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
