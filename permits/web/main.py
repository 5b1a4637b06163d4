"""The home page: where each role starts."""
from flask import Blueprint, render_template
from flask_login import current_user

from permits.accounts.auth import public
from permits.web.navigation import cards_for

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    return render_template("main/home.html", user=current_user, cards=cards_for(current_user))
