"""Offers read as records (services.offer_records) read as the ORM's offers do: the same columns, the same
collections in the same orders, and so the same card and the same API JSON, for every kind of offer."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import inspect, select

from mobilite.api.catalogue import _OFFER
from mobilite.authz import Action, can
from mobilite.extensions import db
from mobilite.models import Offer, OfferPrerequisite, OfferSession, Organisation, Role, Site, Skill, Theme
from mobilite.services import offer_records, search
from mobilite.web.agents.offers_views import offer_card
from tests.catalogue_world import TODAY, build
from tests.factories import CoordinatorFactory, UserFactory


@pytest.fixture
def catalogue(ctx):
    world = build()
    offers = list(db.session.scalars(select(Offer).order_by(Offer.id)))
    for n, offer in enumerate(offers[::7]):  # prerequisites on some offers, one or two each
        for skill in world["skills"][n % 3 : n % 3 + 1 + n % 2]:
            db.session.add(OfferPrerequisite(offer=offer, skill=skill, min_level=1 + n % 4))
    offers[3].meeting_time = None
    db.session.commit()
    db.session.expire_all()  # the ORM's offers below as a fresh load gives them (the relationships' orders)
    return world


def columns(model, record, loaded) -> None:
    for prop in inspect(model).column_attrs:
        assert getattr(record, prop.key) == getattr(loaded, prop.key), (model.__name__, prop.key)


def test_a_record_has_every_column_and_collection_the_orm_loads(catalogue):
    ids = list(db.session.scalars(select(Offer.id).order_by(Offer.id)))
    records = offer_records.load([*ids, 10**9], sessions=True, details=True)
    assert sorted(records) == ids  # (one that does not exist is left out)
    with_site = with_prerequisites = 0
    for offer_id, record in records.items():
        offer = db.session.get(Offer, offer_id)
        columns(Offer, record, offer)
        columns(Organisation, record.organisation, offer.organisation)
        if offer.site is None:
            assert record.site is None
        else:
            columns(Site, record.site, offer.site)
            with_site += 1
        assert record.location == offer.location
        for model, attribute in ((Theme, "themes"), (Skill, "skills"), (OfferSession, "sessions")):
            assert [r.id for r in getattr(record, attribute)] == [o.id for o in getattr(offer, attribute)]
            for mine, theirs in zip(getattr(record, attribute), getattr(offer, attribute), strict=True):
                columns(model, mine, theirs)
        assert sorted((p.skill_id, p.min_level, p.skill.code) for p in record.prerequisites) == sorted(
            (p.skill_id, p.min_level, p.skill.code) for p in offer.prerequisites
        )
        with_prerequisites += bool(record.prerequisites)
    assert with_site and with_prerequisites


def test_a_record_gives_the_same_card_and_json_as_the_offer(catalogue):
    ids = list(db.session.scalars(select(Offer.id).order_by(Offer.id)))
    details = offer_records.load(ids, sessions=True, details=True)
    cards = offer_records.load(ids, sessions=False, details=False)
    for offer_id in ids:
        offer = db.session.get(Offer, offer_id)
        assert _OFFER.dump(details[offer_id]) == _OFFER.dump(offer)
        for locale in ("fr", "en"):
            with force_locale(locale):
                assert offer_card(cards[offer_id]) == offer_card(offer)


def test_a_collection_not_asked_for_is_not_there(catalogue):
    offer_id = db.session.scalar(select(Offer.id).limit(1))
    record = offer_records.load([offer_id], sessions=False, details=False)[offer_id]
    assert isinstance(record.themes, list)
    for attribute in ("sessions", "skills", "prerequisites"):
        with pytest.raises(AttributeError):
            getattr(record, attribute)


def test_pending_changes_are_read_as_the_database_will_have_them(catalogue):
    offer = db.session.scalars(select(Offer).order_by(Offer.id)).first()
    offer.title = "Titre pas encore écrit"  # not flushed: reading records flushes first, as an ORM query does
    assert offer_records.load([offer.id], sessions=False, details=False)[offer.id].title == "Titre pas encore écrit"


def test_an_offer_s_page_reads_a_record_as_it_reads_the_offer(catalogue):
    agent, compared = catalogue["agent"], 0
    hr = UserFactory(organisation=catalogue["organisations"][1], roles=[Role.RH])
    coordinator = CoordinatorFactory(network_id=catalogue["organisations"][0].network_id)
    for offer_id in db.session.scalars(select(Offer.id).order_by(Offer.id)):
        record = search.offer_for_agent(agent, offer_id)
        offer = db.session.get(Offer, offer_id)
        if not offer.organisation.is_active:
            assert record is None
            continue
        pages = [
            render_template("agents/offers/show.html", offer=shown, distance=None, today=TODAY, own=False, requests=[])
            for shown in (record, offer)
        ]
        assert pages[0] == pages[1]
        for action in Action:  # (a record is for reading, but every rule answers for it as for the offer)
            for user in (agent, hr, coordinator):
                assert can(user, action, record) == can(user, action, offer), (action, user)
        compared += 1
    assert compared > 60
