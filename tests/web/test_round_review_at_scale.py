"""The round's review page at any size: indicators in people's words, a filtered, sorted, paged table, bulk
decisions refused as a whole when the round moved on, a publication that shows what it sends before sending
it, and replacements chosen among the sessions that keep every rule."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    Notification,
    OfferStatus,
    ProposalStatus,
    PublicationScope,
    RoundStatus,
)
from mobilite.services import review_table
from tests.factories import CoordinatorFactory, OfferFactory, OfferSessionFactory
from tests.fixtures import csrf_token, fresh, login
from tests.round_review_world import build


@pytest.fixture
def world(app):
    with app.test_request_context():
        return build()


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _field(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def _review(client, world, query: str = "") -> str:
    response = client.get(f"/coordination/tours/{world.round.id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _rows(page: str) -> set[str]:
    """The agents whose proposals the table shows (rows are p<id>)."""
    return set(re.findall(r'<tr id="p(\d+)"', page))


def test_the_indicators_have_plain_names_and_say_what_they_mean(client, world):
    login(client, world.coordinator.email)
    text = _text(_review(client, world))
    assert "Agents placés 6 sur 10 demandes (60 %)" in text
    assert "Sans proposition 4" in text
    assert "du meilleur résultat possible avec ces règles" in text
    assert "Le réseau vise au moins 50 % des demandes de chaque organisation : 1 organisation est en dessous." in text
    assert "pour l'organisation la moins servie (Ville B)" in text
    assert "6 propositions n'ont pas encore été examinées : elles ne seront pas envoyées" in text
    # A row says which wish it is and how far; the proposal's page reads each score term as a sentence.
    assert "vœu n°2 · 0 km ; sa limite : 100 km" in text
    for solver_word in ("borne", "Paires bloquantes", "Proximité", "share_of_bound"):
        assert solver_word not in text
    page = _text(client.get(f"/coordination/propositions/{world.proposals['a1'].id}").get_data(as_text=True))
    assert "Son vœu n°2 (sur 2)." in page and "À 0 km, dans sa limite de 100 km." in page
    assert "L'agent n'a pas précisé de thématique ni de compétence souhaitée." in page
    assert "Chaque placement compte" in page and "(+100 points)" in page
    assert "score maximal d'une proposition" in page


def test_the_table_filters_sorts_and_keeps_its_filter_across_pages(client, world, monkeypatch):
    login(client, world.coordinator.email)
    page = _review(client, world, f"?accueil={world.host_x.id}")
    assert _rows(page) == {str(i) for i in world.ids("a1", "a2", "b1")}
    assert "Propositions (3 avec ce filtre)" in _text(page)
    page = _review(client, world, "?signal=pinned&signal=replaced")
    assert _rows(page) == {str(i) for i in world.ids("a4")}
    page = _review(client, world, "?score=low&tri=score_asc")
    assert re.findall(r'<tr id="p(\d+)"', page) == [str(world.proposals[n].id) for n in ("a4", "b1")]

    monkeypatch.setattr(review_table, "PER_PAGE", 2)
    first = _review(client, world, f"?origine={world.home_a.id}&signal=pinned&signal=outside_wishes")
    assert _rows(first) == {str(i) for i in world.ids("a2")}
    page = _review(client, world, f"?origine={world.home_a.id}&tri=agent")
    assert re.findall(r'<tr id="p(\d+)"', page) == [str(world.proposals[n].id) for n in ("a1", "a2")]
    next_link = html.unescape(re.search(r'href="([^"]+)" rel="next"', page).group(1))
    assert f"origine={world.home_a.id}" in next_link and "tri=agent" in next_link and "page=2" in next_link
    second = client.get(next_link).get_data(as_text=True)
    assert re.findall(r'<tr id="p(\d+)"', second) == [str(world.proposals[n].id) for n in ("a3", "a4")]


def test_a_filter_that_does_not_read_says_which_and_why(client, world):
    login(client, world.coordinator.email)
    text = _text(_review(client, world, f"?signal=nearby&statut=maybe&accueil={world.host_y.id}"))
    assert "Signal inconnu." in text and "Statut inconnu." in text
    assert "Propositions (3 avec ce filtre)" in text  # what did read still applies


def test_bulk_approval_of_a_selection_comes_back_to_the_same_filter(client, world):
    login(client, world.coordinator.email)
    query = f"?accueil={world.host_x.id}"
    page = _review(client, world, query)
    chosen = [f"{p.id}:{p.version}" for p in (world.proposals["a1"], world.proposals["b1"])]
    response = client.post(
        f"/coordination/tours/{world.round.id}/decisions",
        data={
            "csrf_token": csrf_token(page),
            "decision": "approve",
            "target": "selection",
            "proposition": chosen,
            "accueil": str(world.host_x.id),
            "token": _field(page, "token"),
        },
    )
    assert response.status_code == 302 and f"accueil={world.host_x.id}" in response.headers["Location"]
    assert "2 propositions validées." in _text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert fresh(world.proposals["a1"]).status == ProposalStatus.APPROVED
    assert fresh(world.proposals["a2"]).status == ProposalStatus.PROPOSED  # not checked


def test_bulk_rejection_of_a_filter_and_its_refusal_once_the_round_moved_on(client, world):
    login(client, world.coordinator.email)
    page = _review(client, world, f"?origine={world.home_b.id}")
    form = {
        "csrf_token": csrf_token(page),
        "decision": "reject",
        "target": "filter",
        "origine": str(world.home_b.id),
        "token": _field(page, "token"),
    }
    url = f"/coordination/tours/{world.round.id}/decisions"
    refused = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)
    assert "motif est obligatoire" in _text(refused).lower() or "Indiquez" in _text(refused)
    assert fresh(world.proposals["b1"]).status == ProposalStatus.PROPOSED

    # Meanwhile another coordinator approves b2: the filter's proposals are no longer what the page showed.
    other = _review(client, world)
    client.post(
        f"/coordination/propositions/{world.proposals['b2'].id}/decision",
        data={"csrf_token": csrf_token(other), "decision": "approve"},
    )
    stale = client.post(url, data={**form, "reason": "Service fermé."}, follow_redirects=True)
    assert "rien n'a été modifié" in _text(stale.get_data(as_text=True))
    assert fresh(world.proposals["b1"]).status == ProposalStatus.PROPOSED

    page = _review(client, world, f"?origine={world.home_b.id}")
    done = client.post(url, data={**form, "token": _field(page, "token"), "reason": "Service fermé."})
    assert done.status_code == 302
    assert {fresh(world.proposals[n]).status for n in ("b1", "b2")} == {ProposalStatus.REJECTED}


def test_publication_shows_what_it_sends_then_sends_only_that(client, world):
    login(client, world.coordinator.email)
    page = _review(client, world)
    chosen = [f"{world.proposals[n].id}:1" for n in ("a1", "a3")]
    client.post(
        f"/coordination/tours/{world.round.id}/decisions",
        data={"csrf_token": csrf_token(page), "decision": "approve", "target": "selection", "proposition": chosen},
    )
    summary = client.get(f"/coordination/tours/{world.round.id}/publier").get_data(as_text=True)
    text = _text(summary)
    assert "2 propositions envoyées" in text and "4 agents sans proposition informés" in text
    assert "4 propositions pas encore examinées ne seront pas envoyées" in text
    assert "Ville A 2 0 0" in text and "Ville B 0 0 4" in text and "Métropole X 0 1 0" in text
    assert fresh(world.round).status == RoundStatus.PROPOSED  # the summary sends nothing

    # A change after the summary: its confirmation is refused, back to a fresh summary.
    client.post(
        f"/coordination/propositions/{world.proposals['b2'].id}/decision",
        data={"csrf_token": csrf_token(page), "decision": "approve"},
    )
    url = f"/coordination/tours/{world.round.id}/publier"
    refused = client.post(url, data={"csrf_token": csrf_token(summary), "token": _field(summary, "token")})
    assert refused.headers["Location"].endswith("/publier")
    assert "Le tour a changé depuis le récapitulatif" in _text(client.get(refused.headers["Location"]).get_data(True))
    assert fresh(world.round).status == RoundStatus.PROPOSED

    summary = client.get(url).get_data(as_text=True)
    assert "3 propositions envoyées" in _text(summary)
    client.post(url, data={"csrf_token": csrf_token(summary), "token": _field(summary, "token")})
    assert fresh(world.round).status == RoundStatus.PUBLISHED
    sent = {n for n, p in world.proposals.items() if fresh(p).status == ProposalStatus.PUBLISHED}
    assert sent == {"a1", "a3", "b2"}
    told = set(db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "proposal.published")))
    assert told == {fresh(world.proposals[n]).request.agent_id for n in sent}
    after = _text(_review(client, world))
    assert "Agents placés 3 sur 10 demandes" in after and "Non envoyée" in after


def test_the_publication_setting_is_changed_from_the_round_page(client, world):
    login(client, world.coordinator.email)
    page = _review(client, world)
    url = f"/coordination/tours/{world.round.id}/envoi"
    client.post(url, data={"csrf_token": csrf_token(page), "publication_scope": "approved_and_unreviewed"})
    assert fresh(world.network).publication_scope == PublicationScope.APPROVED_AND_UNREVIEWED
    assert "elles seront envoyées telles quelles" in _text(_review(client, world))
    response = client.post(
        url, data={"csrf_token": csrf_token(page), "publication_scope": "all"}, follow_redirects=True
    )
    assert "Choix inconnu." in _text(response.get_data(as_text=True))
    assert fresh(world.network).publication_scope == PublicationScope.APPROVED_AND_UNREVIEWED


def test_a_session_full_of_agents_of_the_same_organisation_is_shown_with_the_rule(client, world):
    """Y already takes two agents of Ville A (a3, a4): the network's diversity of 2 rules it out for a1."""
    login(client, world.coordinator.email)
    text = _text(client.get(f"/coordination/propositions/{world.proposals['a1'].id}").get_data(as_text=True))
    assert "1 session possible, la mieux notée d'abord" in text
    assert "la session accueillerait trop d'agents de la même organisation" in text


def test_replace_lists_only_sessions_that_keep_every_rule_and_scores_the_new_pair(app, client):
    with app.test_request_context():
        world = build(diversity_per_session=3)
    a1 = fresh(world.proposals["a1"])
    own = OfferSessionFactory(
        offer=OfferFactory(organisation=world.home_a, status=OfferStatus.PUBLISHED),
        start_date=a1.session.start_date,
        end_date=a1.session.end_date,
    )
    login(client, world.coordinator.email)
    page = client.get(f"/coordination/propositions/{a1.id}").get_data(as_text=True)
    valid = re.findall(r'name="session_id" value="(\d+)"', page)
    host_y_session = world.proposals["a3"].session_id
    assert set(valid) == {str(a1.session_id), str(host_y_session)}
    text = _text(page)
    assert "1 session impossible, et la règle qu'elle enfreindrait" in text
    assert "l'agent serait accueilli·e dans sa propre organisation" in text

    # A session a rule rules out, sent anyway: refused, back to the list, nothing changed.
    response = client.post(
        f"/coordination/propositions/{a1.id}/remplacer", data={"csrf_token": csrf_token(page), "session_id": own.id}
    )
    assert "/coordination/propositions/" in response.headers["Location"]
    assert "sa propre organisation" in _text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert fresh(a1).session_id != own.id

    client.post(
        f"/coordination/propositions/{a1.id}/remplacer",
        data={"csrf_token": csrf_token(page), "session_id": host_y_session},
    )
    moved = fresh(a1)
    assert moved.session_id == host_y_session and moved.replaced and moved.pinned
    assert moved.score > 0 and sum(moved.breakdown.values()) == moved.score and "manual" not in moved.breakdown
    assert moved.breakdown["wish"] == 5 * 100  # offer Y is the agent's first wish
    assert moved.status == ProposalStatus.APPROVED


def test_another_networks_coordinator_gets_404_everywhere(client, world):
    outsider = CoordinatorFactory()
    login(client, outsider.email)
    round_id, proposal_id = world.round.id, world.proposals["a1"].id
    assert client.get(f"/coordination/tours/{round_id}").status_code == 404
    assert client.get(f"/coordination/tours/{round_id}/publier").status_code == 404
    assert client.get(f"/coordination/propositions/{proposal_id}").status_code == 404
    token = csrf_token(client.get("/coordination/").get_data(as_text=True))
    for path, data in (
        (f"/coordination/tours/{round_id}/decisions", {"decision": "approve", "proposition": f"{proposal_id}:1"}),
        (f"/coordination/tours/{round_id}/envoi", {"publication_scope": "approved_and_unreviewed"}),
        (f"/coordination/tours/{round_id}/publier", {"token": "x"}),
    ):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404
    assert fresh(world.proposals["a1"]).status == ProposalStatus.PROPOSED
    assert fresh(world.network).publication_scope == PublicationScope.APPROVED


def test_in_english_the_indicators_and_score_words_read_as_sentences(client, world):
    login(client, world.coordinator.email)
    page = _review(client, world)
    client.post("/langue", data={"lang": "en", "next": "/", "csrf_token": csrf_token(page)})
    text = _text(_review(client, world))
    assert "Agents placed" in text and "of the best result these rules allow" in text
    assert "wish no. 1" in text or "not among their wishes" in text
    assert "Indicateurs" not in text
    page = _text(client.get(f"/coordination/propositions/{world.proposals['a1'].id}").get_data(as_text=True))
    assert "Their wish no. 2 (of 2)." in page and "0 km away, within their limit of 100 km." in page
