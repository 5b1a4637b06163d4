"""The home page: where each role starts, with the counts of what waits for them."""
from flask import Blueprint, render_template
from flask_login import current_user

from permits.accounts.auth import public
from permits.core import db
from permits.web.dashboard import tiles_for
from permits.web.navigation import cards_for

bp = Blueprint("main", __name__)


@bp.get("/")
@public
def home():
    tiles = tiles_for(db.session(), current_user) if current_user.is_authenticated else []
    return render_template("main/home.html", user=current_user, cards=cards_for(current_user),
                           tiles=tiles)
