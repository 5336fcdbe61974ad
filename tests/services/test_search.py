"""The agents' offer search: every filter, the sorts, pagination, in SQL and in a bounded number of queries."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from mobilite.extensions import db
from mobilite.models import OfferStatus, Place, utcnow
from mobilite.services import search
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)

TODAY = date(2030, 3, 4)


@pytest.fixture
def world(ctx):
    lyon = OrganisationFactory(city="Lyon", latitude=45.76, longitude=4.83)
    network = lyon.network
    grenoble = OrganisationFactory(network=network, city="Grenoble", latitude=45.19, longitude=5.72)
    paris = OrganisationFactory(network=network, city="Paris", latitude=48.86, longitude=2.35)
    agent = UserFactory(organisation=lyon, work_city="Lyon", work_latitude=45.76, work_longitude=4.83)
    theme, other_theme = ThemeFactory(), ThemeFactory()
    skill = SkillFactory(theme=theme)
    offers = {
        "urbanisme": OfferFactory(
            organisation=grenoble,
            title="Instruire un permis de construire",
            team="Urbanisme",
            description="Le droit des sols au quotidien.",
        ),
        "paie": OfferFactory(
            organisation=paris,
            title="La paie des agents",
            team="Ressources humaines",
            description="Bulletins, primes et CHARGES sociales.",
            place=Place.REMOTE,
        ),
        "hybride": OfferFactory(
            organisation=paris,
            title="Piloter un budget",
            team="Finances",
            description="Préparer le budget primitif.",
            place=Place.HYBRID,
        ),
    }
    offers["urbanisme"].themes = [theme]
    offers["urbanisme"].skills = [skill]
    offers["paie"].themes = [other_theme]
    offers["urbanisme"].published_at = utcnow() - timedelta(days=10)
    offers["paie"].published_at = utcnow() - timedelta(days=5)
    offers["hybride"].published_at = utcnow()
    OfferSessionFactory(
        offer=offers["urbanisme"], start_date=TODAY + timedelta(days=30), end_date=TODAY + timedelta(days=32)
    )
    OfferSessionFactory(offer=offers["paie"], start_date=TODAY + timedelta(days=7), end_date=TODAY + timedelta(days=9))
    OfferSessionFactory(offer=offers["paie"], start_date=TODAY - timedelta(days=7), end_date=TODAY - timedelta(days=5))
    # Never listed: the agent's own organisation, unpublished offers, another network.
    OfferFactory(organisation=lyon, title="Chez moi")
    OfferFactory(organisation=grenoble, title="Brouillon", status=OfferStatus.DRAFT)
    OfferFactory(title="Autre réseau")
    db.session.commit()
    return {"agent": agent, "theme": theme, "skill": skill, "offers": offers, "grenoble": grenoble}


def titles(world, **filters):
    result = search.search_offers(world["agent"], filters, today=TODAY)
    return [o.title for o in result.items]


def test_lists_only_published_offers_of_other_organisations_of_the_network(world):
    assert sorted(titles(world)) == ["Instruire un permis de construire", "La paie des agents", "Piloter un budget"]


def test_filters_by_theme_and_by_skill(world):
    assert titles(world, themes=[world["theme"].id]) == ["Instruire un permis de construire"]
    assert titles(world, skills=[world["skill"].id]) == ["Instruire un permis de construire"]


def test_filters_by_organisation_and_by_city(world):
    assert titles(world, organisation=world["grenoble"].id) == ["Instruire un permis de construire"]
    assert sorted(titles(world, city="paris")) == ["La paie des agents", "Piloter un budget"]


def test_filters_by_distance_keeping_remote_offers(world):
    # Grenoble is about 94 km from Lyon, Paris about 390 km; the remote offer needs no travel.
    assert sorted(titles(world, distance_km=120)) == ["Instruire un permis de construire", "La paie des agents"]
    assert titles(world, distance_km=50) == ["La paie des agents"]
    assert len(titles(world, distance_km=500)) == 3


def test_filters_by_dates_overlapping_a_session(world):
    assert titles(world, date_from=TODAY + timedelta(days=8), date_to=TODAY + timedelta(days=8)) == [
        "La paie des agents"
    ]
    assert titles(world, date_from=TODAY + timedelta(days=31)) == ["Instruire un permis de construire"]
    assert titles(world, date_to=TODAY - timedelta(days=6)) == ["La paie des agents"]


def test_filters_remote_or_hybrid(world):
    assert sorted(titles(world, remote=True)) == ["La paie des agents", "Piloter un budget"]


def test_free_text_searches_title_team_and_description_whatever_the_case(world):
    assert titles(world, q="PERMIS") == ["Instruire un permis de construire"]
    assert titles(world, q="finances") == ["Piloter un budget"]
    assert titles(world, q="charges") == ["La paie des agents"]
    assert titles(world, q="100%_") == []  # LIKE wildcards are taken literally


def test_sorts_by_soonest_session_closest_and_newest(world):
    assert titles(world, sort="soonest") == [
        "La paie des agents",
        "Instruire un permis de construire",
        "Piloter un budget",
    ]
    assert titles(world, sort="closest") == [
        "Instruire un permis de construire",
        "La paie des agents",
        "Piloter un budget",
    ]
    assert titles(world, sort="newest") == [
        "Piloter un budget",
        "La paie des agents",
        "Instruire un permis de construire",
    ]


def test_reports_distances_and_next_sessions(world):
    result = search.search_offers(world["agent"], {}, today=TODAY)
    urbanisme = world["offers"]["urbanisme"]
    assert 85 < result.distances[urbanisme.id] < 100
    assert result.next_sessions[urbanisme.id] == TODAY + timedelta(days=30)
    assert world["offers"]["hybride"].id not in result.next_sessions


def test_paginates_with_the_total(world):
    first = search.search_offers(world["agent"], {}, page=1, per_page=2, today=TODAY)
    second = search.search_offers(world["agent"], {}, page=2, per_page=2, today=TODAY)
    assert first.total == second.total == 3 and first.pages == 2
    assert len(first.items) == 2 and len(second.items) == 1
    assert {o.id for o in first.items}.isdisjoint({o.id for o in second.items})


def test_closest_first_pages_carry_the_total_even_past_the_end_or_with_nothing_found(world):
    # The closest sort counts in the same query as its page; an empty page counts on its own.
    expected = titles(world, sort="closest")
    pages = [
        search.search_offers(world["agent"], {"sort": "closest"}, page=p, per_page=2, today=TODAY) for p in (1, 2, 3)
    ]
    assert [o.title for page in pages for o in page.items] == expected
    assert [page.total for page in pages] == [3, 3, 3] and pages[2].items == []
    far = search.search_offers(world["agent"], {"sort": "closest", "distance_km": 10}, today=TODAY)
    near = search.search_offers(world["agent"], {"sort": "closest", "distance_km": 1, "q": "nulle part"}, today=TODAY)
    assert far.total == len(far.items) and near.total == 0 and near.items == []


def _statements_of_one_search(agent, sessions: bool = True) -> list[str]:
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = search.search_offers(agent, {"q": "a"}, today=TODAY)
        for offer in result.items:  # what the page shows is loaded already
            _ = (offer.organisation.name, [t.code for t in offer.themes])
            if sessions:
                _ = [s.start_date for s in offer.sessions]
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return statements


def test_a_page_takes_a_fixed_number_of_queries(world):
    search.search_offers(world["agent"], {}, today=TODAY)  # builds the worker's index of the catalogue
    statements = _statements_of_one_search(world["agent"], sessions=False)
    # the catalogue's stamp (unchanged: the index answers, next sessions included), then offers, themes
    assert len(statements) == 3 and "catalogue_stamp" in statements[0], statements


def test_a_page_searched_in_sql_takes_a_fixed_number_of_queries(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "CATALOGUE_INDEX", False)
    statements = _statements_of_one_search(world["agent"])
    # count, the soonest walk (one batch here), the offers with no session to come, offers, themes, sessions
    assert len(statements) <= 6 and not any("catalogue_stamp" in s for s in statements), statements


def test_without_a_work_place_distance_is_ignored(world):
    agent = world["agent"]
    agent.work_latitude = agent.work_longitude = None
    assert len(titles(world, distance_km=10, sort="closest")) == 3
