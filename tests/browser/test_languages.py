"""Every role's pages in Spanish (a browser in es-MX) and French (fr-CA), at 1280 and 390 px:
axe-core finds no serious or critical violation, nothing is wider than the screen, and each page
declares the language it is written in."""
from __future__ import annotations

import pytest

from tests.browser.checks import visit
from tests.browser.server import WIDTHS

USERS = ("shipper@acme-metals.example", "facility@keystone-lead.example",
         "inspector@parity.example", "admin@parity.example")
LOCALES = {"es": "es-MX", "fr": "fr-CA"}


def _sign_in(page, base: str, email: str) -> None:
    from permits.accounts.demo import PASSWORD

    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def _menu(page, base: str) -> list[str]:
    links = page.eval_on_selector_all("header.site nav ul:not(.languages) a", "as => as.map(a => a.href)")
    return [link for link in dict.fromkeys(links) if link.startswith(base)]


@pytest.mark.parametrize("language", list(LOCALES))
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_role_s_pages_pass_in_spanish_and_french(browser, servers, language, width):
    base = servers(width)
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900},
                                  locale=LOCALES[language])
    page = context.new_page()
    try:
        visit(page, base + "/")
        assert page.get_attribute("html", "lang") == language
        for email in USERS:
            _sign_in(page, base, email)
            for link in [base + "/", base + "/account", *_menu(page, base)]:
                visit(page, link)
                assert page.get_attribute("html", "lang") == language, link
            page.context.clear_cookies()
    finally:
        context.close()
