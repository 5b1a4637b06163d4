"""Every HTML blueprint, in one list that create_app registers."""
from permits.web import auth_views, main

ALL = [main.bp, auth_views.bp]
