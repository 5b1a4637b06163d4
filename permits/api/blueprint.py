"""The JSON API blueprint (`/api`): every feature's API module adds its routes to it."""
from flask import Blueprint

api = Blueprint("api", __name__, url_prefix="/api")
