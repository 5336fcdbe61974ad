"""The soonest sort walks upcoming sessions instead of sorting every offer: on a random catalogue it must give
exactly the order worked out in Python from all offers (next session to come, then id; none last, by id)."""

import random
from datetime import date, timedelta

import pytest
from flask import current_app

from mobilite.extensions import db
from mobilite.models import Offer, OfferStatus, Place
from mobilite.services import search
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
)

TODAY = date(2030, 3, 4)
NEVER = date.max


@pytest.fixture
def catalogue(ctx):
    """About 45 offers over three organisations (one the agent's), with 0 to 4 sessions each on a handful of
    dates around TODAY (many ties, past sessions that must not count), some drafts and other themes."""
    rnd = random.Random(20301)
    home = OrganisationFactory(city="Lyon")
    others = [OrganisationFactory(network=home.network, city=city) for city in ("Grenoble", "Paris")]
    agent = UserFactory(organisation=home)
    themes = [ThemeFactory() for _ in range(3)]
    offers: list[Offer] = []
    for _ in range(45):
        offer = OfferFactory(
            organisation=rnd.choice([home, *others, *others]),
            status=OfferStatus.DRAFT if rnd.random() < 0.1 else OfferStatus.PUBLISHED,
            place=rnd.choice(list(Place)),
        )
        offer.themes = rnd.sample(themes, rnd.randint(0, 2))
        for _ in range(rnd.choice([0, 1, 1, 2, 3, 4])):
            start = TODAY + timedelta(days=rnd.choice([-20, -1, 0, 0, 3, 3, 7, 7, 7, 30, 60]))
            OfferSessionFactory(offer=offer, start_date=start, end_date=start + timedelta(days=rnd.randint(0, 4)))
        offers.append(offer)
    db.session.commit()
    return {"agent": agent, "offers": offers, "themes": themes, "other": others[0]}


def expected_ids(catalogue, filters: dict) -> list[int]:
    """The reference: filter every offer in Python, sort by (next session to come or never, id)."""
    agent = catalogue["agent"]

    def keep(offer: Offer) -> bool:
        if offer.status != OfferStatus.PUBLISHED or offer.organisation_id == agent.organisation_id:
            return False
        if filters.get("themes") and not {t.id for t in offer.themes} & set(filters["themes"]):
            return False
        if filters.get("organisation") and offer.organisation_id != filters["organisation"]:
            return False
        if filters.get("remote") and offer.place not in (Place.REMOTE, Place.HYBRID):
            return False
        date_from = filters.get("date_from")
        return date_from is None or any(s.end_date >= date_from for s in offer.sessions)

    def next_session(offer: Offer) -> date:
        return min((s.start_date for s in offer.sessions if s.start_date >= TODAY), default=NEVER)

    kept = [o for o in catalogue["offers"] if keep(o)]
    return [o.id for o in sorted(kept, key=lambda o: (next_session(o), o.id))]


@pytest.mark.parametrize("small_batches", [False, True], ids=["default-batches", "one-row-batches"])
def test_soonest_sort_matches_the_reference_order_on_every_page(catalogue, monkeypatch, small_batches):
    if small_batches:  # many doubling rounds, and batches ending inside an offer's run of sessions
        monkeypatch.setattr(search, "WALK_FIRST_BATCH", 1)
        monkeypatch.setattr(search, "WALK_ROWS_PER_OFFER", 1)
    theme = catalogue["themes"][0]
    cases = [
        {},
        {"sort": "soonest"},
        {"themes": [theme.id]},
        {"organisation": catalogue["other"].id},
        {"remote": True},
        {"date_from": TODAY + timedelta(days=5)},
        {"themes": [t.id for t in catalogue["themes"][1:]], "remote": True},
    ]
    for filters in cases:
        reference = expected_ids(catalogue, filters)
        assert reference, filters
        for per_page in (1, 4, 7):
            last_page = len(reference) // per_page + 2  # up to one page past the end
            for page in range(1, last_page + 1):
                result = search.search_offers(catalogue["agent"], filters, page=page, per_page=per_page, today=TODAY)
                start = (page - 1) * per_page
                assert [o.id for o in result.items] == reference[start : start + per_page], (filters, per_page, page)
                assert result.total == len(reference)


def test_the_catalogue_mixes_ties_past_sessions_and_offers_without_any(catalogue):
    """Guards the fixture itself: the cases the walk must handle are really there."""
    starts = [s.start_date for o in catalogue["offers"] for s in o.sessions]
    assert any(d < TODAY for d in starts)
    assert len(starts) > len(set(starts))
    assert any(not any(s.start_date >= TODAY for s in o.sessions) for o in catalogue["offers"])
    assert any(len([s for s in o.sessions if s.start_date >= TODAY]) > 1 for o in catalogue["offers"])


def test_filter_choices_are_cached_a_minute_per_network_organisation_and_locale(ctx, monkeypatch):
    monkeypatch.setitem(current_app.config, "FILTER_CHOICES_CACHE_SECONDS", 60)
    monkeypatch.setattr(search, "_choices_cache", {})
    clock = [1000.0]
    monkeypatch.setattr(search.time, "monotonic", lambda: clock[0])
    agent = UserFactory(organisation=OrganisationFactory())
    db.session.commit()
    before = search.filter_choices(agent, "fr")
    new_theme = ThemeFactory()
    db.session.commit()
    value = (str(new_theme.id), new_theme.label_fr)

    assert value not in search.filter_choices(agent, "fr")["themes"]  # still the cached answer
    assert (str(new_theme.id), new_theme.label_en) in search.filter_choices(agent, "en")["themes"]  # another key
    clock[0] += 59
    assert search.filter_choices(agent, "fr") is before
    clock[0] += 2
    assert value in search.filter_choices(agent, "fr")["themes"]  # expired, loaded again


def test_filter_choices_cache_is_bounded_and_off_when_configured_so(ctx, monkeypatch):
    monkeypatch.setattr(search, "_choices_cache", {})
    monkeypatch.setattr(search, "FILTER_CHOICES_CACHE_SIZE", 2)
    agent = UserFactory(organisation=OrganisationFactory())
    db.session.commit()
    monkeypatch.setitem(current_app.config, "FILTER_CHOICES_CACHE_SECONDS", 0)
    search.filter_choices(agent, "fr")
    assert search._choices_cache == {}
    monkeypatch.setitem(current_app.config, "FILTER_CHOICES_CACHE_SECONDS", 60)
    for locale in ("fr", "en", "de"):
        search.filter_choices(agent, locale)
    assert [key[2] for key in search._choices_cache] == ["en", "de"]
