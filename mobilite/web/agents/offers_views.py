"""Browsing the network's published offers, and one offer's page with the way to wish for it."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask_babel import get_locale
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.authz import Action, require
from mobilite.models import Role
from mobilite.schemas.base import form_data
from mobilite.schemas.search import OfferSearchSchema
from mobilite.security import roles_required
from mobilite.services import requests as request_service
from mobilite.services import search
from mobilite.web.agents import bp


@bp.get("/offres")
@roles_required(Role.AGENT)
def offers():
    schema = OfferSearchSchema()
    values = form_data(schema, request.args)
    errors: dict = {}
    result = None
    try:
        filters = schema.load(values)
    except ValidationError as exc:
        errors = exc.messages
    else:
        result = search.search_offers(current_user, filters, page=filters["page"])
    args = {k: v for k, v in request.args.items(multi=True) if k != "page" and v != ""}
    return render_template(
        "agents/offers/list.html", result=result, values=values, errors=errors, args=args,
        choices=search.filter_choices(current_user, str(get_locale())),
        has_work_place=current_user.work_latitude is not None,
    ), 400 if errors else 200


@bp.get("/offres/<int:offer_id>")
@roles_required(Role.AGENT)
def offer_detail(offer_id: int):
    offer = require(current_user, Action.VIEW, search.offer_for_agent(current_user, offer_id))
    distance = None
    o = offer.organisation
    if current_user.work_latitude is not None and o.latitude is not None:
        distance = search.distance_km(current_user.work_latitude, current_user.work_longitude, o.latitude, o.longitude)
    return render_template(
        "agents/offers/show.html", offer=offer, distance=distance, today=date.today(),
        own=offer.organisation_id == current_user.organisation_id,
        requests=request_service.editable_requests(current_user),
    )
