"""The HR space: the organisation's offers, its agents' requests and its accounts."""

from flask import Blueprint

bp = Blueprint("rh", __name__)

from mobilite.web.rh import (  # noqa: E402,F401
    agreement_views,
    offers_views,
    proposals_views,
    requests_views,
    transfer_views,
    views,
)
