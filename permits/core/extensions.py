"""The Flask extensions, created unbound here and bound to the app in create_app."""
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# A Merkle proof reads every entry's hash up to its checkpoint: public, so counted per address.
PROOF_LIMIT = "30 per minute"
babel = Babel()


def offered_languages() -> list[str]:
    """PARITY_LANGUAGES that have a catalogue, in the configured order: a language without
    one would put English text under `<html lang="es">`."""
    from flask import current_app

    compiled = current_app.extensions["parity_languages"]
    configured = [code.strip() for code in current_app.config["PARITY_LANGUAGES"].split(",")]
    return [code for code in configured if code in compiled] or ["en"]


def select_locale() -> str:
    """The API follows Accept-Language alone (a token's owner may be a program); pages follow
    the header's switch for this session, else the account's setting, else Accept-Language."""
    from flask import session
    from flask_login import current_user

    languages = offered_languages()
    if not request.path.startswith("/api/"):
        for chosen in (session.get("language"), getattr(current_user, "locale", None)):
            if chosen in languages:
                return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def worker_count(environ=None, argv=None) -> int:
    """How many web workers this deployment runs, as far as gunicorn's settings tell."""
    import os
    import shlex
    import sys

    environ = os.environ if environ is None else environ
    argv = sys.argv if argv is None else argv
    args = shlex.split(environ.get("GUNICORN_CMD_ARGS", ""))
    if argv and argv[0].endswith("gunicorn"):
        args += list(argv[1:])
    count = environ.get("WEB_CONCURRENCY", "1")
    for i, arg in enumerate(args):
        if arg in ("-w", "--workers") and i + 1 < len(args):
            count = args[i + 1]
        elif arg.startswith("--workers="):
            count = arg.split("=", 1)[1]
        elif arg.startswith("-w") and arg[2:].isdigit():
            count = arg[2:]
    return int(count) if str(count).isdigit() else 1


def warn_unshared_limits(app, environ=None, argv=None) -> bool:
    """Several workers each counting sign-in attempts in their own memory let N times the limit
    through: say so at startup, naming the setting that fixes it."""
    workers = worker_count(environ, argv)
    uri = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if app.config.get("RATELIMIT_ENABLED", True) and workers > 1 and uri.startswith("memory://"):
        app.logger.warning(
            "%d workers share no rate-limit storage: each counts sign-in attempts alone, so "
            "%d times the limit gets through. Set PARITY_RATELIMIT_STORAGE_URI (e.g. "
            "redis://127.0.0.1:6379).", workers, workers)
        return True
    return False
