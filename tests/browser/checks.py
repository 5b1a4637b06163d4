"""What every page a journey visits must pass: axe-core with no serious or critical violation,
and nothing wider than the screen."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()
BLOCKING = ("serious", "critical")


def accessible(page) -> None:
    """axe-core on the page as it stands; fails naming each serious or critical violation."""
    results = _AXE.run(page)
    blocking = [v for v in results.response["violations"] if v.get("impact") in BLOCKING]
    assert not blocking, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in blocking)


def fits(page) -> None:
    """No sideways scrolling of the page itself (tables scroll inside their own box)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen"


def visit(page, url: str | None = None) -> None:
    """Go to `url` (or stay), then hold the page to the checks.

    A click that navigates returns once the new page has begun to arrive; axe must wait for all
    of it, or it reads a half-parsed document (a <summary> whose text has not come yet)."""
    if url:
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url}: {response and response.status}"
    page.wait_for_load_state("load")
    accessible(page)
    fits(page)
