"""A varied catalogue for the search tests: a network of six organisations (one suspended, one without
coordinates) with 90 offers of every kind, and random filter sets over it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from mobilite.extensions import db
from mobilite.models import OfferStatus, Place, Site, User
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)

TODAY = date(2030, 3, 4)
WORDS = ("Urbanisme", "archives", "Marchés publics", "ÉTAT civil", "voirie", "budget")
CITIES = (("Lyon", 45.76, 4.83), ("Grenoble", 45.19, 5.72), ("Saint-Étienne", 45.43, 4.39), ("Paris", 48.86, 2.35))


def build() -> dict:
    """A network of six organisations (one suspended, one without coordinates) with 90 offers of every kind:
    statuses, places, sites, themes, skills, past, coming and no sessions, texts in mixed case."""
    rng = random.Random(7)
    first = OrganisationFactory(city="Lyon", latitude=45.76, longitude=4.83)
    network = first.network
    organisations = [first]
    for city, lat, lon in CITIES[1:]:
        organisations.append(OrganisationFactory(network=network, city=city, latitude=lat, longitude=lon))
    organisations.append(OrganisationFactory(network=network, city="", latitude=None, longitude=None))
    suspended = OrganisationFactory(network=network, city="Lyon", suspended_at=datetime(2029, 1, 1, tzinfo=UTC))
    organisations.append(suspended)
    elsewhere = OrganisationFactory(city="Lyon")  # another network
    themes = [ThemeFactory() for _ in range(4)]
    skills = [SkillFactory(theme=themes[i % 4]) for i in range(6)]
    sites = [
        Site(
            organisation=organisations[1],
            name=f"Site {i}",
            postcode="38000",
            city=city,
            commune_code="38185",
            latitude=lat,
            longitude=lon,
        )
        for i, (city, lat, lon) in enumerate(CITIES)
    ]
    db.session.add_all(sites)
    for i in range(90):
        owner = rng.choice([*organisations, elsewhere])
        offer = OfferFactory(
            organisation=owner,
            title=f"{rng.choice(WORDS)} n°{i}",
            team=rng.choice(WORDS),
            description=f"Découvrir le service {rng.choice(WORDS).lower()}",
            status=rng.choice([OfferStatus.PUBLISHED] * 4 + [OfferStatus.DRAFT]),
            place=rng.choice(list(Place)),
            site=rng.choice(sites) if owner is organisations[1] and rng.random() < 0.6 else None,
            published_at=datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randint(0, 30)),
        )
        offer.themes = rng.sample(themes, rng.randint(0, 2))
        offer.skills = rng.sample(skills, rng.randint(0, 2))
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            start = TODAY + timedelta(days=rng.randint(-20, 60))
            OfferSessionFactory(offer=offer, start_date=start, end_date=start + timedelta(days=rng.randint(0, 4)))
    db.session.commit()
    agent = UserFactory(organisation=first, work_latitude=45.75, work_longitude=4.85)
    nowhere = UserFactory(organisation=organisations[2], work_latitude=None, work_longitude=None)
    return {"agent": agent, "nowhere": nowhere, "themes": themes, "skills": skills, "organisations": organisations}


def random_filters(rng: random.Random, world) -> dict:
    filters: dict = {}
    if rng.random() < 0.3:
        filters["themes"] = [t.id for t in rng.sample(world["themes"], rng.randint(1, 2))]
    if rng.random() < 0.3:
        filters["skills"] = [s.id for s in rng.sample(world["skills"], rng.randint(1, 2))]
    if rng.random() < 0.15:
        filters["organisation"] = rng.choice(world["organisations"]).id
    if rng.random() < 0.15:
        filters["city"] = rng.choice(("lyon", " Grenoble ", "PARIS", "Nulle part"))
    if rng.random() < 0.2:
        filters["remote"] = True
    if rng.random() < 0.3:
        filters["q"] = rng.choice(("urbanisme", "ARCH", "n°1", "public", "%", "_", "service v", "zzz"))
    if rng.random() < 0.3:
        filters["date_from"] = TODAY + timedelta(days=rng.randint(-10, 40))
    if rng.random() < 0.3:
        filters["date_to"] = TODAY + timedelta(days=rng.randint(-10, 60))
    if rng.random() < 0.3:
        filters["distance_km"] = rng.choice((5, 50, 120, 600))
    filters["sort"] = rng.choice(("soonest", "closest", "newest", None))
    return filters


def random_searches(seed: int, world: dict, count: int) -> Iterator[tuple[dict, User]]:
    """`count` random filter sets, each with its reader: mostly an agent with a work place, else one without."""
    rng = random.Random(seed)
    for _ in range(count):
        filters = random_filters(rng, world)
        yield filters, world["agent"] if rng.random() < 0.8 else world["nowhere"]
