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


def select_locale() -> str | None:
    from flask import current_app
    from flask_login import current_user

    languages = [code.strip() for code in current_app.config["PARITY_LANGUAGES"].split(",")]
    chosen = getattr(current_user, "locale", None)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]
