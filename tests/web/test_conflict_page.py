"""A stale version no form shows reaches the conflict page (409), with the service's message."""

from types import SimpleNamespace

from sqlalchemy.orm.exc import StaleDataError

from mobilite.extensions import db
from mobilite.models import Proposal, ProposalStatus
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
