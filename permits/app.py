"""`create_app`: defaults, then the environment, then the caller's overrides; then the parts."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from flask import Flask

from permits.core import config as configuration

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        "permits",
        # Explicit, because an editable install's import hook hides the package's path
        # from Flask when the app is started from another directory (gunicorn, cron).
        root_path=str(ROOT / "permits"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    try:
        app.config.update(configuration.build(app.instance_path, config))
        configure_case_periods(app.config["PARITY_CASE_PERIODS"])
        configure_notifications(app)
    except configuration.ConfigError as exc:
        _refuse_in_the_cli(exc)
        raise
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _refuse_in_the_cli(exc: Exception) -> None:
    """Under `flask --app permits ...`, a configuration that cannot run is one line and exit 2,
    not a traceback (gunicorn, with no command line of ours, gets the exception as it is)."""
    import click

    if click.get_current_context(silent=True) is not None:
        from permits.cli import ConfigurationProblem

        raise ConfigurationProblem(str(exc)) from exc


def configure_case_periods(setting: str) -> None:
    from permits.cases import deadlines

    try:
        deadlines.configure(setting)
    except ValueError as exc:
        raise configuration.ConfigError(str(exc)) from exc


def configure_notifications(app: Flask) -> None:
    """Connect the notices to the audited events and the e-mail sender to commits; say once
    where notices go."""
    import logging

    from permits.notifications import mail, notices  # noqa: F401 - connect on import

    try:
        where = mail.describe(app.config)
    except ValueError as exc:
        raise configuration.ConfigError(f"PARITY_SMTP_URL {exc}.") from exc
    quiet = app.config["PARITY_ENV"] != "production" or app.config["PARITY_SMTP_URL"]
    app.logger.log(logging.INFO if quiet else logging.WARNING, where)


def register_extensions(app: Flask) -> None:
    from permits.accounts import throttle
    from permits.core import db, security, translations
    from permits.core.extensions import (
        babel,
        csrf,
        limiter,
        login_manager,
        select_locale,
        warn_unshared_limits,
    )

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    catalogues = translations.compile_catalogues(ROOT / "translations",
                                                 Path(app.instance_path) / "translations")
    app.extensions["parity_languages"] = translations.compiled_languages(catalogues)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(catalogues))
    limiter.init_app(app)
    from permits.web.messages import reader
    from standards.messages import read_with

    read_with(reader)  # a service's Message reads in the reader's language wherever it is shown
    throttle.init_app(app)
    warn_unshared_limits(app)
    security.register(app)
    security.trust_proxies(app)
    import permits.registry.signals  # noqa: F401 - connects the registry's events to permits and audit

    @app.context_processor
    def _page_helpers():
        from flask_babel import get_locale

        from permits.web.language import switch_links
        from permits.web.navigation import menu_for

        return {"menu_for": menu_for, "get_locale": get_locale, "language_links": switch_links}


# Each feature's pages and API resources, in the order a reader meets them. A module listed
# under PAGES exposes its blueprint as `bp`; importing an API module adds its routes to `api`.
PAGES = (
    "permits.web.labels", "permits.web.formats", "permits.web.messages", "permits.web.main", "permits.web.language",
    "permits.accounts.views",
    "permits.catalogue.views", "permits.catalogue.public_views",
    "permits.registry.views", "permits.registry.record_views", "permits.registry.ruling_views",
    "permits.registry.carbon_views",
    "permits.permitting.views", "permits.permitting.review", "permits.permitting.verify",
    "permits.consents.views",
    "permits.shipments.views",
    "permits.reports.views",
    "permits.cases.views",
    "permits.notifications.views",
    "permits.admin.views",
)
API = (
    "permits.api.meta",
    "permits.accounts.api",
    "permits.audit.api", "permits.audit.api_checkpoints",
    "permits.catalogue.api", "permits.catalogue.api_public",
    "permits.registry.api_facilities", "permits.registry.api_evidence",
    "permits.registry.api_inspections", "permits.registry.api_carbon",
    "permits.permitting.api", "permits.permitting.api_amendments", "permits.permitting.api_public",
    "permits.consents.api",
    "permits.shipments.api", "permits.shipments.api_interim",
    "permits.reports.api",
    "permits.cases.api",
)


def register_blueprints(app: Flask) -> None:
    from permits.api.blueprint import api
    from permits.core.extensions import csrf
    from permits.core.ids import RecordIdConverter

    # Before any rule is added, so that every `<int:id>` path segment uses it.
    app.url_map.converters["int"] = RecordIdConverter
    for name in API:
        importlib.import_module(name)
    csrf.exempt(api)  # bearer tokens, not cookies: no CSRF to forge
    app.register_blueprint(api)
    blueprints = {id(module.bp): module.bp for module in map(importlib.import_module, PAGES)}
    for blueprint in blueprints.values():
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from permits.api import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from permits import cli

    cli.register(app)
