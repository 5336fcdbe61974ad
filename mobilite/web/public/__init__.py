"""The pages anyone may read, signed in or not: how the service works, its questions, its personal data."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from mobilite.web.public import views  # noqa: E402,F401
