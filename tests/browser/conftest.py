"""The browser journeys' server and Chromium: one seeded server per screen width, shared by the
journeys in order (public, shipper, facility, inspector, admin), one browser for them all.

Skipped with the reason where Chromium is not installed (a developer's laptop); under CI
(CI set, as .ci/run sets it) a missing browser fails instead, so CI always runs them. They run
once, on SQLite: the database under the server is not what they test.
"""
from __future__ import annotations

import os

import pytest

from tests import dbtarget
from tests.browser.server import (
    WIDTHS,
    chromium,
    chromium_missing_reason,
    live_server,
    seeded_database,
)


@pytest.fixture(scope="session")
def browser():
    reason = chromium_missing_reason()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must run the browser journeys: {reason}")
        pytest.skip(reason)
    if dbtarget.wants_postgres():
        pytest.skip("the browser journeys run once, in the SQLite run")
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    """width name -> base URL, each server started the first time a journey asks for it."""
    started, stack, seeded = {}, [], []

    def server_for(name: str) -> str:
        if not seeded:  # the demo is seeded once; each width's server works on its own copy
            seeded.append(seeded_database(tmp_path_factory.mktemp("browser-seed")))
        if name not in started:
            manager = live_server(tmp_path_factory.mktemp(f"browser-{name}"), seeded[0])
            started[name] = manager.__enter__()
            stack.append(manager)
        return started[name]

    yield server_for
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def screen(request, browser, servers):
    """(page at the width, base URL of that width's server)."""
    width = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page = context.new_page()
    yield page, servers(request.param)
    context.close()
