"""The platform administrator's space: networks and accounts."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from mobilite.web.admin import networks_views, views  # noqa: E402,F401
