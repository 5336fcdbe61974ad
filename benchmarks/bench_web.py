"""Web latency benchmark: offer search and the HR home page on a national-size network.

Loads a synthetic network (20,000 published offers with 2 sessions each, 50,000 requests from 50,000
agents of 200 organisations) into a fresh SQLite file and, when reachable, a PostgreSQL database, then
times real requests through the whole Flask stack (routing, sign-in session, queries, templates) and
prints median and p95 per scenario. Speed targets live here, never in the test suite.

    make bench-web                      # SQLite, plus PostgreSQL if MOBILITE_BENCH_POSTGRES_URL is set
    python -m benchmarks.bench_web --offers 2000 --requests 5000 --repeat 50
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
from datetime import date, timedelta

from alembic import command
from sqlalchemy import insert, select, text

from mobilite import create_app
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
    Skill,
    Theme,
    User,
    UserRole,
    utcnow,
)
from mobilite.services.auth import hash_password
from mobilite.services.demo import load_taxonomy
from mobilite.workdays import add_working_days, next_monday

PASSWORD = "benchmark password"
CITIES = [  # (city, latitude, longitude): prefectures spread over mainland France
    ("Lille", 50.63, 3.06), ("Amiens", 49.89, 2.30), ("Rouen", 49.44, 1.10), ("Caen", 49.18, -0.37),
    ("Rennes", 48.11, -1.68), ("Brest", 48.39, -4.49), ("Nantes", 47.22, -1.55), ("Angers", 47.47, -0.55),
    ("Tours", 47.39, 0.69), ("Orléans", 47.90, 1.91), ("Paris", 48.86, 2.35), ("Reims", 49.26, 4.03),
    ("Metz", 49.12, 6.18), ("Strasbourg", 48.57, 7.75), ("Dijon", 47.32, 5.04), ("Besançon", 47.24, 6.02),
    ("Lyon", 45.76, 4.84), ("Grenoble", 45.19, 5.72), ("Clermont-Ferrand", 45.78, 3.08),
    ("Limoges", 45.83, 1.26), ("Poitiers", 46.58, 0.34), ("Bordeaux", 44.84, -0.58), ("Pau", 43.30, -0.37),
    ("Toulouse", 43.60, 1.44), ("Montpellier", 43.61, 3.88), ("Marseille", 43.30, 5.37), ("Nice", 43.70, 7.27),
    ("Ajaccio", 41.93, 8.74), ("Perpignan", 42.70, 2.90), ("Nîmes", 43.84, 4.36),
]
WORDS = ["urbanisme", "paie", "accueil", "bibliothèque", "voirie", "crèche", "budget", "marchés publics",
         "numérique", "archives", "espaces verts", "piscine", "état civil", "logement", "déchets", "eau"]


def load_network(n_offers: int, n_requests: int, n_orgs: int, seed: int = 7) -> None:
    """Bulk-insert the synthetic network with Core inserts (the ORM would take minutes)."""
    rng = random.Random(seed)
    themes, skills = load_taxonomy()
    theme_ids = [t.id for t in themes.values()]
    skill_ids = [s.id for s in skills.values()]
    db.session.commit()
    network = Network(name="Réseau national (benchmark)", slug="bench", requires_offer_validation=False)
    db.session.add(network)
    db.session.flush()
    orgs = []
    for n in range(n_orgs):
        city, lat, lon = CITIES[n % len(CITIES)]
        orgs.append({"network_id": network.id, "name": f"Organisation {n:03d} de {city}", "slug": f"bench-{n:03d}",
                     "kind": "commune", "city": city, "postcode": "00000",
                     "latitude": lat + rng.uniform(-0.3, 0.3), "longitude": lon + rng.uniform(-0.3, 0.3),
                     "created_at": utcnow(), "updated_at": utcnow()})
    db.session.execute(insert(Organisation), orgs)
    org_rows = db.session.execute(
        select(Organisation.id, Organisation.latitude, Organisation.longitude, Organisation.city)
        .where(Organisation.network_id == network.id).order_by(Organisation.id)).all()

    password_hash = hash_password(PASSWORD)
    now = utcnow()
    users = []
    for n in range(n_requests):
        org = org_rows[n % len(org_rows)]
        users.append({"email": f"agent{n}@bench.example", "first_name": "Agent", "last_name": f"N{n:05d}",
                      "password_hash": password_hash, "active": True, "locale": "fr", "organisation_id": org.id,
                      "work_city": org.city, "work_latitude": org.latitude, "work_longitude": org.longitude,
                      "team": "Service", "job_title": "Agent", "created_at": now, "updated_at": now})
    for org in org_rows:
        users.append({"email": f"rh{org.id}@bench.example", "first_name": "RH", "last_name": str(org.id),
                      "password_hash": password_hash, "active": True, "locale": "fr", "organisation_id": org.id,
                      "work_city": org.city, "team": "RH", "job_title": "RH", "created_at": now, "updated_at": now})
    db.session.execute(insert(User), users)
    user_rows = db.session.execute(select(User.id, User.email, User.organisation_id).order_by(User.id)).all()
    db.session.execute(insert(UserRole), [
        {"user_id": u.id, "role": Role.RH.value if u.email.startswith("rh") else Role.AGENT.value} for u in user_rows])

    first_week = next_monday(date.today())
    offers, sessions, offer_themes, offer_skills = [], [], [], []
    for n in range(n_offers):
        org = org_rows[min(int(rng.paretovariate(1.2)) - 1, len(org_rows) - 1) if n % 3 else n % len(org_rows)]
        offers.append({"organisation_id": org.id, "team": "Service d'accueil",
                       "title": f"Immersion {rng.choice(WORDS)} n°{n}",
                       "description": f"Découvrir le métier ({rng.choice(WORDS)}, {rng.choice(WORDS)}).",
                       "place": rng.choice(["on_site", "on_site", "hybrid", "remote"]), "status": "published",
                       "accessibility": "", "tutor_name": "", "tutor_role": "", "tutor_email": "",
                       "validation_comment": "", "published_at": now, "version": 1, "created_at": now,
                       "updated_at": now})
    db.session.execute(insert(Offer), offers)
    offer_ids = list(db.session.scalars(select(Offer.id).order_by(Offer.id)))
    for offer_id in offer_ids:
        for _ in range(2):
            start = first_week + timedelta(weeks=rng.randint(1, 20))
            days = rng.randint(1, 5)
            sessions.append({"offer_id": offer_id, "start_date": start, "end_date": add_working_days(start, days),
                             "working_days": days, "capacity": rng.randint(1, 3)})
        for theme_id in rng.sample(theme_ids, 2):
            offer_themes.append({"offer_id": offer_id, "theme_id": theme_id})
        for skill_id in rng.sample(skill_ids, 3):
            offer_skills.append({"offer_id": offer_id, "skill_id": skill_id})
    db.session.execute(insert(OfferSession), sessions)
    db.session.execute(insert(OfferTheme), offer_themes)
    db.session.execute(insert(OfferSkill), offer_skills)

    agents = [u for u in user_rows if not u.email.startswith("rh")]
    requests = []
    for agent in agents:
        requests.append({"agent_id": agent.id, "organisation_id": agent.organisation_id,
                         "status": rng.choice(["submitted", "approved", "approved", "draft", "postponed"]),
                         "min_days": 2, "max_days": 5, "motivation": "Découvrir un autre métier.",
                         "decision_reason": "", "rounds_waited": 0, "version": 1,
                         "submitted_at": now - timedelta(days=rng.randint(0, 30)), "created_at": now,
                         "updated_at": now})
    db.session.execute(insert(ImmersionRequest), requests)
    request_ids = list(db.session.scalars(select(ImmersionRequest.id).order_by(ImmersionRequest.id)))
    db.session.execute(insert(AvailabilityWindow), [
        {"request_id": rid, "start_date": first_week, "end_date": first_week + timedelta(weeks=8)}
        for rid in request_ids])
    db.session.execute(insert(RequestTheme), [
        {"request_id": rid, "theme_id": rng.choice(theme_ids)} for rid in request_ids])
    db.session.commit()


def sign_in(client, email: str) -> None:
    import re

    page = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, f"sign-in failed for {email}"


def time_requests(client, urls: list[str], repeat: int) -> tuple[float, float]:
    for url in urls[:3]:  # warm caches and the template compiler
        client.get(url)
    timings = []
    for n in range(repeat):
        url = urls[n % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    timings.sort()
    return statistics.median(timings), timings[max(int(len(timings) * 0.95) - 1, 0)]


def scenarios(app) -> dict[str, tuple[str, list[str]]]:
    with app.app_context():
        theme_ids = list(db.session.scalars(select(Theme.id).order_by(Theme.id)))
        skill_ids = list(db.session.scalars(select(Skill.id).order_by(Skill.id)))
        org_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
        agent = db.session.scalar(select(User.email).where(User.email == "agent0@bench.example"))
        busiest = db.session.execute(text(
            "SELECT organisation_id FROM offers GROUP BY organisation_id ORDER BY count(*) DESC LIMIT 1")).scalar()
    soon = (date.today() + timedelta(weeks=3)).isoformat()
    later = (date.today() + timedelta(weeks=8)).isoformat()
    rng = random.Random(3)
    return {
        "search: no filter": (agent, ["/agent/offres", "/agent/offres?page=5", "/agent/offres?tri=newest"]),
        "search: theme + dates": (agent, [f"/agent/offres?theme={rng.choice(theme_ids)}&du={soon}&au={later}"
                                          for _ in range(20)]),
        "search: skill + remote": (agent, [f"/agent/offres?skill={rng.choice(skill_ids)}&distanciel=1"
                                           for _ in range(20)]),
        "search: distance, closest": (agent, [f"/agent/offres?distance={d}&tri=closest" for d in (50, 150, 400)]),
        "search: free text": (agent, [f"/agent/offres?q={w}" for w in WORDS]),
        "search: organisation + text": (agent, [f"/agent/offres?organisation={rng.choice(org_ids)}&q=immersion"
                                                for _ in range(20)]),
        "HR home (largest organisation)": (f"rh{busiest}@bench.example", ["/rh/"]),
        "HR offers list (largest organisation)": (f"rh{busiest}@bench.example", ["/rh/offres", "/rh/offres?page=3"]),
    }


def run(label: str, url: str, args) -> list[tuple[str, str, float, float]]:
    from tests.conftest import alembic_config

    command.upgrade(alembic_config(url), "head")
    app = create_app("testing", {"DATABASE_URL": url})
    started = time.perf_counter()
    with app.test_request_context():
        load_network(args.offers, args.requests, args.organisations)
    print(f"[{label}] loaded in {time.perf_counter() - started:.1f} s", flush=True)
    rows = []
    for name, (email, urls) in scenarios(app).items():
        client = app.test_client()
        sign_in(client, email)
        median, p95 = time_requests(client, urls, args.repeat)
        rows.append((label, name, median, p95))
        print(f"[{label}] {name}: median {median:.1f} ms, p95 {p95:.1f} ms", flush=True)
    db.engine.dispose()
    return rows


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offers", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("MOBILITE_ENV", "testing")

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        rows += run("SQLite", f"sqlite:///{folder}/bench.db", args)
    pg_url = os.environ.get("MOBILITE_BENCH_POSTGRES_URL")
    if pg_url and reset_postgres(pg_url):
        rows += run("PostgreSQL", pg_url, args)
    elif not pg_url:
        print("PostgreSQL skipped: set MOBILITE_BENCH_POSTGRES_URL (its tables are dropped and recreated).")

    print()
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.offers} published offers, {args.requests} requests, {args.organisations} organisations; "
          f"{args.repeat} requests per scenario.")
    print(f"{'database':<11} {'scenario':<40} {'median ms':>10} {'p95 ms':>8}  target p95 < 100 ms")
    for label, name, median, p95 in rows:
        flag = "ok" if p95 < 100 else "SLOW"
        print(f"{label:<11} {name:<40} {median:>10.1f} {p95:>8.1f}  {flag}")


if __name__ == "__main__":
    main()
