"""The three-party agreement, filled in and signed online (services/agreement.py and its pages, its API):
drafted at confirmation, completed by the host, checked by the home HR, signed in the network's order with
complete evidence, voided by any change, the same signed bytes at every download, read by the parties and
the network's coordination only, and flagged the day before an unsigned immersion starts."""

import hashlib
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select

from mobilite.extensions import db
from mobilite.models import (
    Agreement,
    AgreementState,
    AuthMethod,
    Immersion,
    InboxItem,
    Organisation,
    Role,
    SignatureParty,
)
from mobilite.models.ops import Notification
from mobilite.services import agreement as agreement_service
from mobilite.services import agreement_follow_up
from mobilite.services.errors import ServiceError
from mobilite.services.proposals import ProposalAnswer, answer_proposal
from tests.factories import (
    CoordinatorFactory,
    ImmersionFactory,
    OrganisationFactory,
    ProposalFactory,
    UserFactory,
)
from tests.fixtures import bearer, csrf_token, fresh, login

TODAY = date.today()
START = TODAY + timedelta(days=14)
FILLED = {
    "functions_observed": "Instruction des dossiers d'urbanisme, accueil du public.",
    "objectives": "Confirmer mon projet de devenir instructeur.",
    "daily_hours": "9 h – 12 h 30, 14 h – 17 h",
    "travel_costs_by": "home",
}


@pytest.fixture
def world(app):
    """No request context stays pushed (the page tests sign in through their own); service tests add ctx."""
    immersion = ImmersionFactory(
        proposal__session__start_date=START,
        proposal__session__end_date=START + timedelta(days=4),
        proposal__session__working_days=5,
        start_date=START,
        end_date=START + timedelta(days=4),
        working_days=5,
    )
    home_hr = _hr_of(immersion.home_organisation_id)
    host_hr = _hr_of(immersion.host_organisation_id)
    coordinator = CoordinatorFactory(network_id=immersion.proposal.round.network_id)
    return immersion, immersion.proposal.request.agent, home_hr, host_hr, coordinator


def _hr_of(organisation_id: int):
    return UserFactory(organisation=db.session.get(Organisation, organisation_id), roles=[Role.RH])


def _kinds(user) -> list[str]:
    return sorted(db.session.scalars(select(InboxItem.kind).where(InboxItem.user_id == user.id)))


def _sign(user, immersion, party):
    agreement = agreement_service.of(immersion)
    return agreement_service.sign(user, immersion, party, agreement.document_sha256, "192.0.2.7", AuthMethod.PASSWORD)


def _ready(world):
    immersion, agent, home_hr, host_hr, _coordinator = world
    agreement_service.complete(host_hr, immersion, FILLED)
    agreement_service.check(home_hr, immersion)
    return agreement_service.of(immersion)


def test_both_sides_accepting_drafts_the_agreement_and_asks_the_host_to_complete_it(ctx):
    proposal = ProposalFactory()
    host_hr = UserFactory(organisation=proposal.session.offer.organisation, roles=[Role.RH])
    answer_proposal(proposal.request.agent, proposal, "agent", ProposalAnswer.ACCEPT)
    answer_proposal(host_hr, proposal, "host", ProposalAnswer.ACCEPT)
    immersion = db.session.scalar(select(Immersion).where(Immersion.proposal_id == proposal.id))
    agreement = db.session.scalar(select(Agreement).where(Agreement.immersion_id == immersion.id))
    assert agreement.state == AgreementState.DRAFTED and agreement.version == 1
    assert agreement.travel_costs_by.value == "home"  # as for a mission, unless the host says otherwise
    assert "agreement.waiting.host" in _kinds(host_hr)


def test_functions_observed_and_hours_are_required_and_nothing_is_half_saved(ctx, world):
    immersion, _agent, _home_hr, host_hr, _coordinator = world
    with pytest.raises(ServiceError) as refused:
        agreement_service.complete(host_hr, immersion, {**FILLED, "functions_observed": "  ", "daily_hours": ""})
    assert set(refused.value.errors) == {"functions_observed", "daily_hours"}
    db.session.rollback()
    assert agreement_service.of(fresh(immersion)).state == AgreementState.DRAFTED


def test_the_parties_sign_in_the_network_order_and_the_host_cannot_sign_before_the_agent(ctx, world):
    immersion, agent, home_hr, host_hr, _coordinator = world
    with pytest.raises(ServiceError):  # not checked yet: nothing to sign
        _sign(agent, immersion, SignatureParty.AGENT)
    db.session.rollback()
    agreement = _ready(world)
    assert agreement.state == AgreementState.CHECKED and len(agreement.document_sha256) == 64
    assert "agreement.waiting.agent" in _kinds(agent)
    with pytest.raises(ServiceError, match="pas encore votre tour"):
        _sign(host_hr, immersion, SignatureParty.HOST)
    db.session.rollback()
    with pytest.raises(ServiceError, match="pas encore votre tour"):
        _sign(home_hr, immersion, SignatureParty.HOME)
    db.session.rollback()
    _sign(agent, immersion, SignatureParty.AGENT)
    with pytest.raises(ServiceError, match="pas encore votre tour"):
        _sign(host_hr, immersion, SignatureParty.HOST)
    db.session.rollback()
    _sign(home_hr, immersion, SignatureParty.HOME)
    _sign(host_hr, immersion, SignatureParty.HOST)
    agreement = fresh(agreement)
    assert agreement.state == AgreementState.SIGNED
    assert [s.party for s in agreement.active_signatures()] == [
        SignatureParty.AGENT,
        SignatureParty.HOME,
        SignatureParty.HOST,
    ]
    assert agreement.signed_sha256 == hashlib.sha256(agreement.signed_pdf).hexdigest()
    assert {"agreement.signed.agent"} <= set(_kinds(agent))


def test_a_network_sets_another_order(ctx, world):
    immersion, agent, home_hr, host_hr, _coordinator = world
    immersion.proposal.round.network.signing_order = "host,home,agent"
    db.session.commit()
    _ready(world)
    with pytest.raises(ServiceError, match="pas encore votre tour"):
        _sign(agent, immersion, SignatureParty.AGENT)
    db.session.rollback()
    _sign(host_hr, immersion, SignatureParty.HOST)
    _sign(home_hr, immersion, SignatureParty.HOME)
    _sign(agent, immersion, SignatureParty.AGENT)
    assert agreement_service.of(immersion).state == AgreementState.SIGNED


def test_a_stale_hash_is_refused(ctx, world):
    immersion, agent, *_rest = world
    _ready(world)
    with pytest.raises(ServiceError) as refused:
        agreement_service.sign(agent, immersion, SignatureParty.AGENT, "0" * 64, "192.0.2.7", AuthMethod.PASSWORD)
    assert "sha256" in refused.value.errors


def test_every_signature_carries_complete_evidence(ctx, world):
    immersion, agent, home_hr, host_hr, _coordinator = world
    agreement = _ready(world)
    document = agreement.document_sha256
    for user, party in ((agent, SignatureParty.AGENT), (home_hr, SignatureParty.HOME), (host_hr, SignatureParty.HOST)):
        _sign(user, immersion, party)
    for signature, user in zip(fresh(agreement).active_signatures(), (agent, home_hr, host_hr), strict=True):
        assert signature.signer_id == user.id
        assert (signature.signer_name, signature.signer_email) == (user.full_name, user.email)
        assert signature.signed_at is not None and signature.ip_address == "192.0.2.7"
        assert signature.document_sha256 == document and signature.auth_method == AuthMethod.PASSWORD
        assert signature.version == 1 and signature.voided_at is None and signature.void_reason == ""
    text = fresh(agreement).signed_pdf.decode("latin-1")
    assert document in text and agent.email in text and "192.0.2.7" in text


def test_a_change_after_a_signature_voids_every_signature_and_tells_the_signers(ctx, world):
    immersion, agent, home_hr, host_hr, _coordinator = world
    _ready(world)
    _sign(agent, immersion, SignatureParty.AGENT)
    _sign(home_hr, immersion, SignatureParty.HOME)
    agreement_service.complete(host_hr, immersion, {**FILLED, "daily_hours": "8 h 30 – 16 h 30"})
    agreement = agreement_service.of(fresh(immersion))
    assert agreement.state == AgreementState.COMPLETED and agreement.version == 2
    assert agreement.active_signatures() == [] and agreement.document_sha256 == ""
    assert all(s.voided_at is not None and s.void_reason for s in agreement.signatures)
    assert "agreement.voided.agent" in _kinds(agent) and "agreement.voided.home" in _kinds(home_hr)
    assert "agreement.voided.host" not in _kinds(host_hr)  # the host had not signed
    # The new version is checked, then signed again from the start.
    agreement_service.check(home_hr, immersion)
    assert agreement_service.next_party(agreement_service.of(immersion)) == SignatureParty.AGENT


def test_the_same_text_is_no_change(ctx, world):
    immersion, agent, _home_hr, host_hr, _coordinator = world
    _ready(world)
    _sign(agent, immersion, SignatureParty.AGENT)
    agreement_service.complete(host_hr, immersion, FILLED)
    assert len(agreement_service.of(immersion).active_signatures()) == 1


def test_a_change_of_dates_goes_through_the_agreement_and_voids_it(ctx, world):
    immersion, agent, _home_hr, host_hr, _coordinator = world
    _ready(world)
    _sign(agent, immersion, SignatureParty.AGENT)
    with pytest.raises(ServiceError) as refused:  # outside the session
        agreement_service.complete(host_hr, immersion, {**FILLED, "end_date": START + timedelta(days=9)})
    assert "end_date" in refused.value.errors
    db.session.rollback()
    first = START if START.weekday() < 4 else START + timedelta(days=7 - START.weekday())
    agreement_service.complete(host_hr, immersion, {**FILLED, "start_date": first, "end_date": first})
    immersion = fresh(immersion)
    assert (immersion.start_date, immersion.end_date, immersion.working_days) == (first, first, 1)
    assert agreement_service.of(immersion).active_signatures() == []
    assert "agreement.voided.agent" in _kinds(agent)


def _signed_by_web(client, world):
    immersion, agent, home_hr, host_hr, _coordinator = world
    login(client, host_hr.email)
    form = client.get(f"/rh/immersions/{immersion.id}/convention")
    token = csrf_token(form.get_data(as_text=True))
    refused = client.post(f"/rh/immersions/{immersion.id}/convention", data={"csrf_token": token, "daily_hours": ""})
    assert refused.status_code == 400 and 'id="functions_observed-error"' in refused.get_data(as_text=True)
    done = client.post(f"/rh/immersions/{immersion.id}/convention", data={**FILLED, "csrf_token": token})
    assert done.status_code == 302
    login(client, home_hr.email)
    page = client.get(f"/rh/immersions/{immersion.id}").get_data(as_text=True)
    assert "La convention est vérifiée" in page
    client.post(f"/rh/immersions/{immersion.id}/convention/verification", data={"csrf_token": csrf_token(page)})
    shas = []
    for user, space in ((agent, "agent"), (home_hr, "rh"), (host_hr, "rh")):
        login(client, user.email)
        page = client.get(f"/{space}/immersions/{immersion.id}").get_data(as_text=True)
        sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
        assert sha in page.split('name="sha256"')[0]  # shown before the button, not only in the form
        answer = client.post(
            f"/{space}/immersions/{immersion.id}/convention/signature",
            data={"csrf_token": csrf_token(page), "sha256": sha},
        )
        assert answer.status_code == 302
        shas.append(sha)
    return immersion, shas


def test_signed_through_the_pages_each_party_downloads_the_same_bytes_with_the_hash_shown(client, world):
    immersion, shas = _signed_by_web(client, world)
    assert len(set(shas)) == 1
    _immersion, agent, home_hr, host_hr, coordinator = world
    digests = set()
    for user, space in ((agent, "agent"), (home_hr, "rh"), (host_hr, "rh"), (coordinator, "coordination")):
        login(client, user.email)
        for _twice in range(2):
            pdf = client.get(f"/{space}/immersions/{immersion.id}/convention.pdf")
            assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
            digests.add(hashlib.sha256(pdf.data).hexdigest())
    (digest,) = digests
    login(client, agent.email)
    page = client.get(f"/agent/immersions/{immersion.id}").get_data(as_text=True)
    assert digest in page and "Signée par les trois parties" in page
    # The summary's PDF (unsigned, with paper boxes) is still there.
    assert client.get(f"/agent/immersions/{immersion.id}/recapitulatif.pdf").status_code == 200


def test_out_of_turn_on_the_page_is_refused_with_a_message(app, client, world):
    immersion, _agent, home_hr, host_hr, _coordinator = world
    with app.test_request_context():
        _ready(world)
    login(client, host_hr.email)
    page = client.get(f"/rh/immersions/{immersion.id}").get_data(as_text=True)
    assert "Je signe" not in page
    sha = agreement_service.of(immersion).document_sha256
    answer = client.post(
        f"/rh/immersions/{immersion.id}/convention/signature",
        data={"csrf_token": csrf_token(page), "sha256": sha},
        follow_redirects=True,
    )
    assert "pas encore votre tour" in answer.get_data(as_text=True)
    assert agreement_service.of(fresh(immersion)).active_signatures() == []


def test_nobody_outside_the_parties_and_the_network_coordination_reads_it(client, world):
    immersion, *_parties, coordinator = world
    network = db.session.get(Organisation, immersion.home_organisation_id).network
    outsiders = [
        (UserFactory(organisation=OrganisationFactory(network=network), roles=[Role.RH]), "rh"),
        (UserFactory(organisation=db.session.get(Organisation, immersion.home_organisation_id)), "agent"),
        (CoordinatorFactory(), "coordination"),
    ]
    for user, space in outsiders:
        login(client, user.email)
        assert client.get(f"/{space}/immersions/{immersion.id}/convention.pdf").status_code == 404
        assert client.get(f"/api/v1/immersions/{immersion.id}/agreement").status_code == 404
    login(client, coordinator.email)
    assert client.get(f"/coordination/immersions/{immersion.id}/convention.pdf").status_code == 200


def test_the_coordination_sees_where_each_agreement_stands_and_reminds(app, client, world):
    immersion, agent, home_hr, host_hr, coordinator = world
    with app.test_request_context():
        agreement_service.complete(host_hr, immersion, FILLED)
    login(client, coordinator.email)
    page = client.get("/coordination/conventions").get_data(as_text=True)
    assert "À vérifier par l'employeur d'origine" in page and agent.full_name in page
    assert "/coordination/conventions" in client.get("/coordination/").get_data(as_text=True)
    answer = client.post(
        f"/coordination/immersions/{immersion.id}/convention/relance",
        data={"csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "1 personne relancée" in answer.get_data(as_text=True)
    assert "agreement.reminder.home" in _kinds(home_hr)
    assert fresh(agreement_service.of(immersion)).last_reminded_at is not None


def test_an_unsigned_agreement_is_flagged_the_day_before_once(ctx, world):
    immersion, agent, home_hr, host_hr, coordinator = world
    agreement_service.complete(host_hr, immersion, FILLED)
    assert agreement_follow_up.flag_unsigned(START - timedelta(days=3)) == 0
    assert agreement_follow_up.flag_unsigned(START - timedelta(days=1)) == 1
    assert agreement_follow_up.flag_unsigned(START - timedelta(days=1)) == 0
    assert agreement_follow_up.flag_unsigned(START) == 0
    for user, kind in ((home_hr, "home"), (host_hr, "host"), (coordinator, "coordination")):
        assert _kinds(user).count(f"agreement.unsigned.{kind}") == 1
    assert not [k for k in _kinds(agent) if k.startswith("agreement.unsigned")]
    # Urgent: e-mailed at once whatever the preference.
    assert db.session.scalar(select(Notification).where(Notification.kind == "agreement.unsigned.coordination"))


def test_a_signed_agreement_is_not_flagged(ctx, world):
    immersion, agent, home_hr, host_hr, _coordinator = world
    _ready(world)
    for user, party in ((agent, SignatureParty.AGENT), (home_hr, SignatureParty.HOME), (host_hr, SignatureParty.HOST)):
        _sign(user, immersion, party)
    assert agreement_follow_up.flag_unsigned(START - timedelta(days=1)) == 0


def test_the_api_gives_the_state_and_signs_in_turn(app, client, world):
    immersion, agent, home_hr, host_hr, coordinator = world
    with app.test_request_context():
        _ready(world)
    state = client.get(f"/api/v1/immersions/{immersion.id}/agreement", headers=bearer(app, coordinator)).get_json()
    assert state["state"] == "checked" and state["waiting_for"] == "agent"
    assert state["signing_order"] == ["agent", "home", "host"] and state["signatures"] == []
    sha = state["document_sha256"]
    path = f"/api/v1/immersions/{immersion.id}/agreement/signatures"
    early = client.post(path, json={"sha256": sha}, headers=bearer(app, host_hr))
    assert early.status_code == 422
    bad = client.post(path, json={"sha256": "nope"}, headers=bearer(app, agent))
    assert bad.status_code == 422 and "sha256" in bad.get_json()["errors"]
    signed = client.post(path, json={"sha256": sha}, headers=bearer(app, agent))
    assert signed.status_code == 201 and signed.get_json()["auth_method"] == "api_token"
    assert client.post(path, json={"sha256": sha}, headers=bearer(app, coordinator)).status_code == 404
    state = client.get(f"/api/v1/immersions/{immersion.id}/agreement", headers=bearer(app, agent)).get_json()
    assert state["waiting_for"] == "home" and state["signatures"][0]["party"] == "agent"


def test_the_certificate_states_the_functions_observed_of_the_agreement(ctx, world):
    from mobilite.services import certificate

    immersion, _agent, _home_hr, host_hr, _coordinator = world
    assert certificate.functions_observed(immersion) == ""  # no agreement yet: the offer's description
    agreement_service.complete(host_hr, immersion, FILLED)
    assert certificate.functions_observed(immersion) == FILLED["functions_observed"]


@pytest.mark.parametrize("blind_looks", [1, 2], ids=["drafted-before-the-second-look", "drafted-before-the-insert"])
def test_two_first_reads_at_once_give_the_same_agreement_and_no_error(ctx, world, monkeypatch, blind_looks):
    """An immersion from before agreements: another reader drafts it while this one has looked and found none
    (before its second look behind the write lock, or before its insert, which then meets the unique key);
    this one reads the other one's agreement, with no error and no second agreement."""
    immersion = world[0]
    db.session.execute(delete(Agreement).where(Agreement.immersion_id == immersion.id))
    drafted_by_the_other_reader = agreement_service.draft(immersion, notify=False)
    real_scalar = db.session.scalar
    looks = []

    def looks_before_the_other_reader_commits(statement, *args, **kwargs):
        if len(looks) < blind_looks:
            looks.append(statement)
            return None
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", looks_before_the_other_reader_commits)
    agreement = agreement_service.of(immersion)
    monkeypatch.undo()
    assert len(looks) == blind_looks, "the simulated looks were made"
    assert agreement.id == drafted_by_the_other_reader.id
    assert db.session.scalar(select(func.count()).where(Agreement.immersion_id == immersion.id)) == 1
