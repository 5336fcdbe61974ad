"""A synthetic national network, bulk-loaded with Core inserts (the ORM would take minutes).

Shared by the web and round benchmarks. Organisations sit at French prefectures, offers have two sessions
over the coming twenty weeks, popularity is skewed (a Pareto draw) so some hosts are oversubscribed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, select, text

from mobilite.db import make_engine
from mobilite.extensions import db
from mobilite.models import (
    AvailabilityWindow,
    ImmersionRequest,
    Network,
    Offer,
    OfferSession,
    OfferSkill,
    OfferTheme,
    Organisation,
    RequestTheme,
    Role,
    User,
    UserRole,
    Wish,
    utcnow,
)
from mobilite.services.auth import hash_password
from mobilite.services.demo import load_taxonomy
from mobilite.workdays import add_working_days, next_monday

PASSWORD = "benchmark password"
CITIES = [  # (city, latitude, longitude): prefectures spread over mainland France
    ("Lille", 50.63, 3.06),
    ("Amiens", 49.89, 2.30),
    ("Rouen", 49.44, 1.10),
    ("Caen", 49.18, -0.37),
    ("Rennes", 48.11, -1.68),
    ("Brest", 48.39, -4.49),
    ("Nantes", 47.22, -1.55),
    ("Angers", 47.47, -0.55),
    ("Tours", 47.39, 0.69),
    ("Orléans", 47.90, 1.91),
    ("Paris", 48.86, 2.35),
    ("Reims", 49.26, 4.03),
    ("Metz", 49.12, 6.18),
    ("Strasbourg", 48.57, 7.75),
    ("Dijon", 47.32, 5.04),
    ("Besançon", 47.24, 6.02),
    ("Lyon", 45.76, 4.84),
    ("Grenoble", 45.19, 5.72),
    ("Clermont-Ferrand", 45.78, 3.08),
    ("Limoges", 45.83, 1.26),
    ("Poitiers", 46.58, 0.34),
    ("Bordeaux", 44.84, -0.58),
    ("Pau", 43.30, -0.37),
    ("Toulouse", 43.60, 1.44),
    ("Montpellier", 43.61, 3.88),
    ("Marseille", 43.30, 5.37),
    ("Nice", 43.70, 7.27),
    ("Ajaccio", 41.93, 8.74),
    ("Perpignan", 42.70, 2.90),
    ("Nîmes", 43.84, 4.36),
]
PLACES = ["on_site"] * 14 + ["hybrid"] * 5 + ["remote"]  # remote sessions ignore distance: keep them rare
WORDS = [
    "urbanisme",
    "paie",
    "accueil",
    "bibliothèque",
    "voirie",
    "crèche",
    "budget",
    "marchés publics",
    "numérique",
    "archives",
    "espaces verts",
    "piscine",
    "état civil",
    "logement",
    "déchets",
    "eau",
]


def load_network(
    n_offers: int,
    n_requests: int,
    n_orgs: int,
    seed: int = 7,
    *,
    sessions_per_offer: int = 2,
    all_approved: bool = False,
    label: str = "",
    refresh_statistics: bool = True,
) -> int:
    """Bulk-insert the synthetic network; returns its id. `all_approved` makes every request ready to match.
    `label` tells a second network of the same database apart (its name, slugs and e-mail addresses).
    `refresh_statistics=False` skips the VACUUM ANALYZE that benchmarks need: inside a test's transaction it
    would scan every table of the test database, bloated by rolled-back tests, for a minute."""
    rng = random.Random(seed)
    themes, skills = load_taxonomy()
    theme_ids = [t.id for t in themes.values()]
    skill_ids = [s.id for s in skills.values()]
    db.session.commit()
    network = Network(
        name=f"Réseau national (benchmark){' ' + label if label else ''}",
        slug=f"bench{'-' + label if label else ''}",
        requires_offer_validation=False,
    )
    db.session.add(network)
    db.session.flush()
    orgs = []
    for n in range(n_orgs):
        city, lat, lon = CITIES[n % len(CITIES)]
        orgs.append(
            {
                "network_id": network.id,
                "name": f"Organisation {n:03d} de {city}",
                "slug": f"bench-{label + '-' if label else ''}{n:03d}",
                "kind": "commune",
                "city": city,
                "postcode": "00000",
                "latitude": lat + rng.uniform(-0.3, 0.3),
                "longitude": lon + rng.uniform(-0.3, 0.3),
                "created_at": utcnow(),
                "updated_at": utcnow(),
            }
        )
    db.session.execute(insert(Organisation), orgs)
    org_rows = db.session.execute(
        select(Organisation.id, Organisation.latitude, Organisation.longitude, Organisation.city)
        .where(Organisation.network_id == network.id)
        .order_by(Organisation.id)
    ).all()

    password_hash = hash_password(PASSWORD)
    now = utcnow()
    users = []
    for n in range(n_requests):
        org = org_rows[n % len(org_rows)]
        users.append(
            {
                "email": f"{label}agent{n}@bench.example",
                "first_name": "Agent",
                "last_name": f"N{n:05d}",
                "password_hash": password_hash,
                "active": True,
                "locale": "fr",
                "organisation_id": org.id,
                "work_city": org.city,
                "work_latitude": org.latitude,
                "work_longitude": org.longitude,
                "team": "Service",
                "job_title": "Agent",
                "created_at": now,
                "updated_at": now,
            }
        )
    for org in org_rows:
        users.append(
            {
                "email": f"{label}rh{org.id}@bench.example",
                "first_name": "RH",
                "last_name": str(org.id),
                "password_hash": password_hash,
                "active": True,
                "locale": "fr",
                "organisation_id": org.id,
                "work_city": org.city,
                "team": "RH",
                "job_title": "RH",
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(User), users)
    # Only this network's rows: the loader also runs beside other data (the scheduler processes test).
    in_network = Organisation.network_id == network.id
    user_rows = db.session.execute(
        select(User.id, User.email, User.organisation_id)
        .join(Organisation, User.organisation_id == Organisation.id)
        .where(in_network)
        .order_by(User.id)
    ).all()
    db.session.execute(
        insert(UserRole),
        [
            {"user_id": u.id, "role": Role.RH.value if u.email.startswith(f"{label}rh") else Role.AGENT.value}
            for u in user_rows
        ],
    )

    first_week = next_monday(date.today())
    offers, sessions, offer_themes, offer_skills = [], [], [], []
    for n in range(n_offers):
        org = org_rows[min(int(rng.paretovariate(1.2)) - 1, len(org_rows) - 1) if n % 3 else n % len(org_rows)]
        offers.append(
            {
                "organisation_id": org.id,
                "team": "Service d'accueil",
                "title": f"Immersion {rng.choice(WORDS)} n°{n}",
                "description": f"Découvrir le métier ({rng.choice(WORDS)}, {rng.choice(WORDS)}).",
                "place": rng.choice(PLACES),
                "status": "published",
                "accessibility": "",
                "tutor_name": "",
                "tutor_role": "",
                "tutor_email": "",
                "validation_comment": "",
                "published_at": now,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Offer), offers)
    offer_ids = list(db.session.scalars(select(Offer.id).join(Organisation).where(in_network).order_by(Offer.id)))
    for offer_id in offer_ids:
        for _ in range(sessions_per_offer):
            start = first_week + timedelta(weeks=rng.randint(1, 20))
            days = rng.randint(1, 5)
            sessions.append(
                {
                    "offer_id": offer_id,
                    "start_date": start,
                    "end_date": add_working_days(start, days),
                    "working_days": days,
                    "capacity": rng.randint(1, 3),
                }
            )
        for theme_id in rng.sample(theme_ids, 2):
            offer_themes.append({"offer_id": offer_id, "theme_id": theme_id})
        for skill_id in rng.sample(skill_ids, 3):
            offer_skills.append({"offer_id": offer_id, "skill_id": skill_id})
    db.session.execute(insert(OfferSession), sessions)
    db.session.execute(insert(OfferTheme), offer_themes)
    db.session.execute(insert(OfferSkill), offer_skills)

    agents = [u for u in user_rows if not u.email.startswith(f"{label}rh")]
    requests = []
    for agent in agents:
        requests.append(
            {
                "agent_id": agent.id,
                "organisation_id": agent.organisation_id,
                "status": "approved"
                if all_approved
                else rng.choice(["submitted", "approved", "approved", "draft", "postponed"]),
                "min_days": rng.choice([1, 2, 2, 3]),
                "max_days": rng.choice([3, 5, 5, 10]),
                "max_distance_km": rng.choice([50, 100, 100, 150, 200, 300]),
                "motivation": "Découvrir un autre métier.",
                "decision_reason": "",
                "rounds_waited": 0,
                "version": 1,
                "submitted_at": now - timedelta(days=rng.randint(0, 30)),
                "created_at": now,
                "updated_at": now,
            }
        )
    for row in requests:  # a draft was never submitted (drawn anyway, so the other draws stay the same)
        if row["status"] == "draft":
            row["submitted_at"] = None
    db.session.execute(insert(ImmersionRequest), requests)
    request_ids = list(
        db.session.scalars(
            select(ImmersionRequest.id)
            .join(Organisation, ImmersionRequest.organisation_id == Organisation.id)
            .where(in_network)
            .order_by(ImmersionRequest.id)
        )
    )
    windows = []
    for rid in request_ids:
        start = first_week + timedelta(weeks=rng.randint(0, 16))
        windows.append({"request_id": rid, "start_date": start, "end_date": start + timedelta(weeks=rng.randint(2, 4))})
    db.session.execute(insert(AvailabilityWindow), windows)
    db.session.execute(
        insert(RequestTheme), [{"request_id": rid, "theme_id": rng.choice(theme_ids)} for rid in request_ids]
    )
    # Up to three ranked wishes, drawn with a skew so that popular offers are oversubscribed.
    wishes = []
    for rid in request_ids:
        chosen = {offer_ids[min(int(rng.paretovariate(0.8)) - 1, len(offer_ids) - 1)] for _ in range(rng.randint(0, 3))}
        wishes += [{"request_id": rid, "offer_id": oid, "rank": rank} for rank, oid in enumerate(sorted(chosen), 1)]
    db.session.execute(insert(Wish), wishes)
    db.session.commit()
    if refresh_statistics:
        refresh_planner_statistics()
    return network.id


def refresh_planner_statistics() -> None:
    """Fresh planner statistics and visibility maps, as autovacuum would have made them on a live database
    (else autovacuum runs during the first measurements)."""
    if db.dialect == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _create_database(url: str) -> None:
    """Create the benchmark's own database on first use, so the test database is left alone."""
    server, _sep, name = url.rpartition("/")
    admin = make_engine(f"{server}/postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def reset_postgres(url: str) -> bool:
    try:
        _create_database(url)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return True
    except Exception as exc:  # noqa: BLE001 - report and carry on with SQLite
        print(f"PostgreSQL skipped: {exc}")
        return False


def migrate_to_head(url: str) -> None:
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    root = Path(__file__).resolve().parent.parent
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
