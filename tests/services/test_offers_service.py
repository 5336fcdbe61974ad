"""Offers, called directly: creation, edits (and concurrent edits), submission, the coordination's decision,
HR's status buttons, duplication and sessions; each refusal says which field and leaves the offer as it was."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.limits import MAX_WORKING_DAYS
from mobilite.models import AuditEvent, Notification, Offer, OfferSession, OfferStatus, Role
from mobilite.services import offers as service
from mobilite.services.concurrency import Conflict
from mobilite.services.errors import ServiceError
from mobilite.workdays import add_working_days, count_working_days, next_monday
from tests.factories import (
    CoordinatorFactory,
    OfferFactory,
    OfferSessionFactory,
    ProposalFactory,
    SkillFactory,
    ThemeFactory,
    UserFactory,
)
from tests.fixtures import fresh

TODAY = date.today()
MONDAY = next_monday(TODAY + timedelta(days=14))


def _data(**overrides) -> dict:
    data = {
        "team": "Service urbanisme",
        "title": "Instruire un permis de construire",
        "description": "Suivre l'instruction d'un dossier, de l'arrivée à la décision.",
        "themes": [],
        "skills": [],
        "prerequisites": [],
        "tutor_name": "",
    }
    data.update(overrides)
    return data


def _actions(offer: Offer) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "Offer", AuditEvent.target_id == offer.id)
            .order_by(AuditEvent.id)
        )
    )


def _offers() -> int:
    return db.session.scalar(select(func.count(Offer.id)))


@pytest.fixture
def hr(ctx):
    return UserFactory(roles=[Role.RH])


@pytest.fixture
def coordinator(hr):
    return CoordinatorFactory(network_id=hr.organisation.network_id)


def _offer(hr, status=OfferStatus.DRAFT, **kwargs) -> Offer:
    return OfferFactory(organisation=hr.organisation, status=status, **kwargs)


def _session(offer: Offer, start: date = MONDAY, days: int = 3) -> OfferSession:
    return OfferSessionFactory(offer=offer, start_date=start, end_date=add_working_days(start, days), working_days=days)


# Creating and editing.


def test_create_offer_saves_a_draft_of_the_actors_organisation_with_its_vocabulary(hr):
    theme, skill, prerequisite = ThemeFactory(), SkillFactory(), SkillFactory()
    offer = service.create_offer(
        hr, _data(themes=[theme.id], skills=[skill.id], prerequisites=[{"skill_id": prerequisite.id, "min_level": 3}])
    )
    offer = fresh(offer)
    assert offer.status == OfferStatus.DRAFT and offer.organisation_id == hr.organisation_id
    assert offer.created_by_id == hr.id and offer.title == "Instruire un permis de construire"
    assert offer.themes == [theme] and offer.skills == [skill]
    assert [(p.skill_id, p.min_level) for p in offer.prerequisites] == [(prerequisite.id, 3)]
    assert _actions(offer) == ["offer.create"]


@pytest.mark.parametrize("field", ["themes", "skills", "prerequisites"])
def test_create_offer_refuses_an_unknown_vocabulary_id_on_its_field_and_saves_nothing(hr, field):
    before = _offers()
    value = [{"skill_id": 999_999, "min_level": 2}] if field == "prerequisites" else [999_999]
    with pytest.raises(ServiceError) as caught:
        service.create_offer(hr, _data(**{field: value}))
    db.session.rollback()
    assert list(caught.value.errors) == [field]
    assert _offers() == before


def test_update_offer_saves_the_edit_and_moves_the_version(hr):
    offer = _offer(hr)
    version = offer.version
    service.update_offer(hr, offer, _data(title="Un autre titre", version=version))
    offer = fresh(offer)
    assert offer.title == "Un autre titre" and offer.version == version + 1
    assert _actions(offer) == ["offer.update"]


def test_update_offer_on_a_stale_version_raises_a_conflict_naming_the_changed_field(hr):
    offer = _offer(hr, title="Titre enregistré")
    with pytest.raises(Conflict) as caught:
        service.update_offer(
            hr,
            offer,
            _data(
                title="Titre du formulaire", description=offer.description, team=offer.team, version=offer.version - 1
            ),
        )
    assert [(yours, stored) for _label, yours, stored in caught.value.changes] == [
        ("Titre du formulaire", "Titre enregistré")
    ]
    assert caught.value.current_version == offer.version
    assert fresh(offer).title == "Titre enregistré"


def test_update_offer_without_a_version_is_refused_on_the_version_field(hr):
    offer = _offer(hr)
    with pytest.raises(ServiceError) as caught:
        service.update_offer(hr, offer, _data(title="Sans version"))
    assert list(caught.value.errors) == ["version"]
    assert fresh(offer).title != "Sans version"


def test_an_archived_offer_is_not_edited(hr):
    offer = _offer(hr, status=OfferStatus.ARCHIVED)
    with pytest.raises(ServiceError):
        service.update_offer(hr, offer, _data(title="Trop tard", version=offer.version))
    assert fresh(offer).title != "Trop tard"


def test_changing_a_published_offers_substance_sends_it_back_to_validation_a_small_fix_does_not(hr):
    offer = _offer(hr, status=OfferStatus.PUBLISHED)
    service.update_offer(
        hr,
        offer,
        _data(title=offer.title, description=offer.description, tutor_name="Jeanne Roux", version=offer.version),
    )
    assert fresh(offer).status == OfferStatus.PUBLISHED
    service.update_offer(hr, offer, _data(title="Un autre métier", version=fresh(offer).version))
    assert fresh(offer).status == OfferStatus.SUBMITTED
    assert _actions(offer)[-2:] == ["offer.update", "offer.submitted"]


# Submission and the coordination's decision.


def test_submit_offer_sends_a_draft_with_a_future_session_to_validation(hr):
    offer = _offer(hr)
    _session(offer)
    service.submit_offer(hr, offer, TODAY)
    assert fresh(offer).status == OfferStatus.SUBMITTED and fresh(offer).published_at is None
    assert _actions(offer) == ["offer.submitted"]


def test_submit_offer_publishes_directly_where_the_network_does_not_validate(hr):
    hr.organisation.network.requires_offer_validation = False
    offer = _offer(hr)
    _session(offer)
    service.submit_offer(hr, offer, TODAY)
    assert fresh(offer).status == OfferStatus.PUBLISHED and fresh(offer).published_at is not None


def test_submit_offer_without_a_future_session_is_refused_on_sessions(hr):
    offer = _offer(hr)
    _session(offer, start=TODAY - timedelta(days=30))
    with pytest.raises(ServiceError) as caught:
        service.submit_offer(hr, offer, TODAY)
    assert list(caught.value.errors) == ["sessions"]
    assert fresh(offer).status == OfferStatus.DRAFT


def test_only_a_draft_is_submitted(hr):
    offer = _offer(hr, status=OfferStatus.PUBLISHED)
    _session(offer)
    with pytest.raises(ServiceError):
        service.submit_offer(hr, offer, TODAY)
    assert fresh(offer).status == OfferStatus.PUBLISHED


def test_validate_offer_publishes_and_tells_the_hosts_hr(hr, coordinator):
    offer = _offer(hr, status=OfferStatus.SUBMITTED)
    service.validate_offer(coordinator, offer, "publish")
    assert fresh(offer).status == OfferStatus.PUBLISHED and fresh(offer).published_at is not None
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == hr.id)) == 1
    assert _actions(offer) == ["offer.publish"]


def test_validate_offer_sends_back_to_draft_with_the_comment(hr, coordinator):
    offer = _offer(hr, status=OfferStatus.SUBMITTED)
    service.validate_offer(coordinator, offer, "send_back", "Précisez le tutorat.")
    offer = fresh(offer)
    assert offer.status == OfferStatus.DRAFT and offer.validation_comment == "Précisez le tutorat."
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == hr.id)) == 1


def test_an_unknown_decision_is_refused_on_the_decision_field(hr, coordinator):
    offer = _offer(hr, status=OfferStatus.SUBMITTED)
    with pytest.raises(ServiceError) as caught:
        service.validate_offer(coordinator, offer, "maybe")
    assert list(caught.value.errors) == ["decision"]
    assert fresh(offer).status == OfferStatus.SUBMITTED


def test_only_a_submitted_offer_is_validated(hr, coordinator):
    offer = _offer(hr, status=OfferStatus.DRAFT)
    with pytest.raises(ServiceError):
        service.validate_offer(coordinator, offer, "publish")
    assert fresh(offer).status == OfferStatus.DRAFT


# HR's buttons and duplication.


def test_change_status_closes_archives_and_reopens(hr):
    offer = _offer(hr, status=OfferStatus.PUBLISHED)
    service.change_status(hr, offer, "close")
    assert fresh(offer).status == OfferStatus.CLOSED
    service.change_status(hr, offer, "reopen")
    assert fresh(offer).status == OfferStatus.DRAFT
    service.change_status(hr, offer, "archive")
    assert fresh(offer).status == OfferStatus.ARCHIVED
    assert _actions(offer) == ["offer.close", "offer.reopen", "offer.archive"]


def test_change_status_refuses_a_move_the_lifecycle_does_not_allow(hr):
    offer = _offer(hr, status=OfferStatus.PUBLISHED)
    with pytest.raises(ServiceError):
        service.change_status(hr, offer, "archive")
    assert fresh(offer).status == OfferStatus.PUBLISHED


def test_duplicate_offer_makes_a_draft_copy_without_sessions(hr):
    theme = ThemeFactory()
    offer = _offer(hr, status=OfferStatus.PUBLISHED, themes=[theme], title="Accueil du public")
    _session(offer)
    copy = fresh(service.duplicate_offer(hr, offer))
    assert copy.id != offer.id and copy.status == OfferStatus.DRAFT
    assert copy.title == "Copie de Accueil du public" and copy.themes == [theme] and copy.sessions == []
    assert copy.description == offer.description and copy.team == offer.team
    assert _actions(copy) == ["offer.duplicate"]


# Sessions.


def test_add_session_counts_its_working_days(hr):
    offer = _offer(hr)
    end = add_working_days(MONDAY, 5)
    session = service.add_session(hr, offer, {"start_date": MONDAY, "end_date": end, "capacity": 2}, TODAY)
    assert fresh(session).working_days == count_working_days(MONDAY, end) == 5
    assert _actions(offer) == ["offer.session_add"]


def test_add_session_refuses_a_start_in_the_past(hr):
    offer = _offer(hr)
    start = TODAY - timedelta(days=1)
    with pytest.raises(ServiceError) as caught:
        service.add_session(hr, offer, {"start_date": start, "end_date": start, "capacity": 1}, TODAY)
    assert "start_date" in caught.value.errors


def test_add_session_refuses_more_working_days_than_the_law_allows(hr):
    offer = _offer(hr)
    end = add_working_days(MONDAY, MAX_WORKING_DAYS + 1)
    with pytest.raises(ServiceError) as caught:
        service.add_session(hr, offer, {"start_date": MONDAY, "end_date": end, "capacity": 1}, TODAY)
    assert list(caught.value.errors) == ["end_date"]
    db.session.rollback()
    assert fresh(offer).sessions == []


def test_session_errors_accept_the_legal_maximum(hr):
    end = add_working_days(MONDAY, MAX_WORKING_DAYS)
    assert service.session_errors({"start_date": MONDAY, "end_date": end}, TODAY) == {}


def test_no_session_is_added_to_a_closed_offer(hr):
    offer = _offer(hr, status=OfferStatus.CLOSED)
    with pytest.raises(ServiceError):
        service.add_session(hr, offer, {"start_date": MONDAY, "end_date": MONDAY, "capacity": 1}, TODAY)


def test_delete_session_removes_an_unused_session(hr):
    offer = _offer(hr)
    session = _session(offer)
    service.delete_session(hr, session)
    assert db.session.get(OfferSession, session.id) is None
    assert _actions(offer) == ["offer.session_delete"]


def test_a_session_with_proposals_is_not_deleted(hr):
    offer = _offer(hr, status=OfferStatus.PUBLISHED)
    proposal = ProposalFactory(session=_session(offer))
    with pytest.raises(ServiceError):
        service.delete_session(hr, proposal.session)
    assert db.session.get(OfferSession, proposal.session_id) is not None


def test_a_closed_offers_sessions_are_not_deleted(hr):
    offer = _offer(hr, status=OfferStatus.CLOSED)
    session = _session(offer)
    with pytest.raises(ServiceError):
        service.delete_session(hr, session)
    assert db.session.get(OfferSession, session.id) is not None
