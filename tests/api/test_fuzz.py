"""schemathesis, in process, against the app's own OpenAPI document, as an agent, an HR officer and a
coordinator, with schemathesis' default checks (the auth check, ignored_auth, among them). Expected: no
server error and no response outside the document.

- Every operation gets 100 generated examples (positive and negative) from each role that may call it, on
  SQLite. The PostgreSQL half runs 30 per operation and role: the contract is the same code on
  both databases; what PostgreSQL adds is what the database alone refuses (a NUL character in text, which
  it found). A hundred there too would double the suite's time.
- A role the operation refuses outright (api_view's roles: 404 before the input is even read) gets 10:
  enough to see every kind of input refused alike, without paying the suite's time for a foregone answer.
  The IDOR matrix (test_api_idor.py) checks those refusals record by record.
- Generated record ids are mapped onto real records, ours and other organisations' alike, so that the
  examples reach the services rather than stopping at a 404.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import OperationConfig
from schemathesis.specs.openapi.checks import ignored_auth

from mobilite.extensions import db
from mobilite.models import OfferStatus, RequestStatus, Role
from mobilite.services import sites
from tests.factories import (
    ImmersionFactory,
    OfferFactory,
    OfferSessionFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import api_rules, bearer
from tests.web.test_idor_matrix import _world

pytestmark = pytest.mark.fuzz  # long: `-m 'not fuzz'` skips it locally; CI always runs it

EXAMPLES = 100
EXAMPLES_ON_POSTGRESQL = 30
# The operations in groups, so that pytest-xdist can spread the work over the cores.
GROUPS = {
    "reference": r"^/api/v1/(organisations(?!/[^/]+/sites)|themes|skills|catalogue|immersions)(/|$)",
    "offers": r"^/api/v1/offers(/|$)",
    "requests": r"^/api/v1/requests(/|$)",
    "rounds": r"^/api/v1/rounds(/|$)",
    "proposals": r"^/api/v1/proposals(/|$)",
    "accounts": r"^/api/v1/(accounts|me)(/|$)",
    "sites": r"^/api/v1/(sites|organisations/[^/]+/sites)(/|$)",
    "networks": r"^/api/v1/networks(/|$)",
    "network_settings": r"^/api/v1/network/settings$",
}
ROLES = ("agent", "rh", "coordinator")
EXAMPLES_WHEN_REFUSED = 10
# Valid input may still break a business rule the document cannot express (a date in the past, the
# quota, a stale version): that is a documented 412/422/428, not a rejected valid request.
ACCEPTED_FOR_VALID_DATA = ["2xx", "3xx", "401", "404", "409", "412", "422", "428", "429"]
# Generated ids up to this one are mapped onto real records; larger ones go through as they are.
MAPPED_IDS = 10**6

schema = schemathesis.pytest.from_fixture("api_schema")


def _own_records(people) -> dict[str, list[int]]:
    """A few records of the caller's organisation in every state the operations care about."""
    agent = people["agent"]
    home = agent.organisation
    start = date.today() + timedelta(days=21)
    offers = [
        OfferFactory(organisation=home, status=status)
        for status in (OfferStatus.DRAFT, OfferStatus.PUBLISHED, OfferStatus.SUBMITTED)
    ]
    sessions = [
        OfferSessionFactory(offer=offer, start_date=start, end_date=start + timedelta(days=1)) for offer in offers
    ]
    requests = [
        RequestFactory(agent=agent, status=status)
        for status in (RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.APPROVED)
    ]
    requests.append(
        RequestFactory(agent=UserFactory(organisation=home, roles=[Role.AGENT]), status=RequestStatus.SUBMITTED)
    )
    # A colleague's request naming the agent as line manager: the opinion operation reaches its service.
    requests.append(
        RequestFactory(
            agent=UserFactory(organisation=home, roles=[Role.AGENT]),
            status=RequestStatus.SUBMITTED,
            line_manager=agent,
        )
    )
    round_ = RoundFactory(network=home.network)
    proposals = [ProposalFactory(round=round_, session=sessions[1], request=requests[2])]
    immersion = ImmersionFactory(proposal__request__agent=agent)
    site = sites.new_site(home, {"name": "Centre technique", "commune": "Lyon (69007)"})
    db.session.add(site)
    db.session.flush()
    return {
        "organisation_id": [home.id],
        "network_id": [home.network_id],
        "site_id": [site.id],
        "offer_id": [o.id for o in offers],
        "session_id": [s.id for s in sessions],
        "request_id": [r.id for r in requests],
        "round_id": [round_.id],
        "proposal_id": [p.id for p in proposals] + [immersion.proposal_id],
        "immersion_id": [immersion.id],
    }


class FuzzContext:
    def __init__(self, user, headers: dict[str, str], pools: dict[str, list[int]]):
        self.user, self.headers, self.pools = user, headers, pools
        self.group = ""
        # Operations whose auth check already ran its probes (no token, a wrong token) on a success.
        self.auth_confirmed: set[str] = set()


@pytest.fixture(params=[(role, group) for role in ROLES for group in GROUPS], ids="-".join)
def fuzz_context(request, app, rate_limit) -> FuzzContext:
    rate_limit(10**9)  # thousands of calls from one token in a few seconds: not what the limit is about
    people, foreign, neighbours = _world()
    pools = _own_records(people)
    for records in (foreign, neighbours):
        for kind, ids in records.items():
            pools.setdefault(kind, []).extend(ids)
    role, group = request.param
    context = FuzzContext(people[role], bearer(app, people[role]), pools)
    context.group = group
    return context


def _refused_operations(app, user) -> list[str]:
    """The labels ("GET /api/v1/offers") of the operations whose api_view roles the user lacks."""
    labels = []
    for rule in api_rules(app):
        roles = app.view_functions[rule.endpoint].access[1:]
        if roles and not user.has_role(*roles):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            labels += [f"{method} {path}" for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return labels


@pytest.fixture
def api_schema(app, fuzz_context):
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=fuzz_context.headers)
    loaded.config.checks.positive_data_acceptance.expected_statuses = ACCEPTED_FOR_VALID_DATA
    # The token is the caller's, sent with every call; schemathesis does not generate Authorization headers.
    examples = EXAMPLES_ON_POSTGRESQL if app.config["DATABASE_URL"].startswith("postgresql") else EXAMPLES
    loaded.config.generation.update(
        max_examples=examples, with_security_parameters=False, deterministic=True, database="none"
    )
    refused = _refused_operations(app, fuzz_context.user)
    documented = {
        f"{method.upper()} {path}"
        for path, item in loaded.raw_schema["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert refused and set(refused) <= documented  # the labels name real operations
    loaded.config.operations.operations.extend(
        OperationConfig.from_dict({"include-name": label, "generation": {"max-examples": EXAMPLES_WHEN_REFUSED}})
        for label in refused
    )
    # The coverage phase would add hundreds of boundary cases per operation: the suite keeps to the
    # generated examples (positive and negative) of the fuzzing phase, plus the document's own examples.
    loaded.config.phases.update(phases=["examples", "fuzzing"])
    # This test's group only: the operations outside it are switched off.
    loaded.config.operations.operations.append(
        OperationConfig.from_dict({"exclude-path-regex": GROUPS[fuzz_context.group], "enabled": False})
    )
    return loaded


def test_the_groups_hold_every_operation_once(app, client):
    agent = UserFactory(roles=[Role.AGENT])
    paths = client.get("/api/v1/openapi.json", headers=bearer(app, agent)).get_json()["paths"]
    for path in paths:
        assert sum(bool(re.search(pattern, path)) for pattern in GROUPS.values()) == 1, path


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_holds_under_generated_input(case, fuzz_context):
    for name, value in list((case.path_parameters or {}).items()):
        pool = fuzz_context.pools.get(name)
        if pool and isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAPPED_IDS:
            case.path_parameters[name] = pool[value % len(pool)]
    # Like schemathesis' own runner: once the auth check has seen an operation refuse calls without the
    # token and with a wrong one, it need not probe that operation again for every example.
    label = case.operation.label
    excluded = [ignored_auth] if label in fuzz_context.auth_confirmed else []
    response = case.call_and_validate(headers=fuzz_context.headers, excluded_checks=excluded)
    if 200 <= response.status_code < 300:
        fuzz_context.auth_confirmed.add(label)
