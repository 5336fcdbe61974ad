"""The pages after confirmation: calling an immersion off (agent, HR of both sides, coordination; 404 for
anybody else), the agent's travel and certificate, HR's monthly mission-expense CSV; and the API's
cancellation."""

from datetime import date, timedelta

from mobilite.extensions import db
from mobilite.models import FeedbackSide, ImmersionStatus, Organisation, Role
from mobilite.services.feedback import give_feedback
from tests.factories import CoordinatorFactory, ImmersionFactory, OrganisationFactory, UserFactory
from tests.fixtures import bearer, csrf_token, fresh, login

TODAY = date.today()


def _coming():
    start = TODAY + timedelta(days=10)
    return ImmersionFactory(
        proposal__session__start_date=start,
        proposal__session__end_date=start + timedelta(days=2),
        proposal__session__working_days=3,
    )


def _hr_of(organisation_id: int, *roles: Role):
    return UserFactory(organisation=db.session.get(Organisation, organisation_id), roles=[Role.RH, *roles])


def _call_off(client, path: str, data: dict):
    page = client.get(path)
    return client.post(path, data={**data, "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_the_agent_calls_off_from_the_page_with_a_reason_and_a_confirmation(client):
    immersion = _coming()
    login(client, immersion.proposal.request.agent.email)
    shown = client.get(f"/agent/immersions/{immersion.id}").get_data(as_text=True)
    path = f"/agent/immersions/{immersion.id}/annulation"
    assert path in shown
    refused = _call_off(client, path, {"reason": "Un empêchement."})
    assert refused.status_code == 400 and 'id="confirm-error"' in refused.get_data(as_text=True)
    refused = _call_off(client, path, {"reason": "", "confirm": "yes"})
    assert refused.status_code == 400 and 'id="reason-error"' in refused.get_data(as_text=True)
    assert fresh(immersion).status == ImmersionStatus.CONFIRMED
    done = _call_off(client, path, {"reason": "Un empêchement.", "confirm": "yes"})
    assert done.status_code == 302
    assert fresh(immersion).status == ImmersionStatus.CANCELLED
    page = client.get(f"/agent/immersions/{immersion.id}").get_data(as_text=True)
    assert "Un empêchement." in page and path not in page


def test_host_hr_and_coordination_call_off_from_their_spaces(client):
    for who in ("host", "coordination"):
        immersion = _coming()
        if who == "host":
            user, path = _hr_of(immersion.host_organisation_id), f"/rh/immersions/{immersion.id}/annulation"
        else:
            user = CoordinatorFactory(network_id=immersion.proposal.round.network_id)
            path = f"/coordination/immersions/{immersion.id}/annulation"
        login(client, user.email)
        assert _call_off(client, path, {"reason": "Accueil impossible.", "confirm": "yes"}).status_code == 302, who
        assert fresh(immersion).status == ImmersionStatus.CANCELLED, who


def test_anybody_else_gets_404(client):
    immersion = _coming()
    network = immersion.proposal.round.network
    outsiders = [
        (UserFactory(organisation=OrganisationFactory(network=network), roles=[Role.RH]), "rh"),
        (UserFactory(organisation=OrganisationFactory(network=network), roles=[Role.AGENT]), "agent"),
        (CoordinatorFactory(), "coordination"),
    ]
    for user, space in outsiders:
        login(client, user.email)
        path = f"/{space}/immersions/{immersion.id}/annulation"
        assert client.get(path).status_code == 404, space
        home = client.get("/connexion", follow_redirects=True).get_data(as_text=True)
        response = client.post(path, data={"reason": "x", "confirm": "yes", "csrf_token": csrf_token(home)})
        assert response.status_code == 404, space
    assert fresh(immersion).status == ImmersionStatus.CONFIRMED


def test_once_begun_the_page_says_it_can_no_longer_be_called_off(client):
    immersion = ImmersionFactory(
        proposal__session__start_date=TODAY, proposal__session__end_date=TODAY + timedelta(days=2)
    )
    login(client, immersion.proposal.request.agent.email)
    path = f"/agent/immersions/{immersion.id}/annulation"
    page = client.get(path).get_data(as_text=True)
    assert "ne peut plus être annulée" in page
    response = client.post(path, data={"reason": "Trop tard.", "confirm": "yes", "csrf_token": csrf_token(page)})
    assert response.status_code == 400 and "ne peut plus être annulée" in response.get_data(as_text=True)
    assert fresh(immersion).status == ImmersionStatus.CONFIRMED


def test_the_certificate_only_after_both_feedbacks(client):
    start = TODAY - timedelta(days=10)
    immersion = ImmersionFactory(
        proposal__session__start_date=start, proposal__session__end_date=start + timedelta(days=2)
    )
    agent = immersion.proposal.request.agent
    host_hr = _hr_of(immersion.host_organisation_id)
    done = {"outcome": "done", "satisfaction": 5, "would_recommend": True}
    give_feedback(agent, immersion, FeedbackSide.AGENT, done)
    login(client, agent.email)
    path = f"/agent/immersions/{immersion.id}/attestation.pdf"
    assert client.get(path).status_code == 302  # back to the page, which says why
    assert "deux bilans" in client.get(f"/agent/immersions/{immersion.id}").get_data(as_text=True)
    give_feedback(host_hr, fresh(immersion), FeedbackSide.HOST, {**done, "appraisal": "Très impliquée."})
    assert path in client.get(f"/agent/immersions/{immersion.id}").get_data(as_text=True)
    pdf = client.get(path)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and b"Tr\xe8s impliqu\xe9e." in pdf.data
    # The host HR has no certificate route: it is the agent's.
    login(client, host_hr.email)
    assert client.get(f"/agent/immersions/{immersion.id}/attestation.pdf").status_code in (403, 404)


def test_the_agent_records_travel_and_home_hr_exports_the_month(client):
    immersion = _coming()
    agent = immersion.proposal.request.agent
    login(client, agent.email)
    path = f"/agent/immersions/{immersion.id}/deplacements"
    page = client.get(path).get_data(as_text=True)
    bad = client.post(
        path, data={"mode": "public_transport", "distance_km": "30", "trips": "3", "csrf_token": csrf_token(page)}
    )
    assert bad.status_code == 400 and 'id="fare-error"' in bad.get_data(as_text=True)
    good = client.post(
        path,
        data={
            "mode": "public_transport",
            "distance_km": "30",
            "trips": "3",
            "fare": "12,50",
            "csrf_token": csrf_token(page),
        },
    )
    assert good.status_code == 302
    assert "37,50" in client.get(f"/agent/immersions/{immersion.id}").get_data(as_text=True)

    login(client, _hr_of(immersion.home_organisation_id).email)
    assert "/rh/immersions/frais-de-mission" in client.get("/rh/propositions").get_data(as_text=True)
    assert 'type="month"' in client.get("/rh/immersions/frais-de-mission").get_data(as_text=True)
    month = immersion.start_date.strftime("%Y-%m")
    export = client.get(f"/rh/immersions/frais-de-mission?mois={month}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    text = export.data.decode("utf-8-sig")
    assert f"IMM-{immersion.id:06d}" in text and "public_transport;30;3;;12,50;37,50" in text
    assert client.get("/rh/immersions/frais-de-mission?mois=novembre").status_code == 422
    # The host's HR: the file holds only the agents their organisation sends.
    login(client, _hr_of(immersion.host_organisation_id).email)
    other = client.get(f"/rh/immersions/frais-de-mission?mois={month}").data.decode("utf-8-sig")
    assert f"IMM-{immersion.id:06d}" not in other


def test_the_api_calls_off_for_the_parties_and_answers_404_to_others(app, client):
    immersion = _coming()
    path = f"/api/v1/immersions/{immersion.id}/cancellation"
    outsider = UserFactory(organisation=OrganisationFactory(network=immersion.proposal.round.network), roles=[Role.RH])
    assert client.post(path, json={"reason": "x"}, headers=bearer(app, outsider)).status_code == 404
    home_hr = _hr_of(immersion.home_organisation_id)
    missing = client.post(path, json={}, headers=bearer(app, home_hr))
    assert missing.status_code == 422 and "reason" in missing.json["errors"]
    done = client.post(path, json={"reason": "Mission prioritaire."}, headers=bearer(app, home_hr))
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "cancelled" and done.get_json()["cancel_reason"] == "Mission prioritaire."
    again = client.post(path, json={"reason": "Encore."}, headers=bearer(app, home_hr))
    assert again.status_code == 422
