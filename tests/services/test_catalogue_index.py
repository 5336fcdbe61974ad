"""The agents' search from the worker's in-memory index (services.catalogue_index): the same answers as the
SQL search on a varied catalogue, and never an out-of-date one after a change."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from mobilite.extensions import db
from mobilite.models import CatalogueStamp, Offer, OfferStatus, User
from mobilite.services import catalogue_index, search
from tests.catalogue_world import TODAY, build, random_searches
from tests.factories import OfferFactory, OfferSessionFactory, OrganisationFactory, UserFactory
from tests.fixtures import wipe_committed_data


@pytest.fixture
def catalogue(ctx):
    return build()


def answers(user, filters: dict, page: int) -> tuple[int, list[int]]:
    result = search.search_offers(user, filters, page=page, per_page=4, today=TODAY)
    return result.total, [offer.id for offer in result.items]


def shown(user, filters: dict, page: int) -> tuple:
    """What a page of results shows: total, offers, their next sessions and distances."""
    result = search.search_offers(user, filters, page=page, per_page=4, today=TODAY)
    return result.total, [offer.id for offer in result.items], result.next_sessions, result.distances


def test_the_index_answers_as_the_sql_search_does(catalogue, app, monkeypatch):
    compared = 0
    for filters, user in random_searches(11, catalogue, 120):
        for page in (1, 2, 5):
            monkeypatch.setitem(app.config, "CATALOGUE_INDEX", True)
            from_index = shown(user, filters, page)
            monkeypatch.setitem(app.config, "CATALOGUE_INDEX", False)
            in_sql = shown(user, filters, page)
            assert from_index == in_sql, (filters, page)
            compared += bool(in_sql[1])
    assert compared > 100  # most comparisons had offers on their page


def test_a_text_holding_a_nul_finds_nothing(catalogue):
    # No offer's text holds one (PostgreSQL cannot store it), and the index joins an offer's texts with it.
    assert answers(catalogue["agent"], {"q": "urba\x00nisme"}, 1) == (0, [])


def test_accented_capitals_find_their_city(catalogue):
    """The index lower-cases as Python does, accents included, as PostgreSQL's lower() does. (SQLite's
    lower() folds ASCII letters only: there the SQL search never found "Saint-Étienne" by its city, which
    is why the comparison above leaves accented cities out.)"""
    agent = catalogue["agent"]
    assert answers(agent, {"city": "SAINT-ÉTIENNE"}, 1) == answers(agent, {"city": "saint-étienne"}, 1)
    assert answers(agent, {"city": "SAINT-ÉTIENNE"}, 1)[0] > 0


def test_a_change_shows_in_the_next_search(catalogue):
    agent = catalogue["agent"]
    before = answers(agent, {"q": "renommée"}, 1)
    offer = db.session.get(Offer, answers(agent, {}, 1)[1][0])
    offer.title = "Offre renommée"
    db.session.commit()
    assert before == (0, []) and answers(agent, {"q": "renommée"}, 1) == (1, [offer.id])


def test_a_bulk_update_shows_in_the_next_search(catalogue):
    agent = catalogue["agent"]
    total, ids = answers(agent, {}, 1)
    db.session.execute(update(Offer).where(Offer.id == ids[0]).values(status=OfferStatus.ARCHIVED))
    db.session.commit()
    assert answers(agent, {}, 1)[0] == total - 1


def test_a_suspended_organisation_leaves_the_search(catalogue):
    agent = catalogue["agent"]
    grenoble = catalogue["organisations"][1]
    assert answers(agent, {"organisation": grenoble.id}, 1)[0] > 0
    grenoble.suspended_at = datetime(2030, 3, 1, tzinfo=UTC)
    db.session.commit()
    assert answers(agent, {"organisation": grenoble.id}, 1) == (0, [])


def rank(user, filters: dict, offer_id: int) -> int:
    page = 1
    while ids := answers(user, filters, page)[1]:
        if offer_id in ids:
            return (page - 1) * 4 + ids.index(offer_id)
        page += 1
    raise AssertionError(f"offer {offer_id} not found")


def test_a_new_session_moves_its_offer_in_the_soonest_order(catalogue, app, monkeypatch):
    agent = catalogue["agent"]
    last = answers(agent, {"sort": "soonest"}, 3)[1][-1]
    before = rank(agent, {"sort": "soonest"}, last)
    OfferSessionFactory(offer=db.session.get(Offer, last), start_date=TODAY, end_date=TODAY)
    assert rank(agent, {"sort": "soonest"}, last) < before
    from_index = [answers(agent, {"sort": "soonest"}, page) for page in (1, 2, 3)]
    monkeypatch.setitem(app.config, "CATALOGUE_INDEX", False)
    assert from_index == [answers(agent, {"sort": "soonest"}, page) for page in (1, 2, 3)]


def test_an_index_built_inside_a_rolled_back_change_is_never_reused(catalogue):
    """The stamp is random, not a counter: after a rolled-back change and another committed one, an index
    built inside the first must not pass for the second's."""
    agent = catalogue["agent"]
    first, second = answers(agent, {}, 1)[1][:2]
    change = db.session.begin_nested()
    db.session.get(Offer, first).title = "Brouillon jamais validé"
    db.session.begin_nested().commit()  # commits write the stamp, here inside the change
    assert answers(agent, {"q": "jamais validé"}, 1) == (1, [first])  # an index built at the change's stamp
    change.rollback()
    db.session.get(Offer, second).title = "Offre renommée"
    db.session.commit()
    assert answers(agent, {"q": "jamais validé"}, 1) == (0, [])
    assert answers(agent, {"q": "renommée"}, 1) == (1, [second])


def test_an_index_older_than_its_lifetime_is_rebuilt(catalogue, monkeypatch):
    """Changes made outside the application (here a statement on the connection, under the session's hooks)
    show once the index has lived MAX_AGE_SECONDS."""
    agent = catalogue["agent"]
    offer_id = answers(agent, {}, 1)[1][0]
    db.session.connection().execute(update(Offer).where(Offer.id == offer_id).values(title="Changée à la main"))
    assert answers(agent, {"q": "à la main"}, 1) == (0, [])  # the stamp did not change
    monkeypatch.setattr(catalogue_index, "MAX_AGE_SECONDS", 0.0)
    assert answers(agent, {"q": "à la main"}, 1) == (1, [offer_id])


def test_the_index_holds_only_published_offers_of_the_agents_network_and_never_their_own(catalogue):
    agent = catalogue["agent"]
    ids: set[int] = set()
    page = 1
    while batch := answers(agent, {}, page)[1]:
        ids.update(batch)
        page += 1
    offers = db.session.query(Offer).filter(Offer.id.in_(ids)).all()
    expected = (
        db.session.query(Offer)
        .filter(Offer.status == OfferStatus.PUBLISHED, Offer.organisation_id != agent.organisation_id)
        .all()
    )
    expected = [
        o
        for o in expected
        if o.organisation.network_id == agent.home_network_id and o.organisation.suspended_at is None
    ]
    assert len(offers) == len(ids) == len(expected) > 20
    assert ids == {o.id for o in expected}


def stamp() -> str:
    return db.session.scalar(select(CatalogueStamp.stamp))


def test_a_network_without_themes_skills_or_offers_is_searched(ctx):
    agent = UserFactory()
    assert answers(agent, {}, 1) == (0, [])
    offer = OfferFactory(published_at=datetime(2030, 1, 1, tzinfo=UTC))  # no theme, no skill, no session
    other = UserFactory(organisation=OrganisationFactory(network=offer.organisation.network))
    assert answers(other, {"skills": [1], "themes": [1]}, 1) == (0, [])
    assert answers(other, {"sort": "soonest"}, 1) == (1, [offer.id])


def test_offers_never_published_sort_last_among_the_newest_in_both_searches(catalogue, app, monkeypatch):
    agent = catalogue["agent"]
    first = answers(agent, {"sort": "newest"}, 1)[1][0]
    db.session.execute(update(Offer).where(Offer.id == first).values(published_at=None))
    db.session.commit()
    total = answers(agent, {}, 1)[0]
    last_page = (total + 3) // 4
    from_index = answers(agent, {"sort": "newest"}, last_page)
    monkeypatch.setitem(app.config, "CATALOGUE_INDEX", False)
    assert from_index == answers(agent, {"sort": "newest"}, last_page)
    assert from_index[1][-1] == first


def test_a_change_flushed_but_not_committed_is_never_shared(catalogue):
    agent = catalogue["agent"]
    offer = db.session.get(Offer, answers(agent, {}, 1)[1][0])
    outer = db.session.begin_nested()
    offer.title = "Titre jamais enregistré"
    db.session.flush()
    assert answers(agent, {"q": "jamais enregistré"}, 1) == (1, [offer.id])  # its own transaction sees it
    outer.rollback()
    assert answers(agent, {"q": "jamais enregistré"}, 1) == (0, [])


def test_a_failed_savepoint_does_not_hide_the_change_around_it(catalogue):
    agent = catalogue["agent"]
    offer = db.session.get(Offer, answers(agent, {}, 1)[1][0])
    before = stamp()
    offer.title = "Offre renommée"
    db.session.flush()
    savepoint = db.session.begin_nested()
    savepoint.rollback()  # as a get-or-create that found the row
    db.session.commit()
    assert stamp() != before
    assert answers(agent, {"q": "renommée"}, 1) == (1, [offer.id])


def test_setting_a_value_to_itself_changes_nothing(catalogue):
    agent = catalogue["agent"]
    offer = db.session.get(Offer, answers(agent, {}, 1)[1][0])
    before = stamp()
    offer.title = offer.title
    db.session.commit()
    assert stamp() == before


# --- two editors at once (separate connections, committed data) ---------------------------------------------


@pytest.fixture
def committed_offers(_app):
    with _app.app_context():
        first = OfferFactory(published_at=datetime(2030, 1, 1, tzinfo=UTC))
        network = first.organisation.network
        second = OfferFactory(
            organisation=OrganisationFactory(network=network), published_at=datetime(2030, 1, 2, tzinfo=UTC)
        )
        agent = UserFactory(organisation=OrganisationFactory(network=network))
        ids = first.id, second.id, agent.id
        db.session.remove()
    yield ids
    wipe_committed_data(_app)


def test_offers_edited_at_once_all_show_in_the_next_search(_app, committed_offers):
    """Every catalogue commit rewrites the one stamp row: concurrent ones wait for each other, never fail,
    and a search after them sees every change."""
    first, second, agent_id = committed_offers
    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def edit(offer_id: int, n: int) -> None:
        for attempt in range(5):
            with _app.test_request_context():
                try:
                    answers(db.session.get(User, agent_id), {}, 1)  # a search first, as a page does
                    barrier.wait(timeout=60)
                    db.begin_write()
                    db.session.get(Offer, offer_id).title = f"Édition {n}-{attempt}"
                    db.session.commit()
                except Exception as exc:  # noqa: BLE001 - collected and asserted below
                    errors.append(exc)
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=edit, args=(offer_id, n)) for n, offer_id in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with _app.test_request_context():
        agent = db.session.get(User, agent_id)
        assert answers(agent, {"q": "édition 0-4"}, 1) == (1, [first])
        assert answers(agent, {"q": "édition 1-4"}, 1) == (1, [second])
        db.session.remove()


# --- builds at once in one worker (threads; the stamp and the build stand in for the database) ------------


@pytest.fixture
def builds(app, monkeypatch):
    """current_index with a stamp the test moves and a build that records its calls, and waits for `release`
    when it builds the network `slow`."""
    state = {"stamp": "S1", "slow": None, "calls": []}
    started, release = threading.Event(), threading.Event()

    def build(network_id, today):
        state["calls"].append(network_id)
        if network_id == state["slow"]:
            started.set()
            assert release.wait(30)
        return object()

    monkeypatch.setattr(catalogue_index, "_read_stamp", lambda: state["stamp"])
    monkeypatch.setattr(catalogue_index, "build", build)
    monkeypatch.setattr(catalogue_index, "_cache", {})
    monkeypatch.setattr(catalogue_index, "_build_locks", {})
    state.update(started=started, release=release)
    yield state
    release.set()


def search_in_thread(app, network_id: int) -> threading.Thread:
    def search() -> None:
        with app.app_context():
            catalogue_index.current_index(network_id, TODAY)

    thread = threading.Thread(target=search)
    thread.start()
    return thread


def test_a_slow_build_at_an_older_stamp_keeps_another_network_s_newer_index(ctx, app, builds):
    """A build that read the stamp before a catalogue change must not drop what another search built since,
    at the newer stamp: that network would be rebuilt, and its kept cards lost, for nothing."""
    builds["slow"] = 2
    slow = search_in_thread(app, 2)  # reads S1, then builds slowly
    assert builds["started"].wait(30)
    builds["stamp"] = "S2"  # an HR officer saves an offer meanwhile
    newer = catalogue_index.current_index(1, TODAY)
    builds["release"].set()
    slow.join(30)
    assert catalogue_index.current_index(1, TODAY) is newer
    assert builds["calls"].count(1) == 1


def test_a_network_is_built_once_at_a_time_even_when_other_builds_drop_old_indexes(ctx, app, builds):
    """The build lock of a network being built is never dropped with its old index: a second search of that
    network waits for the build instead of starting its own."""
    builds["stamp"] = "S0"
    catalogue_index.current_index(2, TODAY)  # an index of network 2, soon out of date
    builds["stamp"], builds["slow"] = "S1", 2
    first = search_in_thread(app, 2)  # rebuilds network 2 at S1, slowly
    assert builds["started"].wait(30)
    catalogue_index.current_index(1, TODAY)  # meets S1 too, and drops network 2's index at S0
    second = search_in_thread(app, 2)
    deadline = time.monotonic() + 1.0
    while builds["calls"].count(2) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)  # the second search either waits for the first build or starts its own
    builds["release"].set()
    first.join(30)
    second.join(30)
    assert builds["calls"].count(2) == 2  # the index at S0, then one build at S1
