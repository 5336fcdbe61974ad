"""The demo network "Capacités publiques": the programme's twelve organisations, people, offers, requests.

Deterministic (seeded) and idempotent: loading twice changes nothing.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    AvailabilityWindow,
    Feedback,
    FeedbackSide,
    ImmersionRequest,
    Network,
    Offer,
    OfferPrerequisite,
    OfferSession,
    OfferStatus,
    Organisation,
    OrganisationKind,
    OrganisationSiret,
    Outcome,
    Place,
    RequestStatus,
    Role,
    Skill,
    Theme,
    User,
    UserSkill,
    Wish,
    utcnow,
)
from mobilite.seed import demo_data, taxonomy
from mobilite.services import communes, demo_this_week, sites
from mobilite.services.auth import hash_password
from mobilite.services.demo_records import past_immersion, published_round
from mobilite.workdays import add_working_days, next_monday

DOMAIN = "demo.mobilite.fr"
ADMIN_EMAIL = f"admin@{DOMAIN}"
COORDINATOR_EMAIL = f"coordination@{DOMAIN}"
AGENTS_PER_ORGANISATION = 7
AWAY_FROM_HEADQUARTERS = 0.3  # the share of an organisation's agents who work at one of its other sites


# Sites of the organisations without other work sites (demo_data.WORK_SITES gives the others theirs); the
# first offer of Ville de Lyon happens at its technical centre. The gazetteer locates each commune.
DEMO_SITES = (
    (
        "ville-de-lyon",
        {
            "name": "Centre technique municipal",
            "address": "15 rue Lortet",
            "commune": "Lyon (69007)",
            "accessibility": "Entrée de plain-pied rue Lortet, ascenseur ; tram T2, arrêt Centre Berthelot.",
        },
    ),
    ("ville-de-caluire-et-cuire", {"name": "Centre technique municipal", "commune": "Caluire-et-Cuire (69300)"}),
    ("ville-de-grenoble", {"name": "Centre technique municipal", "commune": "Grenoble (38100)"}),
    ("ccas-grenoble", {"name": "Résidence autonomie", "commune": "Grenoble (38100)"}),
)
SITE_WITH_OFFER = "ville-de-lyon"


def _demo_sites(organisations: dict[str, Organisation], offers: list[Offer]) -> None:
    """A site or more for every organisation: DEMO_SITES and an antenna at each of demo_data.WORK_SITES."""
    rows = list(DEMO_SITES) + [
        (slug, {"name": f"Antenne de {commune.split(' (')[0]}", "commune": commune})
        for slug, listed in demo_data.WORK_SITES.items()
        for commune in listed
    ]
    for slug, data in rows:
        site = sites.new_site(organisations[slug], data)
        db.session.add(site)
        if slug == SITE_WITH_OFFER and data is DEMO_SITES[0][1]:
            next(o for o in offers if o.organisation is organisations[slug]).site = site
    db.session.flush()


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def load_taxonomy() -> tuple[dict[str, Theme], dict[str, Skill]]:
    """Upsert the controlled vocabulary by code."""
    themes = {t.code: t for t in db.session.scalars(select(Theme))}
    for row in taxonomy.THEMES:
        theme = themes.get(row["code"]) or Theme(code=row["code"])
        theme.label_fr, theme.label_en = row["label_fr"], row["label_en"]
        themes[row["code"]] = theme
        db.session.add(theme)
    skills = {s.code: s for s in db.session.scalars(select(Skill))}
    for row in taxonomy.SKILLS:
        skill = skills.get(row["code"]) or Skill(code=row["code"])
        skill.label_fr, skill.label_en, skill.theme = row["label_fr"], row["label_en"], themes[row["theme"]]
        skills[row["code"]] = skill
        db.session.add(skill)
    db.session.flush()
    return themes, skills


def demo_accounts() -> list[tuple[str, str, str]]:
    """(role, organisation, e-mail) of the accounts worth printing, if the demo is loaded."""
    network = db.session.scalar(select(Network).where(Network.slug == demo_data.NETWORK["slug"]))
    if network is None:
        return []
    rows = [("admin", "—", ADMIN_EMAIL), ("coordination", network.name, COORDINATOR_EMAIL)]
    for organisation in network.organisations:
        members = db.session.scalars(
            select(User).where(User.organisation_id == organisation.id).order_by(User.id)
        ).all()
        hr = [u for u in members if u.has_role(Role.RH)]
        agents = [u for u in members if not u.has_role(Role.RH)]
        rows += [("rh", organisation.name, u.email) for u in hr]
        rows += [("agent", organisation.name, u.email) for u in agents[:1]]
    return rows


def format_accounts(rows: list[tuple[str, str, str]], password: str) -> str:
    width = max(len(org) for _, org, _ in rows)
    lines = [f"Comptes de démonstration (mot de passe commun : {password})", ""]
    lines += [f"  {role:<13} {org:<{width}}  {email}" for role, org, email in rows]
    return "\n".join(lines)


def load_demo(password: str, today: date | None = None) -> list[tuple[str, str, str]]:
    """Load the whole demo network once; later calls only return the accounts."""
    if db.session.scalar(select(Network.id).where(Network.slug == demo_data.NETWORK["slug"])) is not None:
        return demo_accounts()
    rng = random.Random(2022)
    today = today or date.today()
    password_hash = hash_password(password)  # one hash for every demo account keeps loading fast
    themes, skills = load_taxonomy()

    network = Network(**demo_data.NETWORK, requires_offer_validation=True)
    db.session.add(network)
    organisations: dict[str, Organisation] = {}
    for row in demo_data.ORGANISATIONS:
        organisation = Organisation(
            network=network,
            slug=row["slug"],
            name=row["name"],
            kind=OrganisationKind(row["kind"]),
            address=row["address"],
            city=row["city"],
            postcode=row["postcode"],
            latitude=row["latitude"],
            longitude=row["longitude"],
            sirets=[OrganisationSiret(siret=demo_data.SIRETS[row["slug"]])],
        )
        organisations[row["slug"]] = organisation
        db.session.add(organisation)
    db.session.flush()

    # Work places and request dates draw from their own generator: the rest of the demo does not move.
    story = random.Random(2027)

    def person(first: str, last: str, organisation: Organisation | None, email: str, *roles: Role, **extra) -> User:
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            password_hash=password_hash,
            organisation=organisation,
            **_work_place(story, organisation),
            **extra,
        )
        for role in roles:
            user.add_role(role)
        db.session.add(user)
        return user

    person("Camille", "Roussel", None, ADMIN_EMAIL, Role.ADMIN, job_title="Administratrice de la plateforme")
    person(
        "Hélène",
        "Marchetti",
        None,
        COORDINATOR_EMAIL,
        Role.COORDINATOR,
        network_id=network.id,
        job_title="Coordinatrice du réseau Capacités publiques",
    )

    used_names: set[tuple[str, str]] = set()

    def new_name() -> tuple[str, str]:
        while True:
            first = rng.choice(demo_data.FIRST_NAMES_F + demo_data.FIRST_NAMES_M)
            last = rng.choice(demo_data.LAST_NAMES)
            if (first, last) not in used_names:
                used_names.add((first, last))
                return first, last

    theme_codes = [t["code"] for t in taxonomy.THEMES]
    skills_by_theme: dict[str, list[str]] = {}
    for skill_row in taxonomy.SKILLS:
        skills_by_theme.setdefault(skill_row["theme"], []).append(skill_row["code"])

    agents: list[User] = []
    for index, row in enumerate(demo_data.ORGANISATIONS):
        organisation = organisations[row["slug"]]
        org_mail = _ascii(row["slug"])
        hr_count = 2 if index % 3 == 0 else 1
        for n in range(hr_count):
            first, last = new_name()
            person(
                first,
                last,
                organisation,
                f"rh{n + 1 if n else ''}.{org_mail}@{DOMAIN}",
                Role.RH,
                Role.AGENT,
                team="Direction des ressources humaines",
                job_title="Chargé·e de mobilité et de carrière",
            )
        for _ in range(AGENTS_PER_ORGANISATION):
            first, last = new_name()
            team = rng.choice(row["teams"])
            theme, titles = demo_data.TEAM_JOBS[team]  # a job title of their own service
            user = person(
                first,
                last,
                organisation,
                f"{_ascii(first)}.{_ascii(last)}@{DOMAIN}",
                Role.AGENT,
                team=team,
                job_title=rng.choice(titles),
            )
            own = rng.sample(skills_by_theme.get(theme, []), k=min(2, len(skills_by_theme.get(theme, []))))
            own += rng.sample(
                skills_by_theme.get("transversal", []), k=min(2, len(skills_by_theme.get("transversal", [])))
            )
            for code in dict.fromkeys(own):
                user.skills.append(UserSkill(skill=skills[code], level=rng.randint(1, 4)))
            user.interests = [themes[c] for c in rng.sample(theme_codes, k=rng.randint(1, 3))]
            agents.append(user)
    db.session.flush()

    # Offers with sessions over the coming weeks; a few still in draft or awaiting validation.
    first_week = next_monday(today)
    offers: list[Offer] = []
    for n, template in enumerate(demo_data.OFFER_TEMPLATES):
        status = OfferStatus.DRAFT if n % 13 == 5 else OfferStatus.SUBMITTED if n % 13 == 9 else OfferStatus.PUBLISHED
        offer = Offer(
            organisation=organisations[template["org"]],
            team=template["team"],
            title=template["title"],
            description=template["description"],
            place=Place(template["place"]),
            accessibility=template["accessibility"],
            tutor_name=template["tutor"]["name"],
            tutor_role=template["tutor"]["role"],
            status=status,
            published_at=utcnow() if status == OfferStatus.PUBLISHED else None,
        )
        offer.themes = [themes[c] for c in template["themes"]]
        offer.skills = [skills[c] for c in template["skills"]]
        offer.prerequisites = [
            OfferPrerequisite(skill=skills[c], min_level=lvl) for c, lvl in template["prerequisites"]
        ]
        for k, days in enumerate(template["session_days"]):
            start = first_week + timedelta(weeks=1 + (n + 2 * k) % 10)
            offer.sessions.append(
                OfferSession(
                    start_date=start,
                    end_date=add_working_days(start, days),
                    working_days=days,
                    capacity=template["capacity"],
                )
            )
        db.session.add(offer)
        offers.append(offer)
    db.session.flush()
    _demo_sites(organisations, offers)
    published = [o for o in offers if o.status == OfferStatus.PUBLISHED]

    # Requests: most approved (ready for the next round), some waiting for HR, a few drafts.
    for n, agent in enumerate(agents):
        if n % 8 == 7:
            continue
        request_status = (
            RequestStatus.APPROVED,
            RequestStatus.APPROVED,
            RequestStatus.SUBMITTED,
            RequestStatus.APPROVED,
            RequestStatus.DRAFT,
            RequestStatus.SUBMITTED,
        )[n % 6]
        min_days = rng.choice([2, 2, 3])
        request = ImmersionRequest(
            **_request_dates(story, request_status),
            agent=agent,
            organisation=agent.organisation,
            status=request_status,
            min_days=min_days,
            max_days=rng.choice([min_days + 1, 5, 5, 10]),
            max_distance_km=rng.choice([None, 100, 300, 800]),
            motivation=rng.choice(demo_data.MOTIVATIONS),
        )
        request.themes = list(agent.interests)
        start = first_week + timedelta(weeks=rng.randint(0, 3))
        request.windows.append(
            AvailabilityWindow(start_date=start, end_date=start + timedelta(weeks=rng.randint(3, 8)))
        )
        foreign = [o for o in published if o.organisation_id != agent.organisation_id]
        for rank, offer in enumerate(rng.sample(foreign, k=rng.randint(0, 3)), start=1):
            request.wishes.append(Wish(offer=offer, rank=rank))
        db.session.add(request)

    _history(rng, network, agents, published, today)
    db.session.commit()
    demo_this_week.load_this_week(network, random.Random(2028), today)
    return demo_accounts()


def _work_place(rng: random.Random, organisation: Organisation | None) -> dict:
    """A commune of the gazetteer, as the profile form sets it: the headquarters' commune, or for some agents
    another site of their organisation."""
    if organisation is None:
        return {}
    found: communes.Match | list[communes.Match] | None = communes.locate(organisation.city, organisation.postcode)
    others = demo_data.WORK_SITES.get(organisation.slug, [])
    if others and rng.random() < AWAY_FROM_HEADQUARTERS:
        found = communes.resolve(rng.choice(others))
    if not isinstance(found, communes.Match):
        raise ValueError(f"{organisation.name}: its commune is not in the gazetteer")
    return {
        "work_commune_code": found.commune.code,
        "work_postcode": found.postcode,
        "work_city": found.commune.name,
        "work_latitude": found.commune.latitude,
        "work_longitude": found.commune.longitude,
    }


def _request_dates(rng: random.Random, status: RequestStatus) -> dict:
    """When a request was written, submitted and answered, as real ones spread over the past weeks: drafts are
    recent, requests still waiting for the employer were sent within its month to answer, approved ones were
    answered a few days to two weeks after they were sent."""
    now = utcnow()
    if status == RequestStatus.DRAFT:
        created = now - timedelta(days=rng.randint(0, 10), hours=rng.randint(0, 8))
        return {"created_at": created, "updated_at": created}
    oldest = 24 if status == RequestStatus.SUBMITTED else 45
    created = now - timedelta(days=rng.randint(3, oldest), hours=rng.randint(0, 8))
    submitted = min(created + timedelta(days=rng.randint(0, 2), hours=rng.randint(1, 6)), now)
    if status == RequestStatus.SUBMITTED:
        return {"created_at": created, "submitted_at": submitted, "updated_at": submitted}
    decided = min(submitted + timedelta(days=rng.randint(2, 14), hours=rng.randint(1, 6)), now)
    return {"created_at": created, "submitted_at": submitted, "decided_at": decided, "updated_at": decided}


LEARNED = [
    "Une autre façon d'organiser l'accueil du public, que je vais proposer à mon équipe.",
    "Les contraintes d'un service voisin du mien : je comprends mieux leurs délais.",
    "Des outils de suivi partagés que nous n'utilisons pas encore.",
    "Le fonctionnement d'une intercommunalité vu de l'intérieur.",
    "Des contacts utiles pour mes dossiers, et l'envie de préparer un concours.",
]


def _history(rng: random.Random, network: Network, agents: list[User], published: list[Offer], today: date) -> None:
    """Five months of past rounds with immersions done and assessed, so quotas and the dashboard are alive."""
    for months_ago in range(5, 0, -1):
        week = next_monday(today - timedelta(days=30 * months_ago + 7))
        published_at = utcnow() - timedelta(days=30 * months_ago)
        round_ = published_round(network, week, published_at, timedelta(days=1))
        placed = 0
        for agent in rng.sample(agents, 6):
            offer = rng.choice([o for o in published if o.organisation_id != agent.organisation_id])
            days = rng.choice([2, 3, 3, 5])
            start = week + timedelta(weeks=2)
            window = (week, week + timedelta(weeks=6))
            immersion = past_immersion(rng, round_, agent, offer, start, days, window, scores=(300, 900))
            for side in (FeedbackSide.AGENT, FeedbackSide.HOST):
                immersion.feedback.append(
                    Feedback(
                        side=side,
                        outcome=Outcome.DONE if rng.random() > 0.1 else Outcome.PARTLY_DONE,
                        satisfaction=rng.choice([3, 4, 4, 5, 5]),
                        learned=rng.choice(LEARNED),
                        would_recommend=True,
                    )
                )
            placed += 1
        round_.metrics = {"placed": placed, "requests": placed + rng.randint(1, 4)}
