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
