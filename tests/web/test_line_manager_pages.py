"""The line manager's pages and API operation: the agent names them on the form, they answer signed in or by
the one-time link, HR reads the opinion (and waits for it where it is required); nobody else reaches it."""

import re
from datetime import date, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import ImmersionRequest, ManagerOpinion, Notification, OpinionSetting, RequestStatus, Role
from tests.factories import OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import bearer, csrf_token, login

START = date.today() + timedelta(days=100)


def _request_form(**fields):
    data = {
        "windows-0-start": START.isoformat(),
        "windows-0-end": (START + timedelta(days=27)).isoformat(),
        "min_days": "2",
        "max_days": "5",
        "motivation": "Voir comment travaille une autre équipe.",
        "career_project": "Devenir instructrice du droit des sols.",
        "action": "submit",
    }
    data.update(fields)
    return data


def _submit(client, agent, **fields):
    login(client, agent.email)
    token = csrf_token(client.get("/agent/demandes/nouvelle").get_data(as_text=True))
    response = client.post("/agent/demandes/nouvelle", data={**_request_form(**fields), "csrf_token": token})
    client.post("/deconnexion", data={"csrf_token": token})
    return response


def _only_request(agent) -> ImmersionRequest:
    return db.session.scalars(select(ImmersionRequest).where(ImmersionRequest.agent_id == agent.id)).one()


def test_the_form_asks_for_the_project_and_the_manager_and_names_each_missing_field(client):
    agent = UserFactory()
    UserFactory(organisation=agent.organisation, first_name="Nadia", last_name="Cheffe")
    UserFactory(organisation=OrganisationFactory(network=agent.organisation.network), last_name="Ailleurs")
    login(client, agent.email)
    html = client.get("/agent/demandes/nouvelle").get_data(as_text=True)
    assert 'name="career_project"' in html and 'name="shorter_notice_agreed"' in html
    assert "Nadia Cheffe" in html and "Ailleurs" not in html  # only the agent's own organisation
    token = csrf_token(html)
    soon = date.today() + timedelta(days=20)
    response = client.post(
        "/agent/demandes/nouvelle",
        data={
            **_request_form(career_project="", **{"windows-0-start": soon.isoformat()}),
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for field in ("career_project", "line_manager_id", "windows"):
        assert f'id="{field}-error"' in html, field
    assert "au moins 90 jours avant" in html
    assert db.session.scalars(select(ImmersionRequest)).all() == []


def test_a_manager_account_answers_signed_in_and_hr_reads_the_opinion(client):
    agent = UserFactory()
    manager = UserFactory(organisation=agent.organisation)
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    assert _submit(client, agent, line_manager_id=str(manager.id)).status_code == 302
    item = _only_request(agent)
    assert item.line_manager_id == manager.id

    login(client, manager.email)
    assert f"/avis/{item.id}" in client.get("/avis/").get_data(as_text=True)
    page = client.get(f"/avis/{item.id}")
    assert page.status_code == 200 and "Devenir instructrice du droit des sols." in page.get_data(as_text=True)
    token = csrf_token(page.get_data(as_text=True))
    refused = client.post(
        f"/avis/{item.id}", data={"opinion": "unfavourable", "version": item.version, "csrf_token": token}
    )
    assert refused.status_code == 400 and 'id="reason-error"' in refused.get_data(as_text=True)
    done = client.post(f"/avis/{item.id}", data={"opinion": "favourable", "version": item.version, "csrf_token": token})
    assert done.status_code == 302
    assert db.session.get(ImmersionRequest, item.id).opinion == ManagerOpinion.FAVOURABLE

    login(client, hr.email)
    html = client.get(f"/rh/demandes/{item.id}").get_data(as_text=True)
    assert "Avis favorable" in html and 'action="/rh/demandes/' in html


def test_the_emailed_link_works_once_and_an_altered_one_never(client):
    agent = UserFactory()
    _submit(
        client,
        agent,
        line_manager_email="cheffe@example.org",
        shorter_notice_agreed="on",
        **{"windows-0-start": (date.today() + timedelta(days=20)).isoformat()},
    )
    item = _only_request(agent)
    assert item.status == RequestStatus.SUBMITTED
    mail = db.session.scalars(select(Notification).where(Notification.to_email == "cheffe@example.org")).one()
    (path,) = re.findall(r"http://[^/\s]+(/avis/lien/\S+)", mail.body)

    page = client.get(path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "délai de prévenance plus court" in html
    assert client.get(path[:-3] + "xyz").status_code == 404
    response = client.post(
        path, data={"opinion": "favourable", "version": item.version, "csrf_token": csrf_token(html)}
    )
    assert response.status_code == 200 and "Avis enregistré" in response.get_data(as_text=True)
    assert db.session.get(ImmersionRequest, item.id).opinion == ManagerOpinion.FAVOURABLE
    again = client.get(path)
    assert again.status_code == 410 and "déjà servi" in again.get_data(as_text=True)
    assert (
        client.post(
            path, data={"opinion": "unfavourable", "reason": "Non.", "csrf_token": csrf_token(html)}
        ).status_code
        == 410
    )
    assert db.session.get(ImmersionRequest, item.id).opinion == ManagerOpinion.FAVOURABLE


def test_required_opinion_hr_sees_why_it_cannot_answer_yet_and_the_agent_sees_it_overdue(client):
    agent = UserFactory()
    network = agent.organisation.network
    network.line_manager_opinion = OpinionSetting.REQUIRED
    db.session.commit()
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    item = RequestFactory(agent=agent, line_manager=UserFactory(organisation=agent.organisation), submitted_at=None)
    item.submitted_at = item.created_at - timedelta(days=20)  # the 15 days to give the opinion are over
    db.session.commit()
    login(client, hr.email)
    page = client.get(f"/rh/demandes/{item.id}")
    html = page.get_data(as_text=True)
    assert "l'avis est requis" in html and "Le délai pour donner l'avis est dépassé." in html
    assert f'action="/rh/demandes/{item.id}/decision"' not in html
    response = client.post(
        f"/rh/demandes/{item.id}/decision",
        data={"decision": "approve", "version": item.version, "csrf_token": csrf_token(html)},
    )
    assert response.status_code == 400 and "requis" in response.get_data(as_text=True)
    assert db.session.get(ImmersionRequest, item.id).status == RequestStatus.SUBMITTED
    login(client, agent.email)
    assert "Le délai pour donner l'avis est dépassé." in client.get(f"/agent/demandes/{item.id}").get_data(as_text=True)


def test_another_organisations_hr_or_manager_cannot_see_or_answer(client):
    agent = UserFactory()
    item = RequestFactory(agent=agent, line_manager=UserFactory(organisation=agent.organisation))
    neighbour = OrganisationFactory(network=agent.organisation.network)
    for stranger in (
        UserFactory(organisation=neighbour, roles=[Role.RH, Role.AGENT]),
        UserFactory(organisation=agent.organisation),  # a colleague who is not the manager named
    ):
        login(client, stranger.email)
        token = csrf_token(client.get("/agent/").get_data(as_text=True)) if stranger.has_role(Role.AGENT) else ""
        assert client.get(f"/avis/{item.id}").status_code == 404
        assert client.post(f"/avis/{item.id}", data={"opinion": "favourable", "csrf_token": token}).status_code == 404
    assert db.session.get(ImmersionRequest, item.id).opinion is None


def test_the_api_offers_the_opinion_and_shows_its_state(app, client):
    agent = UserFactory()
    manager = UserFactory(organisation=agent.organisation)
    item = RequestFactory(agent=agent, line_manager=manager)
    read = client.get(f"/api/v1/requests/{item.id}", headers=bearer(app, manager))
    assert read.status_code == 200
    step = read.json["line_manager_opinion"]
    assert step["setting"] == "advisory" and step["asked"] and step["opinion"] is None and not step["blocks_decision"]
    stranger = UserFactory(organisation=OrganisationFactory(network=agent.organisation.network))
    body = {"opinion": "unfavourable", "reason": "", "version": item.version}
    assert (
        client.post(f"/api/v1/requests/{item.id}/opinion", json=body, headers=bearer(app, stranger)).status_code == 404
    )
    missing = client.post(f"/api/v1/requests/{item.id}/opinion", json=body, headers=bearer(app, manager))
    assert missing.status_code == 422 and "reason" in missing.json["errors"]
    given = client.post(
        f"/api/v1/requests/{item.id}/opinion",
        json={**body, "reason": "Service en sous-effectif en juin."},
        headers=bearer(app, manager),
    )
    assert given.status_code == 200, given.json
    assert given.json["line_manager_opinion"]["opinion"] == "unfavourable"
    assert given.json["line_manager_opinion"]["reason"] == "Service en sous-effectif en juin."
    again = client.post(
        f"/api/v1/requests/{item.id}/opinion",
        json={**body, "opinion": "favourable", "version": given.json["version"]},
        headers=bearer(app, manager),
    )
    assert again.status_code == 422


def test_hr_lists_the_overdue_opinion(client):
    agent = UserFactory()
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    late = RequestFactory(agent=agent, line_manager_email="cheffe@example.org")
    late.submitted_at = late.created_at - timedelta(days=16)
    on_time = RequestFactory(agent=UserFactory(organisation=agent.organisation), line_manager_email="x@example.org")
    db.session.commit()
    login(client, hr.email)
    html = client.get("/rh/demandes").get_data(as_text=True)
    assert html.count("Avis du ou de la responsable en retard") == 1
    assert on_time.agent.full_name in html
