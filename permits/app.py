"""`create_app`: defaults, then the environment, then the caller's overrides; then the parts."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from permits import config as configuration

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
    app.config.update(configuration.build(app.instance_path, config))
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from permits import db, security
    from permits.extensions import babel, csrf, limiter, login_manager, select_locale

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    limiter.init_app(app)
    security.register(app)
    import permits.signals  # noqa: F401 - connects the registry's events to permits and audit

    @app.context_processor
    def _page_helpers():
        from flask_babel import get_locale

        from permits.web.navigation import menu_for

        return {"menu_for": menu_for, "get_locale": get_locale}


def register_blueprints(app: Flask) -> None:
    from permits.api import api
    from permits.extensions import csrf
    from permits.record_ids import RecordIdConverter
    from permits.web import blueprints

    # Before any rule is added, so that every `<int:id>` path segment uses it.
    app.url_map.converters["int"] = RecordIdConverter
    csrf.exempt(api)  # bearer tokens, not cookies: no CSRF to forge
    app.register_blueprint(api)
    for blueprint in blueprints.ALL:
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from permits.api import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from permits import cli

    cli.register(app)
