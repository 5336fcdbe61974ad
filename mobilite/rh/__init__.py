"""The HR space: the organisation's offers, its agents' requests and its accounts."""

from flask import Blueprint

bp = Blueprint("rh", __name__)

from mobilite.rh import views  # noqa: E402,F401
