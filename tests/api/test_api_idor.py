"""The IDOR matrix, extended to the API: every API operation that takes a record id, called with the
tokens of an agent, an HR officer and a coordinator on records that are not theirs, answers 404: 0 leaks.

Routes are discovered from the URL map; the world is the web matrix's own (tests/web/test_idor_matrix.py).
Each call carries a valid-looking body and If-Match: *, so nothing but authorization can say no.
"""

import re
from datetime import date, timedelta

import pytest

from tests.fixtures import api_rules, bearer
from tests.web.test_idor_matrix import KINDS, _url, _world

_START = date.today() + timedelta(days=14)
BODIES = {
    "sessions": {"start_date": _START.isoformat(), "end_date": _START.isoformat(), "capacity": 1},
    "decision": {"decision": "approve", "version": 1},
    "opinion": {"opinion": "favourable", "reason": "", "version": 1},
    "offer": {"team": "Équipe", "title": "Une offre", "description": "Une description assez longue pour passer."},
}


def _body(rule):
    last = rule.rule.rstrip("/").rsplit("/", 1)[-1]
    return BODIES.get(last, BODIES["offer"])


def _id_rules(app):
    for rule in api_rules(app):
        kinds = [a for a in rule.arguments if a in KINDS]
        if kinds:
            yield rule, kinds


@pytest.mark.parametrize("role", ["agent", "rh", "coordinator"])
def test_no_api_token_reaches_records_that_are_not_theirs(app, client, role):
    people, foreign, neighbours = _world()
    headers = {**bearer(app, people[role]), "If-Match": "*"}
    targets = [("foreign", foreign)] + ([] if role == "coordinator" else [("neighbour", neighbours)])
    leaks, checked = [], 0
    for rule, kinds in _id_rules(app):
        for kind in kinds:
            for label, records in targets:
                for record_id in records.get(kind, []):
                    session = records["session_id"][0] if "session_id" in rule.arguments else None
                    url = _url(rule, kind, record_id, session)
                    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                        response = client.open(url, method=method, headers=headers, json=_body(rule))
                        if response.status_code != 404:
                            leaks.append(f"{role} → {label} {kind} {method} {url} → {response.status_code}")
                        checked += 1
    assert leaks == []
    assert checked >= 10


def test_the_api_matrix_covers_every_api_route_with_a_record_id(app):
    covered = {rule.endpoint for rule, _ in _id_rules(app)}
    with_ids = {rule.endpoint for rule in api_rules(app) if any(re.fullmatch(r"\w+_id", a) for a in rule.arguments)}
    assert with_ids == covered
    assert len(covered) >= 6


# What each list answers with: the kind of record its items are (themes and skills are shared by all).
LIST_KINDS = {
    "organisations": "organisation_id",
    "offers": "offer_id",
    "awaiting-validation": "offer_id",
    "catalogue": "offer_id",
    "requests": "request_id",
    "proposals": "proposal_id",
    "immersions": "immersion_id",
    "rounds": "round_id",
    "networks": "network_id",  # the admin's alone (404 for the roles here)
}
SCOPES = [None, "mine", "organisation", "network"]
# The lists each role reads (the others answer 404): all of them must answer, or the matrix proves nothing.
READ_BY = {
    "agent": {"organisations", "catalogue", "immersions", "requests", "proposals"},
    "rh": {"organisations", "catalogue", "immersions", "requests", "proposals", "offers"},
    "coordinator": {"organisations", "catalogue", "immersions", "requests", "rounds", "awaiting-validation"},
}


def _list_rules(app):
    for rule in api_rules(app):
        last = rule.rule.rstrip("/").rsplit("/", 1)[-1]
        if not rule.arguments and "GET" in rule.methods and last in LIST_KINDS:
            yield rule, LIST_KINDS[last]


@pytest.mark.parametrize("role", ["agent", "rh", "coordinator"])
def test_no_api_list_shows_records_that_are_not_theirs(app, client, role):
    people, foreign, neighbours = _world()
    headers = bearer(app, people[role])
    targets = [("foreign", foreign)] + ([] if role == "coordinator" else [("neighbour", neighbours)])
    leaks, answered = [], set()
    for rule, kind in _list_rules(app):
        for scope in SCOPES:
            query = {"page_size": 100, **({"scope": scope} if scope else {})}
            response = client.get(rule.rule, query_string=query, headers=headers)
            if response.status_code != 200:
                continue  # a scope this list does not have, or a list the role may not read (404)
            answered.add(rule.rule)
            shown = {item["id"] for item in response.get_json()}
            for label, records in targets:
                for record_id in set(records.get(kind, [])) & shown:
                    leaks.append(f"{role} → {label} {kind} {record_id} in {rule.rule} (scope={scope})")
    assert leaks == []
    assert {path.rsplit("/", 1)[-1] for path in answered} == READ_BY[role]


def test_the_list_matrix_covers_every_api_list(app):
    lists = {
        rule.rule
        for rule in api_rules(app)
        if not rule.arguments
        and "GET" in rule.methods
        # /me/data is the caller's own data, not a list (tests/api/test_api_accounts.py checks it holds no one else's);
        # /network/settings is the caller's own network's (tests/web/test_network_settings.py checks the others')
        and rule.rule.rsplit("/", 1)[-1] not in {"themes", "skills", "openapi.json", "data", "settings"}
    }
    assert lists == {rule.rule for rule, _ in _list_rules(app)}
