"""Browsing the network's published offers, and one offer's page with the way to wish for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import get_template_attribute, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from mobilite.authz import Action, require
from mobilite.i18n import format_date
from mobilite.labels import label as status_label
from mobilite.models import Role
from mobilite.schemas.base import form_data
from mobilite.schemas.search import OfferSearchSchema
from mobilite.security import roles_required
from mobilite.services import requests as request_service
from mobilite.services import search
from mobilite.services.offer_records import OfferRecord
from mobilite.web.agents import bp
from mobilite.web.forms import Rejection, submit_form

# Where a kept card leaves room for the reader's distance and next session: no offer's text can write it (the
# card escapes them).
CARD_SPLIT = Markup("<!--mobilite:split-->")


@dataclass(frozen=True)
class OfferCard:
    """A search result's card as far as it depends on the offer alone, rendered (kept between searches)."""

    id: int
    head: Markup  # up to the place: the reader's distance follows
    middle: Markup  # up to the next session's line
    tail: Markup


def offer_card(offer: OfferRecord) -> OfferCard:
    """The card in the current language (search_represented keeps it under that language's kind)."""
    card = get_template_attribute("agents/offers/_card.html", "card")
    head, middle, tail = str(card(offer, status_label(offer.place), CARD_SPLIT)).split(CARD_SPLIT)
    return OfferCard(offer.id, Markup(head), Markup(middle), Markup(tail))


_SEARCH = OfferSearchSchema()  # (built once: it keeps nothing of a search)


@bp.get("/offres")
@roles_required(Role.AGENT)
def offers():
    values = form_data(_SEARCH, request.args)
    args = {k: v for k, v in request.args.items(multi=True) if k != "page" and v != ""}
    locale = str(get_locale())

    def render(result: search.SearchPage | None, rejected: Rejection) -> ResponseReturnValue:
        # Per page rather than per card: each distinct next-session date written out once (offers sorted by
        # their next session share a handful of dates).
        days = set(result.next_sessions.values()) if result else set()
        return render_template(
            "agents/offers/list.html",
            result=result,
            long_dates={day: format_date(day, "long") for day in days},
            values=values,
            errors=rejected.errors,
            args=args,
            choices=search.filter_choices(current_user, locale),
            has_work_place=current_user.work_latitude is not None,
        ), rejected.status

    # A search saves nothing: the "form" is the filters, shown again with each wrong one named.
    return submit_form(
        _SEARCH,
        values,
        lambda filters: search.search_represented(
            current_user, filters, offer_card, f"card-{locale}", page=filters["page"]
        ),
        done=lambda result: render(result, Rejection({}, 200)),
        again=lambda rejected: render(None, rejected),
    )


@bp.get("/offres/<int:offer_id>")
@roles_required(Role.AGENT)
def offer_detail(offer_id: int):
    offer = require(current_user, Action.VIEW, search.offer_for_agent(current_user, offer_id))
    distance = search.distance_to(current_user, offer)
    return render_template(
        "agents/offers/show.html",
        offer=offer,
        distance=distance,
        today=date.today(),
        own=offer.organisation_id == current_user.organisation_id,
        requests=request_service.editable_requests(current_user),
    )
