"""A draft withdrawn before it was ever submitted stays the agent's own business: HR never sees it."""

from mobilite.models import RequestStatus, Role
from tests.factories import RequestFactory, UserFactory
from tests.fixtures import login


def test_hr_never_sees_a_draft_the_agent_withdrew_without_submitting(client):
    hr = UserFactory(roles=[Role.RH])
    agent = UserFactory(organisation=hr.organisation, last_name="Brouillonne")
    draft = RequestFactory(
        agent=agent, status=RequestStatus.WITHDRAWN, submitted_at=None, motivation="Texte privé jamais envoyé"
    )
    login(client, hr.email)
    assert client.get(f"/rh/demandes/{draft.id}").status_code == 404
    listing = client.get("/rh/demandes?vue=toutes").get_data(as_text=True) + client.get("/rh/demandes").get_data(
        as_text=True
    )
    assert f"/rh/demandes/{draft.id}" not in listing and "Brouillonne" not in listing
    export = client.get("/rh/demandes/export.csv").get_data(as_text=True)
    assert "Brouillonne" not in export and "Texte privé" not in export
