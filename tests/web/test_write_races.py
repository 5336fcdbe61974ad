"""Two people writing the same record at the same moment, through the real web pages and API, on committed
data and separate connections (one test client per thread), so that the database arbitrates: on SQLite its
single writer, on PostgreSQL row locks. The one who loses gets the service's answer, never an error page.

Regression: on SQLite the loser got a 500 ("database is locked": its read transaction could not become a
write once the other had written), and the error page itself failed on the broken session.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import delete, select, tuple_

from mobilite.db import Base
from mobilite.extensions import db
from mobilite.models import Answer, Immersion, ImmersionRequest, Proposal, ProposalStatus, RequestStatus, Role
from tests.factories import OfferFactory, ProposalFactory, RequestFactory, UserFactory
from tests.fixtures import bearer, csrf_token, login

ROUNDS = 4  # races per test: one is enough to lose on the old code, a few make it certain


@pytest.fixture
def committed(_app):
    """Factories commit for real here; afterwards every row that was not there before is deleted."""
    with _app.app_context():
        before = {
            table.name: set(db.session.execute(select(*table.primary_key.columns)).all())
            for table in Base.metadata.sorted_tables
        }
        db.session.remove()
    yield _app
    with _app.app_context():
        for table in reversed(Base.metadata.sorted_tables):
            keys = list(table.primary_key.columns)
            added = set(db.session.execute(select(*keys)).all()) - before[table.name]
            if added:
                db.session.execute(delete(table).where(tuple_(*keys).in_([tuple(row) for row in added])))
        db.session.commit()
        db.session.remove()


def _together(app, calls):
    """Run each call(client) in its own thread with its own test client, released at once: the responses."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(n, call, client):
        barrier.wait()
        results[n] = call(client)

    clients = [prepare(app.test_client()) for prepare, _call in calls]
    threads = [threading.Thread(target=run, args=(n, call, clients[n])) for n, (_prepare, call) in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _form_post(email: str, form_path: str, path: str, data: dict):
    """(prepare, call): sign in and read the form's token first, then post it when released."""
    token: dict = {}

    def prepare(client):
        login(client, email)
        token["value"] = csrf_token(client.get(form_path).get_data(as_text=True))
        return client

    def call(client):
        response = client.post(path, data={**data, "csrf_token": token["value"]})
        return response.status_code, response.get_data(as_text=True)

    return prepare, call


def test_approve_and_refuse_of_one_request_at_once_one_wins_the_other_is_told(committed):
    app = committed
    with app.app_context():
        hr = UserFactory(roles=[Role.RH])
        other_hr = UserFactory(organisation=hr.organisation, roles=[Role.RH])
        items = [RequestFactory(agent=UserFactory(organisation=hr.organisation)) for _ in range(ROUNDS)]
        people = (hr.email, other_hr.email)
        cases = [(item.id, item.version) for item in items]
        db.session.remove()
    for request_id, version in cases:
        page, path = f"/rh/demandes/{request_id}", f"/rh/demandes/{request_id}/decision"
        results = _together(
            app,
            [
                _form_post(people[0], page, path, {"version": str(version), "decision": "approve"}),
                _form_post(people[1], page, path, {"version": str(version), "decision": "refuse", "reason": "Non."}),
            ],
        )
        statuses = Counter(status for status, _html in results)
        assert statuses == Counter({302: 1, 409: 1}), [(s, h[-400:]) for s, h in results]
        assert all("relisez-la" in html for status, html in results if status == 409)
        with app.app_context():
            decided = db.session.get(ImmersionRequest, request_id)
            winner = "approve" if results[0][0] == 302 else "refuse"
            assert decided.status == (RequestStatus.APPROVED if winner == "approve" else RequestStatus.REFUSED)
            db.session.remove()


def test_the_agent_and_the_host_accepting_at_once_both_count_and_confirm_the_immersion(committed):
    app = committed
    with app.app_context():
        cases = []
        for _ in range(ROUNDS):
            proposal = ProposalFactory()
            host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
            cases.append((proposal.id, proposal.request.agent.email, host_hr.email))
        db.session.remove()
    for proposal_id, agent, host in cases:
        agent_page, host_page = f"/agent/propositions/{proposal_id}", f"/rh/propositions/{proposal_id}"
        results = _together(
            app,
            [
                _form_post(agent, agent_page, f"{agent_page}/reponse", {"answer": "accept"}),
                _form_post(host, host_page, f"{host_page}/reponse", {"answer": "accept"}),
            ],
        )
        assert [status for status, _html in results] == [302, 302], [(s, h[-400:]) for s, h in results]
        with app.app_context():
            answered = db.session.get(Proposal, proposal_id)
            assert (answered.agent_answer, answered.host_answer) == (Answer.ACCEPTED, Answer.ACCEPTED)
            assert answered.status == ProposalStatus.CONFIRMED
            assert db.session.scalar(select(Immersion.id).where(Immersion.proposal_id == proposal_id)) is not None
            db.session.remove()


def test_the_same_offer_update_sent_at_once_succeeds_once_and_the_rest_are_stale(committed):
    app = committed
    with app.app_context():
        hr = UserFactory(roles=[Role.RH])
        offer_id = OfferFactory(organisation=hr.organisation).id
        headers = bearer(app, hr)
        db.session.remove()
    etag = app.test_client().get(f"/api/v1/offers/{offer_id}", headers=headers).headers["ETag"]
    body = {"team": "Equipe", "description": "Une description assez longue pour passer.", "place": "on_site"}

    def put(n):
        def call(client):
            response = client.put(
                f"/api/v1/offers/{offer_id}",
                json={**body, "title": f"Titre concurrent {n}"},
                headers={**headers, "If-Match": etag},
            )
            return response.status_code, response.get_json()

        return (lambda client: client), call

    results = _together(app, [put(n) for n in range(6)])
    assert Counter(status for status, _json in results) == Counter({200: 1, 412: 5}), results
    assert all(json["code"] == 412 for status, json in results if status == 412)
