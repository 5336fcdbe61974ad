"""At 390 px wide (a common phone), no page scrolls sideways, for every role, and axe-core finds nothing.

The pages come from the app's routes, not from a hand-kept list: for each role, every HTML GET page
without parameters that the role may open, then every record page (a route with parameters) that those
pages link to, one sample per route, following links until no new route turns up; the pages people open
from an e-mail without an account (a tutor's, a line manager's, setting a password, unsubscribing) are
reached through the links of the e-mails in the outbox. A new page is covered as soon as it exists (without
parameters) or is linked from a page of its role or an e-mail; a route that nothing links to must be listed
in NOT_LINKED with the reason, or the coverage check fails.

The demo network gives the pages their data (long names, full tables), with one round published and one
left for review, so that every kind of record has a page to show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from mobilite.extensions import db
from mobilite.models import (
    Immersion,
    ImmersionStatus,
    Network,
    Notification,
    Proposal,
    ProposalStatus,
    RequestStatus,
    Role,
    Round,
    RoundStatus,
    TokenPurpose,
    User,
)
from mobilite.services import auth, cancellation, demo, line_manager, round_drafts, round_review, rounds
from mobilite.services import proposals as proposal_service
from mobilite.services.people import hr_officers
from tests.axe import describe, serve_axe, violations
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import RequestFactory, UserFactory
from tests.fixtures import sign_in

pytestmark = pytest.mark.browser

PASSWORD = "demo password for tests"
WIDTH = 390
NOT_HTML = (".csv", ".svg", ".ics", ".pdf", ".json")
# Routes that answer something other than a page, or that nothing links to. Pages reached from an e-mail
# (a tutor's, a line manager's without an account, setting a password, unsubscribing) are not listed: the
# anonymous crawl starts from the links of the e-mails in the outbox.
NOT_LINKED = {
    "auth.proconnect_callback": "ProConnect's return address, reached from the provider only",
    "notifications.open_item": "marks a notification read and redirects to its subject",
    "suggestions.communes_list": "JSON for the autocomplete",
    "suggestions.skills_list": "JSON for the autocomplete",
}
SPARE_LINKS = 3  # further links kept per route, tried only while some route is unreached
ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, Role.AGENT, Role.RH, Role.COORDINATOR, Role.ADMIN)


def is_page(app: Flask, rule: Rule) -> bool:
    view = app.view_functions[rule.endpoint]
    return (
        "GET" in rule.methods
        and rule.endpoint != "static"
        and not getattr(view, "api", False)
        and not rule.rule.endswith(NOT_HTML)
        and rule.endpoint not in NOT_LINKED
    )


def allowed(app: Flask, rule: Rule, role) -> bool:
    """Whether `role` may open the route (its access decorator's mark)."""
    access = getattr(app.view_functions[rule.endpoint], "access", None)
    if role == ANONYMOUS:
        return access == "public"
    return access == "login" or (isinstance(access, tuple) and role in access)


def role_routes(app: Flask, role) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if is_page(app, r) and allowed(app, r, role)), key=str)


def required(app: Flask, rule: Rule, role) -> bool:
    """Whether the crawl must reach the route for this role. A record page open to any signed-in person
    (a line manager's opinion) is required of the agent role: every member of an organisation has it."""
    open_to_all = getattr(app.view_functions[rule.endpoint], "access", None) == "login"
    return not (open_to_all and rule.arguments) or role == Role.AGENT


def match(app: Flask, url: str, any_host: bool = False) -> str | None:
    """The endpoint of a same-site link (of any host: an e-mail's links name the configured one), or None."""
    parts = urlsplit(url)
    if not any_host and parts.hostname not in (None, "127.0.0.1"):
        return None
    try:
        endpoint, _args = app.url_map.bind("127.0.0.1").match(parts.path, method="GET")
    except HTTPException:
        return None
    return endpoint


@dataclass
class DemoWorld:
    """Who signs in for each role, and the record pages the crawl starts from besides the role's own."""

    emails: dict
    seeds: dict


def _publish_and_confirm_one(round_id: int) -> Proposal:
    """Publish the round (every proposal approved) and have both sides accept one proposal: that of an
    agent with an immersion done already, so that agent's pages show both kinds."""
    round_ = db.session.get(Round, round_id)
    coordinator = db.session.scalar(select(User).where(User.email == demo.COORDINATOR_EMAIL))
    proposals = sorted(round_.proposals, key=lambda p: p.id)
    round_review.bulk_decide(coordinator, round_, "approve", selection=[(p.id, p.version) for p in proposals])
    round_review.publish_round(coordinator, db.session.get(Round, round_id))
    done = set(db.session.scalars(select(Immersion.agent_id).where(Immersion.status == ImmersionStatus.DONE)))
    proposal = next((p for p in proposals if p.request.agent_id in done), proposals[0])
    offer = proposal.session.offer
    offer.tutor_name, offer.tutor_email = "Marion Leroy", "tutrice.immersions@example.fr"  # told by e-mail
    host_hr = hr_officers(proposal.session.offer.organisation_id)[0]
    proposal_service.answer_proposal(proposal.request.agent, proposal, "agent", "accept")
    proposal_service.answer_proposal(host_hr, db.session.get(Proposal, proposal.id), "host", "accept")
    return db.session.get(Proposal, proposal.id, populate_existing=True)


def _confirm_and_call_off_another(round_id: int, confirmed_id: int) -> Immersion:
    """Another proposal of the round confirmed, then called off by its host before its start: the coordinator's
    page of its freed seat has data."""
    published = db.session.scalars(
        select(Proposal)
        .where(Proposal.round_id == round_id, Proposal.status == ProposalStatus.PUBLISHED, Proposal.id != confirmed_id)
        .order_by(Proposal.id)
    ).all()
    proposal = next(p for p in published if p.session.start_date > date.today())
    host_hr = hr_officers(proposal.session.offer.organisation_id)[0]
    proposal_service.answer_proposal(proposal.request.agent, proposal, "agent", "accept")
    proposal_service.answer_proposal(host_hr, db.session.get(Proposal, proposal.id), "host", "accept")
    immersion = proposal_service.immersion_of(db.session.get(Proposal, proposal.id, populate_existing=True))
    assert immersion is not None
    cancellation.call_off(host_hr, immersion, "L'équipe d'accueil sera en formation cette semaine-là.")
    return immersion


@pytest.fixture
def demo_world(app):
    """The demo network (five months of history, this month's stages), a recent round published with one
    immersion confirmed and to come, this week's round waiting for review; the confirmed agent has a draft request and a
    colleague's request waiting for their opinion as line manager; e-mails with links for people without an
    account (a manager named by address, a new account's first password): every kind of page has data."""
    with app.test_request_context():
        demo.load_demo(PASSWORD)
        network = db.session.scalar(select(Network))
        this_week = rounds.week_of(date.today())
        # (the demo's own round is last week's: this one is the week before's)
        last = rounds.request_round(network, this_week - timedelta(days=14), trigger="manual")
        assert rounds.run_round(last.id).status == RoundStatus.PROPOSED
        confirmed = _publish_and_confirm_one(last.id)
        called_off = _confirm_and_call_off_another(last.id, confirmed.id)
        current = rounds.request_round(network, this_week, trigger="manual")
        assert rounds.run_round(current.id).status == RoundStatus.PROPOSED
        # Other settings tried on it: the review page links to the comparison.
        round_drafts.start_draft(current, None, {"weights": {"wish": 0}})
        round_drafts.run_pending_drafts()
        agent = confirmed.request.agent
        colleague = db.session.scalar(
            select(User).where(User.organisation_id == agent.organisation_id, User.id != agent.id).order_by(User.id)
        )
        RequestFactory(agent=agent, status=RequestStatus.DRAFT)  # its page links to its form
        RequestFactory(agent=colleague, status=RequestStatus.SUBMITTED, line_manager=agent)
        # E-mails with links to pages without an account: a manager asked by address, a new account.
        by_mail = RequestFactory(agent=colleague, status=RequestStatus.SUBMITTED, line_manager_email="chef@example.fr")
        line_manager.on_submit(by_mail)
        newcomer = UserFactory(organisation=agent.organisation, password_hash=None)
        auth.issue_password_link(newcomer, TokenPurpose.SET_PASSWORD, hours=72)
        db.session.commit()
        return DemoWorld(
            emails={
                ANONYMOUS: None,
                Role.AGENT: agent.email,
                Role.RH: hr_officers(confirmed.session.offer.organisation_id)[0].email,
                Role.COORDINATOR: demo.COORDINATOR_EMAIL,
                Role.ADMIN: demo.ADMIN_EMAIL,
            },
            seeds={
                ANONYMOUS: mailed_pages(app),
                # The coordinator's round pages list hundreds of proposals: start from the confirmed one.
                Role.COORDINATOR: [
                    f"/coordination/propositions/{confirmed.id}",
                    f"/coordination/immersions/{called_off.id}",  # a freed seat to offer
                ],
            },
        )


def mailed_pages(app: Flask) -> list[str]:
    """The public pages that the e-mails in the outbox link to, one link per route."""
    found: dict[str, str] = {}
    for body in db.session.scalars(select(Notification.body)):
        for url in re.findall(r"https?://[^\s<>\")]+", body):
            endpoint = match(app, url, any_host=True)
            rule = next(iter(app.url_map.iter_rules(endpoint))) if endpoint else None
            if rule is not None and is_page(app, rule) and allowed(app, rule, ANONYMOUS):
                found.setdefault(endpoint, urlsplit(url).path)
    return sorted(found.values())


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server, locale="fr-FR", viewport={"width": WIDTH, "height": 844}, is_mobile=True
    )
    serve_axe(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const wide = Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > width + 1);
  const innermost = wide.filter(e => !Array.from(e.children).some(c => wide.includes(c)));
  return innermost.slice(0, 4).map(e => e.outerHTML.slice(0, 140));
}"""


def visit(phone, path: str) -> tuple[list[str], list[str]]:
    """Open the page; return (what is wrong with it at 390 px, the page's links)."""
    response = phone.goto(path)
    problems = []
    if response is None or response.status != 200:
        problems.append(f"{path}: HTTP {response.status if response else '?'}")
    scroll_width = phone.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width > WIDTH:
        problems.append(f"{path}: {scroll_width} px wide; overflowing: {phone.evaluate(OVERFLOWING)}")
    if found := violations(phone):
        problems.append(f"{path}: axe-core:\n{describe(found)}")
    links = phone.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
    return problems, links


def crawl(app: Flask, phone, role, seeds: list[str]) -> tuple[list[str], list[str]]:
    """Visit the role's pages: (what is wrong with them, the role's routes no visited page links to).

    Each route is visited once, through the first link found to it; while some routes are still unreached
    once that is done, further links to routes already visited are tried (another round, a confirmed
    immersion...), a few at a time, until every route is reached or no link is left."""
    routes = role_routes(app, role)
    by_endpoint = {rule.endpoint: rule for rule in routes}
    to_visit = [rule.rule for rule in routes if not rule.arguments] + seeds
    seen = {rule.endpoint for rule in routes if not rule.arguments} | {match(app, seed) for seed in seeds}
    spare: dict[str, list[str]] = {}
    visited: set[str] = set()
    problems: list[str] = []
    while True:
        while to_visit:
            path = to_visit.pop(0)
            visited.add(path)
            found, links = visit(phone, path)
            problems += found
            for link in links:
                endpoint, target = match(app, link), urlsplit(link).path
                if endpoint not in by_endpoint or target in visited:
                    continue
                if endpoint not in seen:
                    seen.add(endpoint)
                    to_visit.append(target)
                elif target not in spare.setdefault(endpoint, []) and len(spare[endpoint]) < SPARE_LINKS:
                    spare[endpoint].append(target)
        unreached = sorted(e for e, rule in by_endpoint.items() if e not in seen and required(app, rule, role))
        to_visit = [paths.pop(0) for paths in spare.values() if paths]
        if not unreached or not to_visit:
            return problems, unreached


@pytest.mark.parametrize("role", ROLES, ids=str)
def test_every_page_of_a_role_fits_390_px_and_passes_axe(app, demo_world, phone, role):
    email = demo_world.emails[role]
    if email is not None:
        sign_in(phone, email, PASSWORD)
    problems, unreached = crawl(app, phone, role, demo_world.seeds.get(role, []))
    assert not problems, "\n".join(problems)
    # Every record page of the role was reached from its pages (or is listed, with the reason, above).
    assert not unreached, f"no page of the {role} role links to: {unreached}"


def test_the_agent_home_table_becomes_cards_that_are_still_a_table(app, phone):
    """On a phone each request is a card with its column names, and assistive technologies still read a
    table: its name, its column headers and its cells."""
    agent = UserFactory(roles=["agent"])
    RequestFactory(agent=agent)
    RequestFactory(agent=agent, status=RequestStatus.DRAFT)
    sign_in(phone, agent.email, FACTORY_PASSWORD)
    table = phone.get_by_role("table", name="Mes demandes d'immersion")
    expect(table.get_by_role("columnheader")).to_have_count(5)
    expect(table.get_by_role("cell")).to_have_count(10)
    first = table.locator("tbody tr").first
    assert first.evaluate("row => getComputedStyle(row).display") == "block"
    assert first.locator("td").first.evaluate("cell => getComputedStyle(cell, '::before').content") != "none"
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= WIDTH


def test_a_table_wider_than_the_screen_scrolls_in_its_box_reachable_by_keyboard(app, browser, live_server):
    """The API documentation's table is wider than a phone: it scrolls inside its box, which the keyboard
    reaches (tables.js); on a wide screen it does not scroll and is no extra stop for the Tab key."""
    user = UserFactory(roles=["agent"])
    for width, scrolls in ((WIDTH, True), (1280, False)):
        context = browser.new_context(base_url=live_server, locale="fr-FR", viewport={"width": width, "height": 844})
        page = context.new_page()
        sign_in(page, user.email, FACTORY_PASSWORD)
        page.goto("/api/v1/docs")
        table = page.locator("main table").first
        assert table.evaluate("t => t.scrollWidth > t.clientWidth") is scrolls
        assert (table.get_attribute("tabindex") == "0") is scrolls
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        context.close()
