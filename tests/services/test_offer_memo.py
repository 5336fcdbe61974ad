"""Offers' representations kept with the search index (services.search.search_represented): what a page
gives is what the offers give when loaded now, the kept ones are given again without loading anything, and
a change to anything they show is seen by the next search."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from mobilite.extensions import db
from mobilite.models import Offer, OfferPrerequisite
from mobilite.services import catalogue_index, search
from tests.catalogue_world import TODAY, build, random_searches
from tests.factories import OrganisationFactory, SkillFactory, UserFactory


@pytest.fixture
def catalogue(ctx):
    return build()


def snapshot(offer: Offer) -> tuple:
    """Everything a representation may read of an offer alone. Collections sorted: the test's own session
    keeps them in the order the fixture built them (it does not expire objects at commit), while a fresh
    load orders them; which one a search meets depends on what the garbage collector has dropped."""
    return (
        offer.id,
        offer.title,
        offer.team,
        offer.place,
        offer.status,
        offer.organisation.name,
        offer.location.city,
        offer.location.latitude,
        tuple(sorted((theme.id, theme.label_fr) for theme in offer.themes)),
        tuple(sorted(skill.id for skill in offer.skills)),
        tuple(sorted((p.skill_id, p.min_level) for p in offer.prerequisites)),
        tuple(sorted((s.start_date, s.end_date, s.capacity) for s in offer.sessions)),
    )


class Counting:
    """A representation that counts the offers it was asked for."""

    def __init__(self):
        self.calls = 0

    def __call__(self, offer: Offer) -> tuple:
        self.calls += 1
        return snapshot(offer)


def represented(user, filters, page, represent=snapshot, per_page=4):
    return search.search_represented(
        user, filters, represent, "test", page=page, per_page=per_page, today=TODAY, with_details=True
    )


def test_a_represented_page_is_the_offers_as_loaded_now_and_kept_ones_load_nothing(catalogue, app, monkeypatch):
    compared = 0
    for filters, user in random_searches(5, catalogue, 40):
        for page in (1, 3):
            monkeypatch.setitem(app.config, "CATALOGUE_INDEX", False)
            expected = search.search_offers(user, filters, page=page, per_page=4, today=TODAY, with_details=True)
            monkeypatch.setitem(app.config, "CATALOGUE_INDEX", True)
            first = represented(user, filters, page)
            counting = Counting()
            again = represented(user, filters, page, counting)
            for found in (first, again):
                assert found.ids == [offer.id for offer in expected.items], (filters, page)
                assert found.items == [snapshot(offer) for offer in expected.items]
                assert found.total == expected.total
                assert found.next_sessions == expected.next_sessions
                assert found.distances == expected.distances
            assert counting.calls == 0  # every offer of the page came from the index's memo
            compared += bool(expected.items)
    assert compared > 30


def test_without_the_index_every_offer_is_represented_afresh(catalogue, app, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOGUE_INDEX", False)
    counting = Counting()
    first = represented(catalogue["agent"], {}, 1, counting)
    represented(catalogue["agent"], {}, 1, counting)
    assert first.items and counting.calls == 2 * len(first.items)


def test_a_changed_prerequisite_shows_in_the_next_search(catalogue):
    agent = catalogue["agent"]
    offer = db.session.get(Offer, represented(agent, {}, 1).ids[0])
    prerequisite = OfferPrerequisite(offer=offer, skill=SkillFactory(), min_level=2)
    db.session.add(prerequisite)
    db.session.commit()
    before = represented(agent, {}, 1)
    prerequisite.min_level = 4  # the prerequisite alone changes, not its offer
    db.session.commit()
    after = represented(agent, {}, 1)
    assert (prerequisite.skill_id, 2) in before.items[0][10]
    assert (prerequisite.skill_id, 4) in after.items[0][10] and after.items[0] == snapshot(offer)


def test_a_renamed_theme_shows_in_the_next_search(catalogue):
    agent = catalogue["agent"]
    before = represented(agent, {}, 1, per_page=50)
    themed = next(item for item in before.items if item[8])
    theme = next(t for t in catalogue["themes"] if t.id == themed[8][0][0])
    theme.label_fr = "Thème renommé"
    db.session.commit()
    after = represented(agent, {}, 1, per_page=50)
    assert (theme.id, "Thème renommé") in after.items[before.ids.index(themed[0])][8]


def test_the_memo_is_bounded_and_pages_stay_whole(catalogue, monkeypatch):
    monkeypatch.setattr(catalogue_index, "MEMO_LIMIT", 3)
    found = represented(catalogue["agent"], {}, 1, per_page=8)
    index = catalogue_index.current_index(catalogue["agent"].home_network_id, TODAY)
    assert len(found.items) == 8 and len(index.memo) == 3
    counting = Counting()
    assert represented(catalogue["agent"], {}, 1, counting, per_page=8).items == found.items
    assert counting.calls == 5  # those the memo had no room for


def test_an_offer_gone_since_the_index_was_read_is_left_out(catalogue, monkeypatch):
    """Between reading the stamp and loading the page, another transaction may delete an offer: the page
    leaves it out instead of failing."""
    real = catalogue_index.total_and_page

    def with_a_vanished_offer(*args, **kwargs):
        total, ids, next_sessions = real(*args, **kwargs)
        return total, [*ids, 10**9], next_sessions

    monkeypatch.setattr(catalogue_index, "total_and_page", with_a_vanished_offer)
    agent = catalogue["agent"]
    assert 10**9 not in represented(agent, {}, 1).ids
    assert 10**9 not in [offer.id for offer in search.search_offers(agent, {}, today=TODAY).items]


def test_a_kept_page_reads_only_the_stamp(catalogue):
    agent = catalogue["agent"]
    represented(agent, {"sort": "closest"}, 1)
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        represented(agent, {"sort": "closest"}, 1)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(statements) == 1 and "catalogue_stamp" in statements[0]


def test_a_renamed_host_organisation_shows_in_the_next_search(catalogue):
    agent = catalogue["agent"]
    before = represented(agent, {}, 1)
    host = db.session.get(Offer, before.ids[0]).organisation
    host.name = "Mairie renommée"
    db.session.commit()
    after = represented(agent, {}, 1)
    assert after.items[0][5] == "Mairie renommée" != before.items[0][5]


def test_a_new_stamp_drops_every_network_s_index_with_what_it_kept(catalogue):
    """The stamp is one for the whole service: when a search meets a new one, the other networks' indexes
    are out of date too, and go (they would otherwise hold their kept representations until midnight)."""
    agent = catalogue["agent"]
    other = UserFactory(organisation=OrganisationFactory())  # another network
    db.session.commit()
    represented(agent, {}, 1)
    represented(other, {}, 1)
    networks = {key[1] for key in catalogue_index._cache}
    assert {agent.home_network_id, other.home_network_id} <= networks
    db.session.get(Offer, represented(agent, {}, 1).ids[0]).title = "Un titre changé"
    db.session.commit()
    represented(agent, {}, 1)
    assert other.home_network_id not in {key[1] for key in catalogue_index._cache}
    assert agent.home_network_id in {key[1] for key in catalogue_index._cache}
