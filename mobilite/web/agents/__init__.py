"""The agent's space: profile, requests, proposals and immersions."""

from flask import Blueprint

bp = Blueprint("agents", __name__)

from mobilite.web.agents import offers_views, proposals_views, requests_views, views  # noqa: E402,F401
