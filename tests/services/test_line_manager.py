"""The career project, the line manager's opinion and the three-month notice (décret n° 2016-1732, art. 13-1).

The notice and its agreed exception, each network setting (required, advisory, skipped), the one-time link
(expired, reused, altered), and another organisation's accounts, which can neither name nor answer."""

import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    InboxItem,
    ManagerOpinion,
    Notification,
    OpinionSetting,
    OrganisationKind,
    RequestStatus,
    Role,
)
from mobilite.services import line_manager
from mobilite.services import requests as service
from mobilite.services.errors import ServiceError
from tests.factories import OrganisationFactory, RequestFactory, UserFactory

TODAY = date.today()


def _data(start_in_days: int, **overrides):
    start = TODAY + timedelta(days=start_in_days)
    data = {
        "themes": [],
        "skills": [],
        "windows": [{"start": start, "end": start + timedelta(days=27)}],
        "min_days": 2,
        "max_days": 5,
        "max_distance_km": None,
        "motivation": "Découvrir.",
        "career_project": "Confirmer mon envie de rejoindre un service d'urbanisme.",
        "shorter_notice_agreed": False,
        "line_manager_email": "cheffe@example.org",
        "wishes": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def agent(ctx):
    return UserFactory()


def _setting(agent, setting: OpinionSetting) -> None:
    agent.organisation.network.line_manager_opinion = setting
    db.session.commit()


def _link_token(immersion_request) -> str:
    """The token of the link e-mailed to the manager's address, as the mail carries it."""
    note = db.session.scalars(
        select(Notification).where(Notification.to_email == immersion_request.line_manager_email)
    ).one()
    (token,) = re.findall(r"/avis/lien/([\w.-]+)", note.body)
    return token


# --- the notice ------------------------------------------------------------------------------------------


def test_a_request_starting_within_three_months_is_refused_on_the_windows(agent):
    with pytest.raises(ServiceError) as caught:
        service.create_request(agent, _data(30), submit=True)
    (message,) = caught.value.errors["windows"]
    assert "au moins 90 jours avant" in message and "cochez la case" in message
    assert service.editable_requests(agent) == []  # nothing half-saved


def test_three_months_ahead_is_enough(agent):
    item = service.create_request(agent, _data(91), submit=True)
    assert item.status == RequestStatus.SUBMITTED


def test_a_shorter_notice_agreed_with_the_line_authority_is_accepted(agent):
    item = service.create_request(agent, _data(30, shorter_notice_agreed=True), submit=True)
    assert item.status == RequestStatus.SUBMITTED and item.shorter_notice_agreed


def test_the_network_sets_its_own_notice(agent):
    agent.organisation.network.notice_days = 20
    db.session.commit()
    assert service.create_request(agent, _data(21), submit=True).status == RequestStatus.SUBMITTED
    with pytest.raises(ServiceError) as caught:
        service.create_request(agent, _data(15), submit=True)
    assert "au moins 20 jours avant" in caught.value.errors["windows"][0]


def test_editing_a_submitted_request_later_does_not_apply_the_notice_again(agent):
    item = service.create_request(agent, _data(91), submit=True)
    later = TODAY + timedelta(days=10)  # the window now starts 81 days after the edit: submitted in time
    service.update_request(agent, item, {**_data(91), "version": item.version}, today=later)
    assert item.status == RequestStatus.SUBMITTED


def test_a_draft_needs_neither_project_nor_manager_but_submission_does(agent):
    draft = service.create_request(agent, _data(91, career_project="", line_manager_email=""))
    assert draft.status == RequestStatus.DRAFT
    with pytest.raises(ServiceError) as caught:
        service.submit_request(agent, draft, draft.version)
    assert set(caught.value.errors) == {"career_project", "line_manager_id"}


# --- naming the manager ----------------------------------------------------------------------------------


def test_the_manager_is_an_account_of_the_agents_organisation(agent):
    colleague = UserFactory(organisation=agent.organisation)
    stranger = UserFactory(organisation=OrganisationFactory(network=agent.organisation.network))
    with pytest.raises(ServiceError) as caught:
        service.create_request(agent, _data(91, line_manager_id=stranger.id, line_manager_email=""), submit=True)
    assert "line_manager_id" in caught.value.errors
    with pytest.raises(ServiceError):
        service.create_request(agent, _data(91, line_manager_id=agent.id, line_manager_email=""), submit=True)
    item = service.create_request(agent, _data(91, line_manager_id=colleague.id, line_manager_email=""), submit=True)
    assert item.line_manager_id == colleague.id
    # The colleague is asked in their inbox and by e-mail, with a link to the page where they answer.
    (note,) = db.session.scalars(select(Notification).where(Notification.recipient_id == colleague.id)).all()
    assert note.kind == "opinion.asked" and f"/avis/{item.id}" in note.body
    assert line_manager.requests_to_give(colleague) == [item]


def test_an_address_of_an_account_of_the_organisation_is_that_account(agent):
    colleague = UserFactory(organisation=agent.organisation, email="Chef.Service@example.org")
    item = service.create_request(agent, _data(91, line_manager_email="chef.service@example.org"), submit=True)
    assert item.line_manager_id == colleague.id and item.line_manager_email == "" and item.opinion_nonce == ""


# --- the network's setting -------------------------------------------------------------------------------


def test_required_hr_cannot_decide_before_the_opinion(agent):
    _setting(agent, OpinionSetting.REQUIRED)
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    manager = UserFactory(organisation=agent.organisation)
    item = service.create_request(agent, _data(91, line_manager_id=manager.id, line_manager_email=""), submit=True)
    assert line_manager.state(item).blocks_decision
    with pytest.raises(ServiceError) as caught:
        service.decide(hr, item, "approve", "", item.version)
    assert "requis" in str(caught.value)
    assert db.session.get(type(item), item.id).status == RequestStatus.SUBMITTED
    line_manager.give_opinion(item, ManagerOpinion.FAVOURABLE, "", actor=manager)
    # HR is told the opinion is in (in its inbox; e-mailed in its digest by default).
    assert db.session.scalars(
        select(InboxItem).where(InboxItem.user_id == hr.id, InboxItem.kind == "request.opinion")
    ).all()
    service.decide(hr, item, "approve", "", item.version)
    assert item.status == RequestStatus.APPROVED


def test_advisory_hr_may_decide_without_the_opinion(agent):
    hr = UserFactory(organisation=agent.organisation, roles=[Role.RH])
    item = service.create_request(agent, _data(91), submit=True)
    step = line_manager.state(item)
    assert step.setting == "advisory" and step.asked and step.opinion is None and not step.blocks_decision
    service.decide(hr, item, "approve", "", item.version)
    assert item.status == RequestStatus.APPROVED
    # Once the employer answered, the opinion is no longer asked for.
    with pytest.raises(line_manager.LinkError):
        line_manager.read_link(_link_token(item))


def test_skipped_nobody_is_asked(agent):
    _setting(agent, OpinionSetting.SKIPPED)
    item = service.create_request(agent, _data(91, line_manager_email=""), submit=True)
    step = line_manager.state(item)
    assert not step.asked and not step.blocks_decision and not step.overdue
    assert db.session.scalars(select(Notification).where(Notification.kind.like("opinion.%"))).all() == []


def test_an_unfavourable_opinion_gives_its_reason(agent):
    manager = UserFactory(organisation=agent.organisation)
    item = service.create_request(agent, _data(91, line_manager_id=manager.id, line_manager_email=""), submit=True)
    with pytest.raises(ServiceError) as caught:
        line_manager.give_opinion(item, ManagerOpinion.UNFAVOURABLE, "  ", actor=manager)
    assert "reason" in caught.value.errors
    line_manager.give_opinion(item, ManagerOpinion.UNFAVOURABLE, "Période de clôture budgétaire.", actor=manager)
    with pytest.raises(ServiceError):  # once only
        line_manager.give_opinion(item, ManagerOpinion.FAVOURABLE, "", actor=manager)
    assert item.opinion == ManagerOpinion.UNFAVOURABLE and item.opinion_reason == "Période de clôture budgétaire."


def test_the_overdue_opinion_shows_after_its_deadline(agent):
    item = service.create_request(agent, _data(91), submit=True)
    deadline = line_manager.opinion_deadline(item)
    assert deadline == TODAY + timedelta(days=15)
    assert not line_manager.is_overdue(item, deadline) and line_manager.is_overdue(item, deadline + timedelta(days=1))


def test_the_manager_is_reminded_once_before_the_deadline(agent):
    item = service.create_request(agent, _data(91), submit=True)
    deadline = line_manager.opinion_deadline(item)
    assert line_manager.send_reminders(deadline - timedelta(days=5)) == 0
    assert line_manager.send_reminders(deadline - timedelta(days=2)) == 1
    assert line_manager.send_reminders(deadline - timedelta(days=1)) == 0
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.to_email == "cheffe@example.org").order_by(Notification.id)
    ).all()
    assert kinds == ["opinion.asked", "opinion.reminder"]


# --- the one-time link -----------------------------------------------------------------------------------


def test_the_link_gives_the_opinion_once(agent):
    item = service.create_request(agent, _data(30, shorter_notice_agreed=True), submit=True)
    token = _link_token(item)
    assert line_manager.read_link(token) is item
    line_manager.give_opinion(line_manager.read_link(token), ManagerOpinion.FAVOURABLE, "", actor=None)
    assert item.opinion == ManagerOpinion.FAVOURABLE and item.opinion_at is not None  # confirms the short notice
    with pytest.raises(line_manager.LinkError) as caught:
        line_manager.read_link(token)
    assert "déjà servi" in str(caught.value) and caught.value.status == 410


def test_an_altered_link_is_refused(agent):
    item = service.create_request(agent, _data(91), submit=True)
    token = _link_token(item)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(line_manager.LinkError) as caught:
        line_manager.read_link(forged)
    assert caught.value.status == 404
    # A token signed for another request id: still the server's signature is missing.
    other = RequestFactory(agent=UserFactory(organisation=agent.organisation))
    head, _dot, rest = token.partition(".")
    with pytest.raises(line_manager.LinkError):
        line_manager.read_link(f"{head}{other.id}.{rest}")


def test_an_expired_link_is_refused(agent, monkeypatch):
    item = service.create_request(agent, _data(91), submit=True)
    month_ago = time.time() - 31 * 86400
    with monkeypatch.context() as patched:
        patched.setattr(time, "time", lambda: month_ago)
        old = line_manager.link_token(item)
    with pytest.raises(line_manager.LinkError) as caught:
        line_manager.read_link(old)
    assert "expiré" in str(caught.value) and caught.value.status == 410
    assert line_manager.read_link(_link_token(item)) is item  # the current one still works


def test_another_organisations_account_cannot_answer(agent):
    manager = UserFactory(organisation=agent.organisation)
    item = service.create_request(agent, _data(91, line_manager_id=manager.id, line_manager_email=""), submit=True)
    for stranger in (
        UserFactory(organisation=OrganisationFactory(network=agent.organisation.network), roles=[Role.RH]),
        UserFactory(organisation=OrganisationFactory(kind=OrganisationKind.COMMUNE)),
        UserFactory(organisation=agent.organisation, roles=[Role.RH]),  # HR decides; it does not give the opinion
    ):
        with pytest.raises(ServiceError):
            line_manager.give_opinion(item, ManagerOpinion.FAVOURABLE, "", actor=stranger)
    # The manager who moved to another organisation no longer answers either.
    manager.organisation = OrganisationFactory(network=agent.organisation.network)
    db.session.commit()
    with pytest.raises(ServiceError):
        line_manager.give_opinion(item, ManagerOpinion.FAVOURABLE, "", actor=manager)
    assert item.opinion is None


def test_naming_another_manager_on_a_submitted_request_asks_them_and_voids_the_old_link(agent):
    item = service.create_request(agent, _data(91), submit=True)
    old = _link_token(item)
    service.update_request(
        agent, item, {**_data(91, line_manager_email="autre.chef@example.org"), "version": item.version}
    )
    with pytest.raises(line_manager.LinkError):
        line_manager.read_link(old)
    assert line_manager.read_link(_link_token(item)) is item


def test_a_draft_submitted_with_a_manager_account_asks_that_account(agent):
    manager = UserFactory(organisation=agent.organisation)
    draft = service.create_request(agent, _data(91, line_manager_email=""))
    service.update_request(
        agent,
        draft,
        {**_data(91, line_manager_id=manager.id, line_manager_email=""), "version": draft.version},
        submit=True,
    )
    assert draft.status == RequestStatus.SUBMITTED and line_manager.requests_to_give(manager) == [draft]
    assert db.session.scalars(select(Notification).where(Notification.recipient_id == manager.id)).one().kind == (
        "opinion.asked"
    )
