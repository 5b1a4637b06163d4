"""The home page: where each role starts."""
from flask import Blueprint, render_template
from flask_login import current_user

from permits.auth import public

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    return render_template("main/home.html", user=current_user)
