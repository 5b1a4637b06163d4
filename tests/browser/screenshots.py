"""Every page each role reaches, photographed at 1280 px and 390 px, so anyone can look:

    python -m tests.browser.screenshots OUTDIR

Starts a server over fresh demo data, signs in as each demo login in turn (and as nobody),
follows the menu, the first permit, shipment and facility of each list, and writes
OUTDIR/<width>/<nn>-<role>-<page>.png (full pages). Needs Chromium (see server.py).
"""
from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from tests.browser.server import WIDTHS, chromium, chromium_missing_reason, live_server, sign_in

ROLES = [(None, "public"), ("shipper@acme-metals.example", "shipper"),
         ("facility@keystone-lead.example", "facility"), ("inspector@parity.example", "inspector"),
         ("authority@epa.example", "authority"), ("admin@parity.example", "admin")]
PUBLIC = ["/", "/registry/finder?byproduct=eaf_dust&operation=R4", "/registry/facilities",
          "/public/reports/enforcement", "/treaties", "/verify/PAR-1999-000000", "/login", "/account/request"]
# Every signed-in person's inbox; every administration page (the menu shows only its home).
SIGNED_IN = ["/notifications/"]
ADMIN = ["/admin/", "/admin/users", "/admin/users/new", "/admin/organizations",
         "/admin/organizations/new", "/admin/requests", "/admin/audit", "/admin/jobs",
         "/admin/verification"]
# From these lists, the first record's page is photographed too.
FIRST_OF = {"/permits/": "th.permit-number a", "/shipments/incoming": "tbody th a",
            "/shipments/": "tbody th a", "/registry/facilities": "tbody th a",
            "/review/": "th.permit-number a", "/admin/users": "tbody th a",
            "/admin/organizations": "tbody th a"}


def _slug(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.split("//", 1)[-1].split("/", 1)[-1].lower()).strip("-") or "home"


def _pages_of(page, base: str, email: str | None) -> list[str]:
    if email is None:
        return [base + p for p in PUBLIC]
    sign_in(page, base, email)
    menu = [a.get_attribute("href") for a in page.locator("header nav ul a").all()]
    menu = [m for m in menu if "/language" not in m]  # a language switch is not a page
    urls = [base + "/", *[base + m if m.startswith("/") else m for m in menu], base + "/account",
            *[base + p for p in SIGNED_IN]]
    if "/admin/" in menu:
        urls += [base + p for p in ADMIN]
    for listing, selector in FIRST_OF.items():
        if base + listing in urls:
            page.goto(base + listing)
            first = page.locator(selector).first
            if first.count():
                urls.append(base + first.get_attribute("href"))
    return list(dict.fromkeys(urls))


def photograph(outdir: Path) -> int:
    """Write the screenshots; returns how many."""
    taken = 0
    with tempfile.TemporaryDirectory() as tmp, live_server(Path(tmp)) as base, chromium() as browser:
        for width_name, width in WIDTHS.items():
            folder = outdir / f"{width}px"
            folder.mkdir(parents=True, exist_ok=True)
            for email, role in ROLES:
                context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
                page = context.new_page()
                for url in _pages_of(page, base, email):
                    page.goto(url)
                    taken += 1
                    page.screenshot(path=str(folder / f"{taken:03d}-{role}-{_slug(url)[:60]}.png"),
                                    full_page=True)
                context.close()
            print(f"{width_name}: {folder}")
    return taken


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    reason = chromium_missing_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    count = photograph(Path(argv[0]))
    print(f"{count} screenshots in {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
