"""The IDOR matrix, extended to the API: every API operation that takes a record id, called with the
tokens of an agent, an HR officer and a coordinator on records that are not theirs, answers 404: 0 leaks.

Routes are discovered from the URL map; the world is the web matrix's own (tests/web/test_idor_matrix.py).
Each call carries a valid-looking body and If-Match: *, so nothing but authorization can say no.
"""

import re
from datetime import date, timedelta

import pytest

from tests.api.conftest import api_rules, bearer
from tests.web.test_idor_matrix import KINDS, _url, _world

_START = date.today() + timedelta(days=14)
BODIES = {
    "sessions": {"start_date": _START.isoformat(), "end_date": _START.isoformat(), "capacity": 1},
    "decision": {"decision": "approve", "version": 1},
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
