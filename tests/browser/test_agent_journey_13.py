"""Agents know where they stand, in a real browser, in French and in English, with axe-core on every page
(0 violations, the page's Content-Security-Policy kept: tests/axe.py).

1. A visitor reads the public page, signs in, is led through their empty profile, then asks for an offer
   95 km away with a 50 km limit: the wish is flagged with its reason and the request cannot be submitted
   until the agent widens the limit.
2. After a published round, an agent without a proposal reads why and what would change it, on their
   request page; the e-mail of the round (the outbox row) says the same.
3. The host's HR officer reads the agent's motivation before accepting the proposal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    ImmersionRequest,
    Network,
    Notification,
    OpinionSetting,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Round,
    RoundStatus,
    User,
    Wish,
)
from mobilite.services import communes, outlook, round_review, rounds
from mobilite.workdays import add_working_days, next_monday
from tests.axe import assert_accessible, serve_axe
from tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)
from tests.fixtures import fresh

pytestmark = pytest.mark.browser

KM_PER_DEGREE = math.pi * 6371.0 / 180.0  # along a meridian, on the engine's sphere
LYON = communes.resolve("Lyon (69001)").commune  # where the agent says they work, from the gazetteer
FAR_TITLE = "Instruire les permis de construire d'une ville moyenne"


def north_of_lyon(km: float) -> dict:
    return {"latitude": LYON.latitude + km / KM_PER_DEGREE, "longitude": LYON.longitude}


# What a person reads and clicks, in each language.
WORDS = {
    "fr": {
        "public_title": "Quelques jours dans une autre équipe publique",
        "sign_in_link": "Se connecter",
        "email": "Adresse e-mail",
        "password": "Mot de passe",
        "sign_in_button": "Se connecter",
        "start": "Pour commencer :",
        "complete_profile": "Complétez votre profil.",
        "first_steps": "Vos premiers pas",
        "skill": "Compétence 1",
        "skill_query": "permis",
        "interest": "Urbanisme",
        "commune": "Commune",
        "save_profile": "Enregistrer mon profil",
        "profile_saved": "Votre profil est enregistré.",
        "complete": "Il est complet.",
        "first_request": "faites votre première demande d'immersion",
        "agent_home": "Mon espace agent",
        "offers": "Parcourez les offres d'immersion de votre réseau.",
        "ask": "Demander cette immersion (premier vœu)",
        "window_start": "Période 1 : du",
        "window_end": "Période 1 : au",
        "max_distance": "Distance maximale depuis votre lieu de travail (km)",
        "motivation": "Votre motivation",
        "career": "Votre projet professionnel",
        "manager": "Son compte dans votre organisation",
        "wish": "Vœu n°1",
        "submit": "Soumettre à mon employeur",
        "impossible": "Ce vœu ne peut pas aboutir en l'état\u00a0:",
        "too_far": "95 km de votre lieu de travail\u202f; votre limite est de 50 km",
        "draft": "Enregistrer le brouillon",
        "edit": "Modifier",
        "waiting": "En attente de l'employeur",
    },
    "en": {
        "public_title": "A few days in another public team",
        "sign_in_link": "Sign in",
        "email": "Email address",
        "password": "Password",
        "sign_in_button": "Sign in",
        "start": "To get started:",
        "complete_profile": "Complete your profile.",
        "first_steps": "Your first steps",
        "skill": "Skill 1",
        "skill_query": "permit",
        "interest": "Urban planning",
        "commune": "Municipality",
        "save_profile": "Save my profile",
        "profile_saved": "Your profile has been saved.",
        "complete": "It is complete.",
        "first_request": "make your first immersion request",
        "agent_home": "My agent area",
        "offers": "Browse your network's immersion offers.",
        "ask": "Request this immersion (first wish)",
        "window_start": "Period 1: from",
        "window_end": "Period 1: to",
        "max_distance": "Maximum distance from your workplace (km)",
        "motivation": "Your motivation",
        "career": "Your career project",
        "manager": "Their account in your organisation",
        "wish": "Wish no. 1",
        "submit": "Submit to my employer",
        "impossible": "This wish cannot be matched as things stand:",
        "too_far": "95 km from your work place; your limit is 50 km",
        "draft": "Save draft",
        "edit": "Edit",
        "waiting": "Awaiting employer",
    },
}


@dataclass
class FirstUse:
    agent: User
    session_start: date


@pytest.fixture
def first_use(app) -> FirstUse:
    """A network around Lyon: the agent's organisation, a colleague who is their line manager, and a host
    95 km north of the commune the agent will give as work place, with one offer four months ahead."""
    network = db.session.get(Network, CoordinatorFactory().network_id)
    network.line_manager_opinion = OpinionSetting.ADVISORY
    planning = ThemeFactory(label_fr="Urbanisme", label_en="Urban planning")
    SkillFactory(theme=planning, label_fr="Instruire un permis de construire", label_en="Process a building permit")
    home = OrganisationFactory(network=network, name="Ville de Lyon", city="Lyon", postcode="69001")
    host = OrganisationFactory(
        network=network, name="Ville de Chalon-sur-Saône", city="Chalon-sur-Saône", **north_of_lyon(95)
    )
    offer = OfferFactory(
        organisation=host, title=FAR_TITLE, team="Service des autorisations d'urbanisme", themes=[planning]
    )
    start = next_monday(date.today() + timedelta(days=120))
    OfferSessionFactory(offer=offer, start_date=start, end_date=add_working_days(start, 3), working_days=3)
    UserFactory(organisation=home, first_name="Paul", last_name="Girard", job_title="Chef du service urbanisme")
    agent = UserFactory(
        organisation=home, first_name="Inès", last_name="Moreau", job_title="Instructrice des autorisations"
    )
    db.session.commit()
    return FirstUse(agent=agent, session_start=start)


def visitor_page(page, locale: str):
    """axe-core served to the page; in English, the visitor switches language as a person would."""
    serve_axe(page.context)
    page.goto("/")
    if locale == "en":
        page.get_by_role("button", name="English").click()
    return WORDS[locale]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_a_visitor_reads_signs_in_fills_the_profile_and_is_told_why_a_wish_cannot_work(page, first_use, locale):
    words = visitor_page(page, locale)
    page.get_by_role("heading", level=1, name=words["public_title"]).wait_for()
    assert page.locator("html").get_attribute("lang") == locale
    assert_accessible(page)

    # Signing in from the public page lands on an empty home that says what to do first.
    page.get_by_role("main").get_by_role("link", name=words["sign_in_link"]).first.click()
    assert_accessible(page)
    page.get_by_label(words["email"]).fill(first_use.agent.email)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in_button"]).click()
    page.get_by_text(words["start"]).wait_for()
    assert_accessible(page)

    # The profile, led step by step: a skill and the work place through the autocomplete, an interest.
    page.get_by_role("link", name=words["complete_profile"]).click()
    page.get_by_role("heading", name=words["first_steps"]).wait_for()
    assert_accessible(page)
    skill = page.get_by_role("combobox", name=words["skill"])
    skill.press_sequentially(words["skill_query"])
    page.get_by_role("listbox").get_by_role("option").first.wait_for()
    skill.press("ArrowDown")
    skill.press("Enter")
    page.get_by_label(words["interest"]).check()
    place = page.get_by_role("combobox", name=words["commune"])
    place.press_sequentially("Lyon")
    page.get_by_role("option", name=re.compile(r"^Lyon \(69001\)")).click()
    assert_accessible(page)
    page.get_by_role("button", name=words["save_profile"]).click()
    assert words["profile_saved"] in page.locator(".flash").first.inner_text()
    steps = page.locator("section.notice", has=page.get_by_role("heading", name=words["first_steps"]))
    assert words["complete"] in steps.inner_text()
    steps.get_by_role("link", name=words["first_request"]).wait_for()  # the next step, once the profile is done
    assert_accessible(page)

    # The offer 95 km away, asked for as first wish with a 50 km limit.
    page.get_by_role("navigation").get_by_role("link", name=words["agent_home"]).click()
    page.get_by_role("link", name=words["offers"]).click()
    page.get_by_role("link", name=FAR_TITLE).click()
    assert_accessible(page)
    page.get_by_role("link", name=words["ask"]).click()
    start = first_use.session_start
    page.get_by_label(words["window_start"]).fill((start - timedelta(days=7)).isoformat())
    page.get_by_label(words["window_end"]).fill((start + timedelta(days=21)).isoformat())
    page.get_by_label(words["max_distance"]).fill("50")
    page.get_by_label(words["motivation"]).fill("Voir comment une ville moyenne instruit ses permis avec peu d'agents.")
    page.get_by_label(words["career"]).fill("Devenir responsable d'un service d'urbanisme.")
    page.get_by_label(words["manager"]).select_option(label="Paul Girard — Chef du service urbanisme")
    assert FAR_TITLE in page.get_by_label(words["wish"]).locator("option:checked").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name=words["submit"]).click()

    # Refused as it stands: the error names the wish and the reason, at the top and beside the wishes.
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert words["wish"] in summary.inner_text() and words["too_far"] in summary.inner_text()
    assert words["too_far"] in page.locator("#wishes-error").inner_text()
    assert_accessible(page)
    assert db.session.scalar(select(ImmersionRequest).where(ImmersionRequest.agent_id == first_use.agent.id)) is None

    # Kept as a draft, the request's page flags the wish, with its reason, beside it.
    page.get_by_role("button", name=words["draft"]).click()
    flagged = page.locator(".wish-check-impossible")
    assert words["impossible"] in flagged.inner_text() and words["too_far"] in flagged.inner_text()
    assert_accessible(page)

    # Widening the limit to 100 km makes it possible: the request goes to the employer.
    page.get_by_role("link", name=words["edit"], exact=True).click()
    page.get_by_label(words["max_distance"]).fill("100")
    page.get_by_role("button", name=words["submit"]).click()
    page.get_by_text(words["waiting"]).first.wait_for()
    assert_accessible(page)
    saved = db.session.scalar(select(ImmersionRequest).where(ImmersionRequest.agent_id == first_use.agent.id))
    assert saved.status == RequestStatus.SUBMITTED and saved.max_distance_km == 100
    agent = fresh(first_use.agent)
    assert (agent.work_city, len(agent.skills), len(agent.interests)) == ("Lyon", 1, 1)


# --- after a published round ---------------------------------------------------------------------------------

MOTIVATION = "Je veux voir comment le guichet unique de Lyon accueille les porteurs de projet avant d'en ouvrir un."
ROUND_WORDS = {
    "fr": {
        "outlook": "Pas de proposition à ce tour : pourquoi",
        "too_far": "1 est au-delà de votre distance maximale (50 km)",
        "widen": "En portant votre distance maximale à 70 km, 1 offre devient possible.",
        "no_proposal_yet": "Aucune proposition pour l'instant",
        "view_request": "Voir la demande du",
        "proposals": "Propositions et immersions",
        "who": "Qui vient : Hugo Lefèvre",
        "accept": "Accepter la proposition",
        "accepted": "Réponse enregistrée.",
    },
    "en": {
        "outlook": "No proposal in this round: why",
        "too_far": "1 is beyond your maximum distance (50 km)",
        "widen": "Setting your maximum distance to 70 km would make 1 offer possible.",
        "no_proposal_yet": "No proposals yet",
        "view_request": "View the request of",
        "proposals": "Proposals and immersions",
        "who": "Who is coming: Hugo Lefèvre",
        "accept": "Accept the proposal",
        "accepted": "Response saved.",
    },
}


@dataclass
class AfterRound:
    unmatched: ImmersionRequest
    matched: ImmersionRequest
    host_hr: User


def published_round(app, locale: str) -> AfterRound:
    """Lyon and Villeurbanne, 5 km apart, and a host 69.7 km north of Lyon. An agent of Lyon with a 50 km
    limit can go neither to their own organisation's offer nor to the one 69.7 km away: by construction,
    widening their limit to 70 km opens 1 offer. An agent of Villeurbanne is placed on Lyon's offer. This
    week's round is run, every proposal approved, and published; everyone reads in `locale`."""
    coordinator = CoordinatorFactory(locale=locale)
    network = db.session.get(Network, coordinator.network_id)
    planning = ThemeFactory(label_fr="Urbanisme", label_en="Urban planning")
    lyon = OrganisationFactory(network=network, name="Ville de Lyon", **north_of_lyon(0))
    villeurbanne = OrganisationFactory(network=network, name="Ville de Villeurbanne", **north_of_lyon(5))
    north = OrganisationFactory(network=network, name="Ville de Mâcon", city="Mâcon", **north_of_lyon(69.7))
    start = next_monday(date.today() + timedelta(days=14))
    sessions = {}
    for host, title in (
        (lyon, "Le guichet unique de l'urbanisme"),
        (north, "Instruire les permis d'une ville moyenne"),
    ):
        offer = OfferFactory(organisation=host, title=title, themes=[planning])
        sessions[host.id] = OfferSessionFactory(
            offer=offer, start_date=start, end_date=add_working_days(start, 2), working_days=3, capacity=1
        )
    people = []
    for home, wished, first, last, job in (
        (lyon, north, "Inès", "Moreau", "Instructrice des autorisations"),
        (villeurbanne, lyon, "Hugo", "Lefèvre", "Chargé d'accueil du public"),
    ):
        agent = UserFactory(organisation=home, first_name=first, last_name=last, job_title=job, locale=locale)
        item = RequestFactory(agent=agent, status=RequestStatus.APPROVED, max_distance_km=50, motivation=MOTIVATION)
        item.windows[0].start_date, item.windows[0].end_date = start - timedelta(days=3), start + timedelta(days=11)
        item.wishes.append(Wish(offer=sessions[wished.id].offer, rank=1))
        people.append(item)
    host_hr = UserFactory(organisation=lyon, roles=["rh"], first_name="Nadia", last_name="Roux", locale=locale)
    db.session.commit()
    with app.test_request_context():
        round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="manual")
        done = rounds.run_round(round_.id)
        assert done.status == RoundStatus.PROPOSED, done.error
        selection = [(p.id, p.version) for p in done.proposals]
        round_review.bulk_decide(coordinator, done, "approve", selection=selection)
        round_review.publish_round(coordinator, db.session.get(Round, round_.id))
        outlook.notify_pending()  # the scheduler's part: the unmatched agents' e-mails
    unmatched, matched = (fresh(item) for item in people)
    assert unmatched.status == RequestStatus.APPROVED and matched.status == RequestStatus.MATCHED
    return AfterRound(unmatched=unmatched, matched=matched, host_hr=host_hr)


def sign_in_as(page, user: User) -> None:
    """The sign-in page in French (no language chosen yet); the account's own language follows."""
    serve_axe(page.context)
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def lines(section) -> list[str]:
    """The sentences of the outlook section, headings left out."""
    return [" ".join(text.split()) for text in section.locator("p, li").all_inner_texts() if text.strip()]


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_an_unmatched_agent_reads_why_and_what_would_change_it_and_the_mail_says_the_same(app, page, locale):
    after = published_round(app, locale)
    words = ROUND_WORDS[locale]
    sign_in_as(page, after.unmatched.agent)

    # The home says it at once, instead of "no proposal yet".
    home = page.locator("section.outlook")
    home.get_by_role("heading", name=words["outlook"]).wait_for()
    assert words["widen"] in home.inner_text()
    assert words["no_proposal_yet"] not in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == locale
    assert_accessible(page)

    # The request's page: why (the one session is beyond the limit), and what would open options.
    page.get_by_role("main").get_by_role("link", name=re.compile(words["view_request"])).last.click()
    outlook = page.locator("section.outlook")
    outlook.get_by_role("heading", name=words["outlook"]).wait_for()
    said = lines(outlook)
    assert any(words["too_far"] in line for line in said), said
    assert words["widen"] in said
    assert_accessible(page)

    # The round's e-mail to the agent (the outbox row) says the same, sentence for sentence.
    [mail] = db.session.scalars(
        select(Notification).where(
            Notification.kind == "round.unmatched", Notification.recipient_id == after.unmatched.agent_id
        )
    ).all()
    html = " ".join(unescape(re.sub(r"<[^>]+>", " ", mail.html_body)).split())
    text = " ".join(mail.body.split())
    for line in said:
        assert line in text and line in html, line
    assert f"/agent/demandes/{after.unmatched.id}" in mail.body


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_host_hr_reads_the_motivation_before_accepting(app, page, locale):
    after = published_round(app, locale)
    words = ROUND_WORDS[locale]
    sign_in_as(page, after.host_hr)
    page.get_by_role("navigation").get_by_role("link", name=words["proposals"]).click()
    assert_accessible(page)
    page.get_by_role("link", name="Hugo Lefèvre").first.click()

    who = page.locator("section.candidate")
    who.get_by_role("heading", name=words["who"]).wait_for()
    assert MOTIVATION in who.inner_text()
    assert "Chargé d'accueil du public" in who.inner_text() and "Ville de Villeurbanne" in who.inner_text()
    accept = page.get_by_role("button", name=words["accept"])
    # Read before answering: who is coming comes first on the page, the answer after it.
    assert who.bounding_box()["y"] + who.bounding_box()["height"] <= accept.bounding_box()["y"]
    assert_accessible(page)

    accept.click()
    assert words["accepted"] in page.locator(".flash").first.inner_text()
    assert_accessible(page)
    proposal = db.session.scalar(select(Proposal).where(Proposal.request_id == after.matched.id))
    assert fresh(proposal).host_answer is not None and fresh(proposal).status == ProposalStatus.PUBLISHED
