"""The main pages of each role, in French, print dates, numbers and plurals the French way: no ISO date, no
"vœu(x)" or "proposition(s)", no decimal point (Flask-Babel's format_date, format_decimal, format_percent and
ngettext do it)."""

import html
import re

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Immersion, ImmersionRequest, Offer, OfferStatus, RequestStatus, Round, User
from mobilite.services import demo
from tests.fixtures import login

PASSWORD = "demo password for tests"
ISO_DATE = re.compile(r"\b20\d\d-\d\d(?:-\d\d)?\b")
PAREN_PLURAL = re.compile(r"\w\((?:x|s|es|e|e\)\(s)\)")
DOT_DECIMAL = re.compile(r"\d\.\d+\s*%|\b\d+\.\d\d?\b(?!\.\d)")


def _text(page: str) -> str:
    """What a reader sees: no tags (an <input type="date"> holds an ISO value on purpose), no scripts."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def demo_network(app):
    with app.test_request_context():
        demo.load_demo(PASSWORD)


def _check(client, email: str, paths: list[str]) -> None:
    login(client, email, PASSWORD)
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (email, path, response.status_code)
        text = _text(response.get_data(as_text=True))
        assert not ISO_DATE.findall(text), (path, ISO_DATE.findall(text))
        assert not PAREN_PLURAL.findall(text), (path, PAREN_PLURAL.findall(text))
        assert not DOT_DECIMAL.findall(text), (path, DOT_DECIMAL.findall(text))


def test_every_role_main_pages_in_french(client, demo_network):
    approved = db.session.scalars(
        select(ImmersionRequest).where(ImmersionRequest.status == RequestStatus.APPROVED).order_by(ImmersionRequest.id)
    ).first()
    agent = approved.agent
    offer = db.session.scalars(
        select(Offer).where(Offer.status == OfferStatus.PUBLISHED, Offer.organisation_id != agent.organisation_id)
    ).first()
    _check(
        client,
        agent.email,
        ["/agent/", "/agent/offres", f"/agent/offres/{offer.id}", "/agent/profil", f"/agent/demandes/{approved.id}"],
    )

    immersion = db.session.scalars(select(Immersion).order_by(Immersion.id)).first()
    traveller = db.session.get(User, immersion.agent_id)
    _check(client, traveller.email, ["/agent/", f"/agent/immersions/{immersion.id}"])

    _check(
        client,
        "rh.ville-de-lyon@demo.mobilite.fr",
        ["/rh/", "/rh/offres", "/rh/demandes", "/rh/propositions", "/rh/comptes"],
    )

    round_ = db.session.scalars(select(Round).order_by(Round.id.desc())).first()
    _check(
        client,
        "coordination@demo.mobilite.fr",
        ["/coordination/", "/coordination/tableau-de-bord", f"/coordination/tours/{round_.id}"],
    )
    _check(client, "admin@demo.mobilite.fr", ["/admin/", "/admin/comptes"])
