"""Sites: an offer happens at its site, else at its organisation's address, and every reader of an offer's
place agrees: the catalogue search (filter, sort, shown distance), the wish checks and compatible offers, the
round's problem, the agreement summary and the calendar file. Each distance rule is tested both ways: an
offer whose seat is far but whose site is near is found, one whose seat is near but whose site is far is not."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import AuditEvent, AvailabilityWindow, ImmersionRequest, Offer, RequestStatus, Site, User, Wish
from mobilite.services import immersions, search, sites, wish_checks
from mobilite.services.errors import ServiceError
from mobilite.services.round_problem import engine_session
from tests.factories import (
    ImmersionFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    UserFactory,
)
from tests.fixtures import fresh

LYON = (45.764, 4.836)
CALUIRE = (45.795, 4.846)  # 3.5 km from Lyon
PARIS = (48.857, 2.343)  # 390 km from Lyon
MONDAY = date.today() + timedelta(days=28 + (7 - date.today().weekday()) % 7)
WINDOW = (MONDAY, MONDAY + timedelta(days=25))


@dataclass
class World:
    agent: User
    request: ImmersionRequest
    near_seat_far_site: Offer  # the host sits in Caluire, the immersion happens in Paris
    far_seat_near_site: Offer  # the host sits in Paris, the immersion happens in Lyon


def _offer(organisation, site) -> Offer:
    offer = OfferFactory(organisation=organisation, site=site)
    OfferSessionFactory(
        offer=offer, start_date=MONDAY + timedelta(days=2), end_date=MONDAY + timedelta(days=4), working_days=3
    )
    return offer


@pytest.fixture
def world(ctx) -> World:
    agent = UserFactory(work_city="Lyon", work_latitude=LYON[0], work_longitude=LYON[1])
    home = agent.organisation
    home.latitude, home.longitude = LYON
    network = home.network
    caluire = OrganisationFactory(network=network, city="Caluire", latitude=CALUIRE[0], longitude=CALUIRE[1])
    paris = OrganisationFactory(network=network, city="Paris", postcode="75001", latitude=PARIS[0], longitude=PARIS[1])
    in_paris = sites.new_site(
        caluire, {"name": "Antenne parisienne", "address": "1 rue de Rivoli", "commune": "Paris (75001)"}
    )
    in_lyon = sites.new_site(paris, {"name": "Centre technique", "address": "15 rue Lortet", "commune": "Lyon (69007)"})
    db.session.add_all([in_paris, in_lyon])
    db.session.flush()
    item = RequestFactory(agent=agent, status=RequestStatus.DRAFT, min_days=2, max_days=5, max_distance_km=50)
    item.windows = [AvailabilityWindow(start_date=WINDOW[0], end_date=WINDOW[1])]
    world = World(agent, item, _offer(caluire, in_paris), _offer(paris, in_lyon))
    db.session.commit()
    return world


# --- the site itself -----------------------------------------------------------------------------------


def test_a_site_takes_its_postcode_city_and_coordinates_from_the_gazetteer(world):
    site = world.far_seat_near_site.site
    assert (site.city, site.postcode, site.commune_code) == ("Lyon", "69007", "69123")
    assert site.latitude == pytest.approx(45.7677) and site.longitude == pytest.approx(4.8354)
    assert sites.commune_label(site) == "Lyon (69007)"
    location = world.far_seat_near_site.location
    assert (location.site_name, location.full_address) == ("Centre technique", "15 rue Lortet, 69007 Lyon")


def test_without_a_site_an_offer_happens_at_its_organisation_address(world):
    organisation = world.near_seat_far_site.organisation
    offer = OfferFactory(organisation=organisation)
    assert offer.location.site_name == ""
    assert (offer.location.city, offer.location.latitude) == ("Caluire", CALUIRE[0])


def test_an_unknown_or_ambiguous_commune_is_refused_on_its_field(world):
    organisation = world.near_seat_far_site.organisation
    with pytest.raises(ServiceError) as unknown:
        sites.create_site(world.agent, organisation, {"name": "Annexe", "commune": "Nullepartville"})
    assert "Nullepartville" in unknown.value.errors["commune"][0]
    with pytest.raises(ServiceError) as ambiguous:
        sites.create_site(world.agent, organisation, {"name": "Annexe", "commune": "69007"})
    assert "69007" in ambiguous.value.errors["commune"][0]
    assert db.session.scalar(select(Site).where(Site.name == "Annexe")) is None


def test_archiving_a_site_in_use_keeps_the_offer_place_and_is_logged(world):
    offer = world.far_seat_near_site
    site = offer.site
    sites.archive_site(world.agent, site)
    offer = fresh(offer)
    assert offer.site_id == site.id and offer.location.city == "Lyon"
    assert sites.is_in_use(site) and site.archived
    # Offered to no new offer, but the offer that names it keeps it when edited.
    assert site not in sites.organisation_sites(site.organisation_id, active_only=True)
    assert sites.offer_site(site.organisation_id, site.id, current_site_id=site.id) is site
    with pytest.raises(ServiceError) as refused:
        sites.offer_site(site.organisation_id, site.id)
    assert "site_id" in refused.value.errors
    with pytest.raises(ServiceError):
        sites.archive_site(world.agent, site)  # already archived
    sites.restore_site(world.agent, site)
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.target_type == "Site")).all()
    assert {"site.archive", "site.restore"} <= set(actions)


def test_an_offer_may_not_name_another_organisation_site(world):
    foreign = world.far_seat_near_site.site
    with pytest.raises(ServiceError) as refused:
        sites.offer_site(world.near_seat_far_site.organisation_id, foreign.id)
    assert refused.value.errors["site_id"] == ["Ce site n'est pas un site de votre organisation."]


# --- distances: every reader uses the site ---------------------------------------------------------------


def test_the_search_filters_sorts_and_measures_by_the_site(world):
    found = search.search_offers(world.agent, {"distance_km": 50})
    assert [o.id for o in found.items] == [world.far_seat_near_site.id]  # seat 390 km away, site in Lyon
    assert found.distances[world.far_seat_near_site.id] < 5
    everything = search.search_offers(world.agent, {"sort": "closest"})
    assert [o.id for o in everything.items] == [world.far_seat_near_site.id, world.near_seat_far_site.id]
    assert everything.distances[world.near_seat_far_site.id] > 350  # seat in Caluire, site in Paris
    assert search.distance_to(world.agent, world.near_seat_far_site) > 350


def test_the_search_city_filter_and_choices_use_the_site_city(world):
    in_paris = search.search_offers(world.agent, {"city": "paris"})
    assert [o.id for o in in_paris.items] == [world.near_seat_far_site.id]
    cities = [value for value, _label in search.filter_choices(world.agent, "fr")["cities"]]
    assert "Paris" in cities and "Lyon" in cities


def test_compatible_offers_and_wish_checks_measure_by_the_site(world):
    page = wish_checks.compatible_offers(world.request)
    assert [item.offer.id for item in page.items] == [world.far_seat_near_site.id]
    assert page.items[0].distance_km < 5
    for rank, offer in enumerate((world.far_seat_near_site, world.near_seat_far_site), start=1):
        world.request.wishes.append(Wish(offer=offer, rank=rank))
    db.session.commit()
    near, far = wish_checks.check_wishes(fresh(world.request)).wishes
    assert near.ok
    assert not far.ok and "votre limite est de 50 km" in far.reasons[0]


def test_the_round_problem_places_a_session_at_its_site(world):
    near_site = world.far_seat_near_site
    session = engine_session(near_site.sessions[0], near_site.organisation)
    assert (session.lat, session.lon) == (near_site.site.latitude, near_site.site.longitude)
    far_site = world.near_seat_far_site
    session = engine_session(far_site.sessions[0], far_site.organisation)
    assert session.lat == pytest.approx(48.8566)


def test_the_agreement_and_calendar_give_the_site_address(world):
    offer = world.far_seat_near_site
    immersion = ImmersionFactory(proposal__session=offer.sessions[0])
    summary = immersions.agreement_summary(immersion)
    assert summary["host_address"] == "15 rue Lortet, 69007 Lyon"
    assert summary["host_site"] == "Centre technique"
    assert "15 rue Lortet" in immersions.immersion_ics(immersion).decode()
