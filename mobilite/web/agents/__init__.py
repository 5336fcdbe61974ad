"""The agent's space: profile, requests, proposals and immersions."""

from flask import Blueprint

bp = Blueprint("agents", __name__)

from mobilite.web.agents import (  # noqa: E402,F401
    agreement_views,
    career_views,
    compatible_views,
    offers_views,
    proposals_views,
    requests_views,
    views,
)
