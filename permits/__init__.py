"""Parity's Flask application: permits, shipments, decisions, and the web and JSON faces."""
from permits.app import create_app

__all__ = ["create_app"]
