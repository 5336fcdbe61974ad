"""Requests: drafts, submission, concurrent edits, wishes, withdrawal and the home employer's answer."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from mobilite.extensions import db
from mobilite.models import (
    AuditEvent,
    ImmersionRequest,
    Notification,
    OfferStatus,
    RequestStatus,
    Role,
)
from mobilite.services import requests as service
from mobilite.services.errors import ServiceError
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    ThemeFactory,
    UserFactory,
)

TODAY = date.today()


def _data(**overrides):
    start = TODAY + timedelta(days=14)
    data = {
        "themes": [],
        "skills": [],
        "windows": [{"start": start, "end": start + timedelta(days=27)}],
        "min_days": 2,
        "max_days": 5,
        "max_distance_km": None,
        "motivation": "Découvrir.",
        "career_project": "Confirmer un projet de mobilité.",
        "shorter_notice_agreed": True,  # the window starts in two weeks
        "line_manager_email": "cheffe@example.org",
        "wishes": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def agent(ctx):
    return UserFactory()


def _foreign_offer(agent, **kwargs):
    """An offer of another organisation of the network, with a session a request of `_data` can take."""
    host = OrganisationFactory(network=agent.organisation.network)
    offer = OfferFactory(organisation=host, **kwargs)
    OfferSessionFactory(offer=offer, start_date=TODAY + timedelta(days=15), end_date=TODAY + timedelta(days=17))
    return offer


def test_a_draft_is_saved_without_the_legal_rules(agent):
    item = service.create_request(agent, _data(windows=[], min_days=1))
    assert item.status == RequestStatus.DRAFT and item.submitted_at is None
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.target_id == item.id)) == "request.create"


def test_submitting_checks_the_rules_and_notifies_the_home_hr(agent):
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    theme = ThemeFactory()
    offer = _foreign_offer(agent)
    item = service.create_request(agent, _data(themes=[theme.id], wishes=[offer.id]), submit=True)
    assert item.status == RequestStatus.SUBMITTED and item.submitted_at is not None
    assert [w.offer_id for w in item.wishes] == [offer.id] and item.themes == [theme]
    # In HR's inbox, and in their morning digest of requests to decide (the default for this legal deadline).
    from mobilite.models import InboxDelivery, InboxItem

    note = db.session.scalar(select(InboxItem).where(InboxItem.user_id == hr.id))
    assert note.kind == "request.submitted" and agent.full_name in note.subject
    assert note.delivery == InboxDelivery.WAITING and note.digest_key == "day"


def test_submitting_with_a_broken_rule_saves_nothing(agent):
    before = db.session.query(ImmersionRequest).count()
    with pytest.raises(ServiceError) as caught:
        service.create_request(agent, _data(min_days=1, windows=[]), submit=True)
    assert set(caught.value.errors) == {"min_days", "windows"}
    assert db.session.query(ImmersionRequest).count() == before


def test_a_stale_edit_is_a_conflict_that_shows_what_changed(agent):
    item = service.create_request(agent, _data(motivation="Première version."))
    loaded_version = item.version
    service.update_request(agent, item, _data(version=loaded_version, motivation="Modifiée ailleurs.", max_days=7))
    with pytest.raises(service.Conflict) as caught:
        service.update_request(agent, item, _data(version=loaded_version, motivation="Ma saisie."))
    conflict = caught.value
    assert conflict.current_version == item.version != loaded_version
    changes = {label: (yours, stored) for label, yours, stored in conflict.changes}
    assert changes["Motivation"] == ("Ma saisie.", "Modifiée ailleurs.")
    assert changes["Durée maximale"] == ("5", "7")
    db.session.expire_all()
    assert db.session.get(ImmersionRequest, item.id).motivation == "Modifiée ailleurs."


def test_a_concurrent_save_between_check_and_write_is_caught_by_the_version_column(agent):
    item = service.create_request(agent, _data())
    version = item.version
    # Another worker saves after we loaded the row: our UPDATE finds no row at our version.
    db.session.execute(
        update(ImmersionRequest)
        .where(ImmersionRequest.id == item.id)
        .values(version=version + 1, motivation="Ailleurs.")
    )
    db.session.commit()  # (expire_on_commit is off in tests: `item` still holds the version we loaded)
    with pytest.raises(service.Conflict):
        service.update_request(agent, item, _data(version=version, motivation="Ici."))
    db.session.expire_all()
    assert db.session.get(ImmersionRequest, item.id).motivation == "Ailleurs."


def test_editing_a_submitted_request_checks_the_rules_again_but_not_after_approval(agent):
    item = service.create_request(agent, _data(), submit=True)
    with pytest.raises(ServiceError) as caught:
        service.update_request(agent, item, _data(version=item.version, max_days=11 - 10, min_days=1))
    assert "min_days" in caught.value.errors
    service.update_request(agent, item, _data(version=item.version, max_days=6))
    assert item.status == RequestStatus.SUBMITTED and item.max_days == 6
    item.status = RequestStatus.APPROVED
    db.session.commit()
    with pytest.raises(ServiceError, match="ne se modifie plus"):
        service.update_request(agent, item, _data(version=item.version))


def test_wishes_are_published_offers_of_the_network_from_another_organisation(agent):
    own = OfferFactory(organisation=agent.organisation)
    with pytest.raises(ServiceError, match="autre organisation"):
        service.create_request(agent, _data(wishes=[own.id]))
    draft = _foreign_offer(agent, status=OfferStatus.DRAFT)
    with pytest.raises(ServiceError, match="publiée"):
        service.create_request(agent, _data(wishes=[draft.id]))
    elsewhere = OfferFactory()  # another network
    with pytest.raises(ServiceError, match="publiée"):
        service.create_request(agent, _data(wishes=[elsewhere.id]))


def test_ranked_wishes_can_be_reordered_and_added_up_to_five(agent):
    offers = [_foreign_offer(agent) for _ in range(6)]
    item = service.create_request(agent, _data(wishes=[offers[0].id, offers[1].id]))
    service.update_request(agent, item, _data(version=item.version, wishes=[offers[1].id, offers[0].id]))
    assert [(w.rank, w.offer_id) for w in item.wishes] == [(1, offers[1].id), (2, offers[0].id)]
    for offer in offers[2:5]:
        service.add_wish(agent, item, offer.id, item.version)
    assert [w.rank for w in item.wishes] == [1, 2, 3, 4, 5]
    with pytest.raises(ServiceError, match="cinq vœux"):
        service.add_wish(agent, item, offers[5].id, item.version)
    with pytest.raises(ServiceError, match="déjà"):
        service.add_wish(agent, item, offers[0].id, item.version)


def test_withdrawing(agent):
    item = service.create_request(agent, _data(), submit=True)
    service.withdraw_request(agent, item, item.version)
    assert item.status == RequestStatus.WITHDRAWN
    with pytest.raises(ServiceError):
        service.withdraw_request(agent, item, item.version)


def test_hr_approval_notifies_the_agent_in_their_language(ctx):
    agent = UserFactory(locale="en")
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    item = RequestFactory(agent=agent, submitted_at=None)
    service.decide(hr, item, "approve", "", item.version)
    assert item.status == RequestStatus.APPROVED and item.decided_by_id == hr.id
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == agent.id))
    assert note.kind == "request.approved"
    assert f"http://localhost/agent/demandes/{item.id}" in note.body  # on BASE_URL
    assert (
        db.session.scalar(
            select(AuditEvent.action).where(AuditEvent.target_id == item.id, AuditEvent.action.like("request.%"))
        )
        == "request.approve"
    )


def test_refusing_or_postponing_needs_a_reason_that_reaches_the_agent(ctx):
    agent = UserFactory()
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    item = RequestFactory(agent=agent)
    with pytest.raises(ServiceError) as caught:
        service.decide(hr, item, "refuse", "  ", item.version)
    assert "reason" in caught.value.errors
    assert item.status == RequestStatus.SUBMITTED
    service.decide(hr, item, "postpone", "Trop de départs en juin.", item.version)
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == agent.id))
    assert note.kind == "request.postponed" and "Trop de départs en juin." in note.body
    assert "reportée" in note.subject
    service.decide(hr, item, "refuse", "Service en sous-effectif.", item.version)
    assert item.status == RequestStatus.REFUSED
    with pytest.raises(ServiceError, match="n'attend pas"):
        service.decide(hr, item, "approve", "", item.version)


def test_hr_cannot_answer_their_own_request_nor_a_stale_one(ctx):
    hr = UserFactory(roles=[Role.RH, Role.AGENT])
    colleague = UserFactory(organisation=hr.organisation, roles=[Role.RH])
    own = RequestFactory(agent=hr)
    with pytest.raises(ServiceError, match="propre demande"):
        service.decide(hr, own, "approve", "", own.version)
    with pytest.raises(service.Conflict):
        service.decide(colleague, own, "approve", "", own.version - 1 or 99)
    assert own.status == RequestStatus.SUBMITTED


def test_deadline_and_overdue(ctx):
    from mobilite.models import utcnow

    item = RequestFactory(submitted_at=utcnow() - timedelta(days=31))
    assert service.answer_deadline(item) == (item.submitted_at + timedelta(days=30)).date()
    assert service.is_overdue(item)
    item.submitted_at = utcnow()
    assert not service.is_overdue(item)
