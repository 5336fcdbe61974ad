"""Sign-in, sign-out, passwords and language: the one audience that includes strangers."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from mobilite.web.auth import data_views, proconnect_views, views  # noqa: E402,F401
