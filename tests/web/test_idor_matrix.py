"""The access matrix: every role × every route that takes a record id × records that are not theirs.

Routes are discovered from the URL map, so a new route is covered as soon as it exists. Each record of
another network, and each record of another organisation of the same network that the role has no part
in, must answer 404 (never 403, never 200): 0 leaks.
"""

import re

import pytest

from mobilite.extensions import db
from mobilite.models import DraftStatus, OfferStatus, RequestStatus, Role, RoundDraft, RoundStatus
from mobilite.models.inbox import InboxItem
from tests.factories import (
    CoordinatorFactory,
    ImmersionFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import csrf_token, login

KINDS = (
    "offer_id",
    "request_id",
    "user_id",
    "organisation_id",
    "proposal_id",
    "immersion_id",
    "round_id",
    "session_id",
    "item_id",  # an inbox notification: only its recipient opens or marks it
    "network_id",  # a network: the admin's, and its own coordination's organisations
    "site_id",  # a site of an organisation: its HR, its network's coordinators
    "draft_id",  # other settings tried on a round: its network's coordinators only
)


def _inbox_item(user) -> int:
    item = InboxItem(user=user, kind="proposal.published", subject="Une proposition", link="/agent/")
    db.session.add(item)
    db.session.flush()
    return item.id


def _draft(coordinator) -> int:
    round_ = RoundFactory(network=coordinator.coordinated_network, status=RoundStatus.PROPOSED)
    draft = RoundDraft(round=round_, requested_by=coordinator, settings={}, status=DraftStatus.DONE)
    db.session.add(draft)
    db.session.flush()
    return draft.id


def _site(organisation) -> int:
    from mobilite.services.sites import new_site

    site = new_site(organisation, {"name": "Centre technique", "commune": "Lyon (69007)"})
    db.session.add(site)
    db.session.flush()
    return site.id


def _world():
    """Our network (two organisations), and a foreign network with one record of every kind."""
    coordinator = CoordinatorFactory()
    ours = coordinator.coordinated_network
    home = OrganisationFactory(network=ours)
    neighbour = OrganisationFactory(network=ours)
    people = {
        "agent": UserFactory(organisation=home, roles=[Role.AGENT]),
        "rh": UserFactory(organisation=home, roles=[Role.RH, Role.AGENT]),
        "coordinator": coordinator,
    }
    # Another organisation of our network: its drafts, its agents' requests, its own placements.
    neighbour_offer = OfferFactory(organisation=neighbour, status=OfferStatus.DRAFT)
    neighbour_session = OfferSessionFactory(offer=neighbour_offer)
    neighbour_request = RequestFactory(agent=UserFactory(organisation=neighbour), status=RequestStatus.SUBMITTED)
    neighbour_immersion = ImmersionFactory(proposal__session__offer__organisation=OrganisationFactory(network=ours))
    # A foreign network: nothing in it is ours to see.
    foreign_coordinator = CoordinatorFactory()
    foreign_org = OrganisationFactory(network=foreign_coordinator.coordinated_network)
    foreign_offer = OfferFactory(organisation=foreign_org, status=OfferStatus.PUBLISHED)
    foreign_session = OfferSessionFactory(offer=foreign_offer)
    foreign_immersion = ImmersionFactory(proposal__session=foreign_session)
    foreign = {
        "offer_id": [foreign_offer.id, OfferFactory(organisation=foreign_org, status=OfferStatus.SUBMITTED).id],
        "session_id": [foreign_session.id],
        "request_id": [RequestFactory(agent=UserFactory(organisation=foreign_org)).id],
        "user_id": [UserFactory(organisation=foreign_org).id, foreign_coordinator.id],
        "organisation_id": [foreign_org.id],
        "proposal_id": [ProposalFactory(session=foreign_session).id],
        "immersion_id": [foreign_immersion.id],
        "round_id": [RoundFactory(network=foreign_coordinator.coordinated_network).id],
        "item_id": [_inbox_item(foreign_coordinator)],
        "site_id": [_site(foreign_org)],
        "draft_id": [_draft(foreign_coordinator)],
        "network_id": [foreign_coordinator.network_id],
    }
    # What agents and HR of `home` have no part in, inside their own network.
    neighbours = {
        "offer_id": [neighbour_offer.id],
        "session_id": [neighbour_session.id],
        # Another organisation's requests that name our agent or HR officer as line manager (the account
        # moved, or the data says so): the opinion is not theirs to give, nor the request to read.
        "request_id": [neighbour_request.id]
        + [
            RequestFactory(agent=UserFactory(organisation=neighbour), line_manager=people[role]).id
            for role in ("agent", "rh")
        ],
        "user_id": [neighbour_request.agent_id],
        "proposal_id": [neighbour_immersion.proposal_id],
        "immersion_id": [neighbour_immersion.id],
        "item_id": [_inbox_item(neighbour_request.agent)],
        "site_id": [_site(neighbour)],
    }
    return people, foreign, neighbours


def _routes(app):
    for rule in app.url_map.iter_rules():
        kinds = [a for a in rule.arguments if a in KINDS]
        if kinds:
            yield rule, kinds


def _url(rule, kind, record_id, pair_session=None):
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        if arg == kind:
            values[arg] = record_id
        elif arg == "session_id":
            values[arg] = pair_session
        elif hasattr(converter, "items"):
            values[arg] = sorted(converter.items)[0]
        else:
            values[arg] = record_id
    return rule.build(values)[1]


def _check(client, rule, url, token, leaks, label):
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        if response.status_code != 404:
            leaks.append(f"{label} {method} {url} → {response.status_code}")


@pytest.mark.parametrize("role", ["agent", "rh", "coordinator"])
def test_no_role_reaches_records_that_are_not_theirs(app, client, role):
    people, foreign, neighbours = _world()
    user = people[role]
    login(client, user.email)
    token = csrf_token(client.get(client.get("/").headers["Location"]).get_data(as_text=True))
    leaks, checked = [], 0
    targets = [("foreign", foreign)] + ([] if role == "coordinator" else [("neighbour", neighbours)])
    for rule, kinds in _routes(app):
        for kind in kinds:
            for label, records in targets:
                for record_id in records.get(kind, []):
                    session = records["session_id"][0] if "session_id" in rule.arguments else None
                    _check(client, rule, _url(rule, kind, record_id, session), token, leaks, f"{role} → {label} {kind}")
                    checked += 1
    assert leaks == []
    assert checked >= 40


def test_the_matrix_covers_every_route_with_a_record_id(app):
    covered = {rule.endpoint for rule, _ in _routes(app)}
    with_ids = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if any(re.fullmatch(r"\w+_id", arg) for arg in rule.arguments)
    }
    assert with_ids == covered
