"""The API's one concurrency rule, on offers, requests and proposals: a stale If-Match answers 412, a stale
`version` in a body answers 409 (and so does a change saved first by another worker when no If-Match was
sent). Coordinators' proposal decisions carry an ETag and take If-Match."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy.orm.exc import StaleDataError

from mobilite.extensions import db
from mobilite.lifecycles.proposal import ReviewDecision
from mobilite.models import OfferStatus, Proposal, ProposalStatus, RequestStatus, Role, RoundStatus
from mobilite.services import concurrency, round_review
from mobilite.services.concurrency import Conflict
from mobilite.services.errors import StaleRecord
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import bearer, fresh


def _saved_first_by_someone_else(monkeypatch):
    """The next commit finds the row changed by another worker (what the version column reports)."""

    def commit():
        raise StaleDataError("UPDATE statement expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(
        concurrency, "db", SimpleNamespace(session=SimpleNamespace(commit=commit, rollback=db.session.rollback))
    )


def test_conflict_is_the_stale_record_error_with_its_field_diffs():
    conflict = Conflict("changed", changes=[("Titre", "mine", "theirs")], current_version=3, editor="Ana")
    assert isinstance(conflict, StaleRecord)
    assert conflict.errors == {"version": ["changed"]} and conflict.changes == [("Titre", "mine", "theirs")]
    assert conflict.current_version == 3 and conflict.editor == "Ana"


# --- offers ----------------------------------------------------------------------------------------------


def _hr_and_offer():
    hr = UserFactory(roles=[Role.RH])
    return hr, OfferFactory(organisation=hr.organisation, status=OfferStatus.PUBLISHED)


def test_offers_a_stale_if_match_answers_412(app, client):
    hr, offer = _hr_and_offer()
    headers = bearer(app, hr)
    etag = client.get(f"/api/v1/offers/{offer.id}", headers=headers).headers["ETag"]
    fresh(offer).title = "Changé par quelqu'un d'autre"
    db.session.commit()
    response = client.post(f"/api/v1/offers/{offer.id}/close", headers={**headers, "If-Match": etag})
    assert response.status_code == 412
    assert fresh(offer).status == OfferStatus.PUBLISHED


@pytest.mark.parametrize(("if_match", "expected"), [(True, 412), (False, 409)])
def test_offers_a_change_saved_first_answers_412_with_if_match_and_409_without(
    app, client, monkeypatch, if_match, expected
):
    hr, offer = _hr_and_offer()
    headers = bearer(app, hr)
    if if_match:
        headers["If-Match"] = client.get(f"/api/v1/offers/{offer.id}", headers=headers).headers["ETag"]
    _saved_first_by_someone_else(monkeypatch)
    response = client.post(f"/api/v1/offers/{offer.id}/close", headers=headers)
    assert response.status_code == expected
    assert fresh(offer).status == OfferStatus.PUBLISHED


# --- requests --------------------------------------------------------------------------------------------


def _hr_and_request():
    organisation = OrganisationFactory()
    hr = UserFactory(organisation=organisation, roles=[Role.RH])
    agent = UserFactory(organisation=organisation, roles=[Role.AGENT])
    return hr, agent, RequestFactory(agent=agent, status=RequestStatus.SUBMITTED)


def test_requests_a_stale_body_version_answers_409_even_with_a_current_if_match(app, client):
    hr, _agent, item = _hr_and_request()
    headers = bearer(app, hr)
    etag = client.get(f"/api/v1/requests/{item.id}", headers=headers).headers["ETag"]
    response = client.post(
        f"/api/v1/requests/{item.id}/decision",
        headers={**headers, "If-Match": etag},
        json={"decision": "approve", "version": item.version - 1},
    )
    assert response.status_code == 409 and "version" in response.json["errors"]
    assert fresh(item).status == RequestStatus.SUBMITTED


def test_requests_a_stale_if_match_answers_412_even_with_a_current_body_version(app, client):
    hr, _agent, item = _hr_and_request()
    headers = bearer(app, hr)
    etag = client.get(f"/api/v1/requests/{item.id}", headers=headers).headers["ETag"]
    fresh(item).motivation = "Précisée entre-temps."
    db.session.commit()
    response = client.post(
        f"/api/v1/requests/{item.id}/decision",
        headers={**headers, "If-Match": etag},
        json={"decision": "approve", "version": fresh(item).version},
    )
    assert response.status_code == 412
    assert fresh(item).status == RequestStatus.SUBMITTED


@pytest.mark.parametrize(("if_match", "expected"), [(True, 412), (False, 409)])
def test_requests_a_withdrawal_saved_second_answers_412_with_if_match_and_409_without(
    app, client, monkeypatch, if_match, expected
):
    _hr, agent, item = _hr_and_request()
    headers = bearer(app, agent)
    if if_match:
        headers["If-Match"] = client.get(f"/api/v1/requests/{item.id}", headers=headers).headers["ETag"]
    _saved_first_by_someone_else(monkeypatch)
    response = client.post(f"/api/v1/requests/{item.id}/withdraw", headers=headers)
    assert response.status_code == expected
    assert fresh(item).status == RequestStatus.SUBMITTED


# --- proposals -------------------------------------------------------------------------------------------


def _in_review():
    """A proposal of a round in review, and the coordinator of its network."""
    proposal = ProposalFactory(status=ProposalStatus.PROPOSED, respond_by=None)
    proposal.round.status = RoundStatus.PROPOSED
    db.session.commit()
    return CoordinatorFactory(network_id=proposal.round.network_id), proposal


def test_proposal_decisions_give_an_etag_and_refuse_a_stale_if_match_with_412(app, client):
    coordinator, proposal = _in_review()
    headers = bearer(app, coordinator)
    approved = client.post(f"/api/v1/proposals/{proposal.id}/decision", headers=headers, json={"decision": "approve"})
    assert approved.status_code == 200 and approved.headers["ETag"]
    etag = approved.headers["ETag"]
    pinned = client.post(
        f"/api/v1/proposals/{proposal.id}/pin", headers={**headers, "If-Match": etag}, json={"pinned": True}
    )
    assert pinned.status_code == 200 and pinned.json["pinned"] is True
    assert pinned.headers["ETag"] != etag
    # The first ETag names the proposal before the pin: stale.
    for path, body in (
        ("decision", {"decision": "reject", "reason": "Trop loin."}),
        ("pin", {"pinned": False}),
        ("replacement", {"session_id": proposal.session_id}),
    ):
        response = client.post(
            f"/api/v1/proposals/{proposal.id}/{path}", headers={**headers, "If-Match": etag}, json=body
        )
        assert response.status_code == 412, path
    stored = fresh(proposal)
    assert stored.status == ProposalStatus.APPROVED and stored.pinned is True


@pytest.mark.parametrize(("if_match", "expected"), [(True, 412), (False, 409)])
def test_proposal_decisions_saved_second_answer_412_with_if_match_and_409_without(
    app, client, monkeypatch, if_match, expected
):
    coordinator, proposal = _in_review()
    headers = bearer(app, coordinator)
    if if_match:
        first = client.post(f"/api/v1/proposals/{proposal.id}/pin", headers=headers, json={"pinned": False})
        headers["If-Match"] = first.headers["ETag"]
    _saved_first_by_someone_else(monkeypatch)
    response = client.post(f"/api/v1/proposals/{proposal.id}/decision", headers=headers, json={"decision": "approve"})
    assert response.status_code == expected
    assert fresh(proposal).status == ProposalStatus.PROPOSED


def test_a_proposal_changed_between_the_if_match_and_the_round_lock_is_not_overwritten(app):
    """The service checks the version the If-Match named again once it holds the round's lock."""
    coordinator, proposal = _in_review()
    read = proposal.version
    round_review.set_pinned(coordinator, proposal, True)  # another coordinator, first
    with pytest.raises(Conflict):
        round_review.set_decision(coordinator, proposal, ReviewDecision.REJECT, "Trop loin.", version=read)
    db.session.expire_all()
    stored = db.session.get(Proposal, proposal.id)
    assert stored.status == ProposalStatus.PROPOSED and stored.version == read + 1


def test_a_foreign_proposal_answers_404_before_its_if_match_is_read(app, client):
    coordinator, _proposal = _in_review()
    foreign = ProposalFactory(
        status=ProposalStatus.PROPOSED, respond_by=None, round=RoundFactory(status=RoundStatus.PROPOSED)
    )
    response = client.post(
        f"/api/v1/proposals/{foreign.id}/decision",
        headers={**bearer(app, coordinator), "If-Match": '"stale"'},
        json={"decision": "approve"},
    )
    assert response.status_code == 404


def _saved_by_someone_else_after_the_if_match_check(monkeypatch, model, record_id: int, **values):
    """Another worker's save lands between the If-Match check and the write (a Core UPDATE: the request's
    copy of the record does not see it, as another worker's would not)."""
    from sqlalchemy import update

    from mobilite.api import core
    from mobilite.models import utcnow

    checked = core.check_if_match

    def check_then_someone_saves(current_etag, *, required):
        named = checked(current_etag, required=required)
        db.session.execute(
            update(model)
            .where(model.id == record_id)
            .values(updated_at=utcnow() + timedelta(seconds=1), **values)
            .execution_options(synchronize_session=False)
        )
        return named

    monkeypatch.setattr(core, "check_if_match", check_then_someone_saves)


@pytest.mark.parametrize("kind", ["site", "organisation"])
def test_a_save_between_the_if_match_check_and_the_write_is_not_overwritten(app, client, monkeypatch, kind):
    """The version the If-Match named is checked again under the row lock: 412, nothing of the PUT saved."""
    from mobilite.models import Network, Organisation, Site
    from mobilite.services import sites

    coordinator = CoordinatorFactory()
    organisation = OrganisationFactory(network=db.session.get(Network, coordinator.network_id))
    headers = bearer(app, coordinator)
    if kind == "site":
        record = sites.new_site(organisation, {"name": "Annexe", "address": "", "commune": "Lyon (69007)"})
        db.session.add(record)
        db.session.commit()
        url, model, body = f"/api/v1/sites/{record.id}", Site, {"name": "Garage", "commune": "Villeurbanne"}
    else:
        record, model = organisation, Organisation
        url = f"/api/v1/organisations/{organisation.id}"
        body = {"name": "Garage", "kind": "commune", "commune": "Lyon (69001)"}
    etag = client.get(url, headers=headers).headers["ETag"]
    _saved_by_someone_else_after_the_if_match_check(monkeypatch, model, record.id, name="Autre nom")
    response = client.put(url, json=body, headers={**headers, "If-Match": etag})
    assert response.status_code == 412, response.json
    assert fresh(record).name != "Garage"
