"""A request, its proposal and its immersion never disagree on one page: each page shows where the request
stands (mobilite.services.stages), not the raw status of each record ("Proposition reçue", "Confirmée" and
"Réalisée" for the same immersion)."""

import re
from datetime import date, timedelta

from mobilite.extensions import db
from mobilite.models import Answer, ImmersionStatus, RequestStatus, Role
from tests.factories import ImmersionFactory, ProposalFactory, UserFactory
from tests.fixtures import login

BADGE = re.compile(r'<span class="badge badge-[\w-]+">([^<]*)</span>')


def _badges(client, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    return BADGE.findall(response.get_data(as_text=True))


def test_a_done_immersion_reads_the_same_on_every_page(client):
    start = date.today() - timedelta(days=10)
    immersion = ImmersionFactory(
        proposal__session__start_date=start, proposal__session__end_date=start + timedelta(days=2)
    )
    immersion.status = ImmersionStatus.DONE
    immersion.proposal.request.status = RequestStatus.CLOSED
    db.session.commit()
    proposal, item = immersion.proposal, immersion.proposal.request

    login(client, item.agent.email)
    home = _badges(client, "/agent/")
    assert home == ["Immersion réalisée", "Immersion réalisée"]  # the request's row and its proposal's card
    assert _badges(client, f"/agent/demandes/{item.id}")[0] == "Immersion réalisée"
    assert _badges(client, f"/agent/propositions/{proposal.id}")[0] == "Immersion réalisée"
    assert _badges(client, f"/agent/immersions/{immersion.id}")[0] == "Réalisée"

    home_hr = UserFactory(organisation=item.organisation, roles=[Role.RH])
    login(client, home_hr.email)
    badges = _badges(client, "/rh/propositions")
    assert badges == ["Réalisée"]  # the immersion (the proposals in progress are listed apart)
    assert _badges(client, f"/rh/demandes/{item.id}")[0] == "Immersion réalisée"
    for page in (home, badges):
        assert not {"Terminée", "Confirmée", "Proposition reçue"} & set(page)


def test_a_proposal_one_side_accepted_says_who_is_awaited_on_both_sides(client):
    proposal = ProposalFactory(agent_answer=Answer.ACCEPTED)
    item = proposal.request
    login(client, item.agent.email)
    awaited = "Acceptée par l'agent, en attente de l'organisation d'accueil"
    assert [b.replace("&#39;", "'") for b in _badges(client, "/agent/")] == [awaited, awaited]
    host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
    login(client, host_hr.email)
    assert _badges(client, f"/rh/propositions/{proposal.id}")[0].replace("&#39;", "'") == awaited
