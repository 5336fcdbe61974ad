"""The agent adds an immersion to their profile's career history once the certificate can be had, sees it on
the profile and in the personal-data export, and removes it; nobody else adds or removes it."""

import json
from datetime import date, timedelta

from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import CareerEntry, FeedbackSide, ImmersionStatus, Organisation, Role
from mobilite.services.feedback import give_feedback
from tests.factories import ImmersionFactory, UserFactory
from tests.fixtures import csrf_token, fresh, login

END = date.today() - timedelta(days=3)
DONE = {"outcome": "done", "satisfaction": 4, "would_recommend": True}


def _ended():
    return ImmersionFactory(
        proposal__session__start_date=END - timedelta(days=2),
        proposal__session__end_date=END,
        proposal__session__working_days=3,
        proposal__session__offer__title="Instruire les permis de construire",
        status=ImmersionStatus.DONE,
    )


def _both_feedbacks(app, immersion, host_days: int | None = None):
    host_hr = UserFactory(organisation=db.session.get(Organisation, immersion.host_organisation_id), roles=[Role.RH])
    host = (
        {**DONE, "outcome": "partly_done", "outcome_reason": "Un jour férié.", "days_done": host_days}
        if host_days
        else DONE
    )
    agent = immersion.proposal.request.agent
    for author, side, data in ((agent, FeedbackSide.AGENT, DONE), (host_hr, FeedbackSide.HOST, host)):
        with app.test_request_context():
            give_feedback(author, fresh(immersion), side, data)


def _post(client, page: str, action: str, **data):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(action, data={"csrf_token": token, **data})


def test_the_agent_adds_the_immersion_to_their_profile_and_export_then_removes_it(app, client):
    immersion = _ended()
    agent = immersion.proposal.request.agent
    page = f"/agent/immersions/{immersion.id}"
    login(client, agent.email)
    assert "Ajouter à mon parcours" not in client.get(page).get_data(as_text=True)  # no certificate yet
    refused = _post(client, "/agent/profil", f"{page}/parcours")
    assert refused.status_code == 302 and db.session.scalar(select(CareerEntry)) is None

    _both_feedbacks(app, immersion, host_days=2)
    assert "Ajouter à mon parcours" in client.get(page).get_data(as_text=True)
    added = _post(client, page, f"{page}/parcours")
    assert added.status_code == 302 and added.headers["Location"].endswith("/agent/profil#parcours")
    entry = db.session.scalar(select(CareerEntry))
    assert entry.user_id == agent.id and entry.days_done == 2 and entry.title == "Instruire les permis de construire"
    profile = client.get("/agent/profil").get_data(as_text=True)
    assert "Instruire les permis de construire" in profile and "2 jours réalisés" in profile
    assert "Cette immersion figure dans votre parcours" in client.get(page).get_data(as_text=True)
    twice = _post(client, page, f"{page}/parcours")
    assert twice.status_code == 302 and len(db.session.scalars(select(CareerEntry)).all()) == 1

    data = json.loads(client.get("/compte/mes-donnees.json").get_data(as_text=True))
    assert [(c["immersion_id"], c["days_done"]) for c in data["career"]] == [(immersion.id, 2)]
    rows = client.get("/compte/mes-donnees.csv").get_data(as_text=True)
    assert "career;1;title;Instruire les permis de construire" in rows

    removed = _post(client, "/agent/profil", f"{page}/parcours/retrait")
    assert removed.status_code == 302 and db.session.scalar(select(CareerEntry)) is None
    assert "Aucune immersion pour l'instant" in client.get("/agent/profil").get_data(as_text=True)


def test_nobody_else_adds_or_removes_it(app, client):
    immersion = _ended()
    agent = immersion.proposal.request.agent
    _both_feedbacks(app, immersion)
    colleague = UserFactory(organisation=agent.organisation)
    home_hr = UserFactory(organisation=agent.organisation, roles=[Role.RH, Role.AGENT])
    for user in (colleague, home_hr):
        login(client, user.email)
        for action in ("parcours", "parcours/retrait"):
            answer = _post(client, "/agent/profil", f"/agent/immersions/{immersion.id}/{action}")
            assert answer.status_code == 404
    assert db.session.scalar(select(CareerEntry)) is None
