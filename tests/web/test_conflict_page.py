"""A stale version no form shows reaches the conflict page (409), with the service's message."""

from types import SimpleNamespace

from sqlalchemy.orm.exc import StaleDataError

from mobilite.extensions import db
from mobilite.models import Proposal, ProposalStatus, Role
from mobilite.services import concurrency
from tests.factories import ProposalFactory
from tests.fixtures import csrf_token, login


def test_an_answer_saved_second_shows_the_conflict_page_and_changes_nothing(client, monkeypatch):
    proposal = ProposalFactory()
    login(client, proposal.request.agent.email)
    path = f"/agent/propositions/{proposal.id}"
    token = csrf_token(client.get(path).get_data(as_text=True))

    def commit():  # another worker saved the proposal first: the version column says so
        raise StaleDataError("UPDATE statement on table 'proposals' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(
        concurrency, "db", SimpleNamespace(session=SimpleNamespace(commit=commit, rollback=db.session.rollback))
    )
    response = client.post(f"{path}/reponse", data={"answer": "accept", "csrf_token": token})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Modification concurrente" in page and "rechargez la page" in page
    db.session.expire_all()
    stored = db.session.get(Proposal, proposal.id)
    assert stored.status == ProposalStatus.PUBLISHED and stored.agent_answer is None


def test_a_record_saved_first_found_outside_a_versioned_commit_is_a_conflict_not_an_error(app, client, monkeypatch):
    """A flush that matches no row wherever it happens (an autoflush before the service's own commit): the
    conflict page for a form, 409 JSON for the API; it was a 500."""
    from mobilite.services import offers as offer_service
    from mobilite.services import requests as request_service
    from tests.factories import OfferFactory
    from tests.fixtures import bearer

    def saved_first(*_args, **_kwargs):
        raise StaleDataError("UPDATE statement on table 'offers' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(request_service, "decide", saved_first)
    monkeypatch.setattr(offer_service, "update_offer", saved_first)
    hr, response = _hr_approves(client)
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 409 and "enregistré par quelqu'un d'autre" in html
    offer = OfferFactory(organisation=hr.organisation)
    headers = bearer(app, hr)
    etag = client.get(f"/api/v1/offers/{offer.id}", headers=headers).headers["ETag"]
    body = {"team": "Equipe", "title": "Titre", "description": "Une description assez longue.", "place": "on_site"}
    answer = client.put(f"/api/v1/offers/{offer.id}", json=body, headers={**headers, "If-Match": etag})
    assert answer.status_code == 409 and "enregistré par quelqu'un d'autre" in answer.json["message"]


def test_a_failed_write_still_gets_the_service_s_error_page(app, client, monkeypatch):
    """Regression: after a failed flush the 500 page itself failed (the layout read the signed-in user from the
    broken session), so people got Werkzeug's English page."""
    from mobilite.models import User
    from mobilite.services import requests as request_service

    def fails_to_write(*_args, **_kwargs):
        db.session.add(User(email=None, first_name="", last_name=""))  # NOT NULL: the flush fails
        db.session.flush()

    monkeypatch.setattr(request_service, "decide", fails_to_write)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # answer as production does
    hr, response = _hr_approves(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "Erreur du service" in html and hr.first_name in html
    assert "Internal Server Error" not in html


def _hr_approves(client):
    """An HR officer signs in and approves one of their agents' requests through the page: (hr, response)."""
    from tests.factories import RequestFactory, UserFactory

    hr = UserFactory(roles=[Role.RH])
    item = RequestFactory(agent=UserFactory(organisation=hr.organisation))
    login(client, hr.email)
    page = client.get(f"/rh/demandes/{item.id}").get_data(as_text=True)
    response = client.post(
        f"/rh/demandes/{item.id}/decision",
        data={"version": str(item.version), "decision": "approve", "csrf_token": csrf_token(page)},
    )
    return hr, response
