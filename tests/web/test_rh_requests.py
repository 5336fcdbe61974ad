"""The home employer answers its own agents' requests: approve, refuse or postpone, with deadlines."""

from datetime import timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, Notification, RequestStatus, Role, utcnow
from tests.factories import RequestFactory, UserFactory
from tests.fixtures import csrf_token, login


def _hr_and_request(**kwargs):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation, last_name="Durand")
    return hr, RequestFactory(agent=agent, submitted_at=kwargs.pop("submitted_at", utcnow()), **kwargs)


def _decide(client, item, **fields):
    page = client.get(f"/rh/demandes/{item.id}").get_data(as_text=True)
    data = {"version": str(item.version), "csrf_token": csrf_token(page)}
    data.update(fields)
    return client.post(f"/rh/demandes/{item.id}/decision", data=data)


def test_hr_approves_and_the_agent_is_notified(client):
    hr, item = _hr_and_request()
    login(client, hr.email)
    html = client.get("/rh/").get_data(as_text=True)
    assert f'href="/rh/demandes/{item.id}"' in html
    response = _decide(client, item, decision="approve")
    assert response.status_code == 302
    assert db.session.get(ImmersionRequest, item.id).status == RequestStatus.APPROVED
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == item.agent_id))
    assert note.kind == "request.approved"
    assert "Aucune demande n'attend votre réponse." in client.get("/rh/demandes").get_data(as_text=True)


def test_refusal_without_a_reason_is_explained_next_to_the_field(client):
    hr, item = _hr_and_request()
    login(client, hr.email)
    response = _decide(client, item, decision="refuse", reason="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="reason-error"' in html and "motif est obligatoire" in html
    assert db.session.get(ImmersionRequest, item.id).status == RequestStatus.SUBMITTED
    response = _decide(client, item, decision="refuse", reason="Service en sous-effectif cet été.")
    assert response.status_code == 302
    refused = db.session.get(ImmersionRequest, item.id)
    assert refused.status == RequestStatus.REFUSED and refused.decision_reason == "Service en sous-effectif cet été."


def test_postponed_requests_stay_waiting_and_can_be_answered_later(client):
    hr, item = _hr_and_request()
    login(client, hr.email)
    assert _decide(client, item, decision="postpone", reason="Revoyons en septembre.").status_code == 302
    item = db.session.get(ImmersionRequest, item.id)
    assert item.status == RequestStatus.POSTPONED
    assert "Durand" in client.get("/rh/demandes").get_data(as_text=True)
    assert _decide(client, item, decision="approve").status_code == 302


def test_a_stale_decision_answers_409(client):
    hr, item = _hr_and_request()
    login(client, hr.email)
    page = client.get(f"/rh/demandes/{item.id}").get_data(as_text=True)
    stale_version = str(item.version)
    fresh = db.session.get(ImmersionRequest, item.id)
    fresh.motivation = "L'agent a précisé sa demande."
    db.session.commit()
    response = client.post(
        f"/rh/demandes/{item.id}/decision",
        data={"version": stale_version, "decision": "approve", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 409
    assert "relisez-la" in response.get_data(as_text=True)
    assert db.session.get(ImmersionRequest, item.id).status == RequestStatus.SUBMITTED


def test_overdue_requests_are_flagged(client):
    hr, item = _hr_and_request(submitted_at=utcnow() - timedelta(days=45))
    login(client, hr.email)
    assert "délai dépassé" in client.get("/rh/demandes").get_data(as_text=True)
    assert "délai dépassé" in client.get("/rh/").get_data(as_text=True)
    assert "Le délai de réponse est dépassé." in client.get(f"/rh/demandes/{item.id}").get_data(as_text=True)


def test_another_organisations_request_and_drafts_answer_404(client):
    hr, _item = _hr_and_request()
    stranger = RequestFactory()
    draft = RequestFactory(agent=UserFactory(organisation=hr.organisation), status=RequestStatus.DRAFT)
    login(client, hr.email)
    token = csrf_token(client.get("/rh/").get_data(as_text=True))
    for other in (stranger, draft):
        assert client.get(f"/rh/demandes/{other.id}").status_code == 404
        response = client.post(
            f"/rh/demandes/{other.id}/decision",
            data={"version": str(other.version), "decision": "approve", "csrf_token": token},
        )
        assert response.status_code == 404
    assert db.session.get(ImmersionRequest, stranger.id).status == RequestStatus.SUBMITTED
    assert "Lointain" not in client.get("/rh/demandes?vue=toutes").get_data(as_text=True)


def test_an_hr_officer_cannot_answer_their_own_request(client):
    hr = UserFactory(roles=[Role.RH, Role.AGENT])
    own = RequestFactory(agent=hr)
    login(client, hr.email)
    html = client.get(f"/rh/demandes/{own.id}").get_data(as_text=True)
    assert "C'est votre propre demande" in html.replace("&#39;", "'") and "Envoyer la réponse" not in html
    response = _decide(client, own, decision="approve")
    assert response.status_code == 400
    assert db.session.get(ImmersionRequest, own.id).status == RequestStatus.SUBMITTED


def test_agents_cannot_reach_hr_request_pages(client):
    _hr, item = _hr_and_request()
    login(client, item.agent.email)
    assert client.get(f"/rh/demandes/{item.id}").status_code == 404
    assert client.get("/rh/demandes").status_code == 404
