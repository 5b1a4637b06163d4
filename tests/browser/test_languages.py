"""Every role's pages in Spanish (a browser in es-MX) and French (fr-CA), at 1280 and 390 px:
axe-core finds no serious or critical violation, nothing is wider than the screen, and each page
declares the language it is written in.

A page whose content (its <main>) another role's visit already held to axe in the same language
and width (the standards catalogue is the same for everyone, and takes axe 4-6 s) is checked for
its width and language again but not re-run through axe: its header is that role's, which axe
checked on the role's home page."""
from __future__ import annotations

import pytest

from tests.browser.checks import fits, visit
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
    checked: set[tuple[str, str]] = set()  # (url, content of <main>) that axe has passed
    try:
        visit(page, base + "/")
        assert page.get_attribute("html", "lang") == language
        for email in USERS:
            _sign_in(page, base, email)
            for link in [base + "/", base + "/account", *_menu(page, base)]:
                response = page.goto(link)
                assert response is not None and response.status < 400, link
                content = (link, page.inner_html("main"))
                if content in checked and link != base + "/":
                    fits(page)  # the same content under this role's header: its width only
                else:
                    visit(page)
                    checked.add(content)
                assert page.get_attribute("html", "lang") == language, link
            page.context.clear_cookies()
    finally:
        context.close()
