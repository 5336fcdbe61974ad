"""The platform administrator's space: networks and accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from mobilite.web.admin import views  # noqa: E402,F401
