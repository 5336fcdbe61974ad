"""The agent's space: profile, requests, proposals and immersions."""

from flask import Blueprint

bp = Blueprint("agents", __name__)

from mobilite.agents import views  # noqa: E402,F401
