"""The cases' pages: the public petition form and case list, and the inspectors' case desk."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("cases", __name__)
