"""The confirmed immersion: agreement summary, PDF, the reminder before it, and its end."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import Immersion, ImmersionStatus, Notification, RequestStatus, Role
from mobilite.services import immersions as service
from mobilite.services.agreement_pdf import agreement_pdf, latin1
from tests.factories import ImmersionFactory, UserFactory

START = date(2031, 3, 3)  # a Monday


@pytest.fixture
def immersion(ctx):
    item = ImmersionFactory(
        proposal__session__start_date=START,
        proposal__session__end_date=START + timedelta(days=2),
        proposal__session__working_days=3,
    )
    offer = item.session.offer
    offer.tutor_name, offer.tutor_role, offer.team = "Jeanne Dœuf", "Cheffe de service", "Service œnologie"
    offer.organisation.address, offer.organisation.postcode, offer.organisation.city = (
        "1 place de l'Hôtel de Ville",
        "38000",
        "Grenoble",
    )
    db.session.commit()
    return item


def test_the_summary_names_everyone_and_the_quota(immersion):
    summary = service.agreement_summary(immersion)
    agent = immersion.proposal.request.agent
    assert summary["agent_name"] == agent.full_name
    assert summary["home_name"] == immersion.proposal.request.organisation.name
    assert summary["host_name"] == immersion.session.offer.organisation.name
    assert summary["host_address"] == "1 place de l'Hôtel de Ville, 38000 Grenoble"
    assert summary["team"] == "Service œnologie" and summary["tutor_name"] == "Jeanne Dœuf"
    assert (summary["start_date"], summary["end_date"], summary["working_days"]) == (
        START,
        START + timedelta(days=2),
        3,
    )
    assert summary["quota_used"] == 3 and summary["quota_remaining"] == 17 and summary["quota_days"] == 20


def test_the_pdf_is_a_pdf_naming_the_agent(immersion):
    summary = service.agreement_summary(immersion)
    data = agreement_pdf(summary)
    assert data.startswith(b"%PDF")
    assert latin1(summary["agent_name"]).encode("latin-1") in data
    assert b"Service oenologie" in data and b"Jeanne Doeuf" in data  # transliterated for the core font
    assert agreement_pdf(summary, compress=True).startswith(b"%PDF")


def test_latin1_transliteration_keeps_french_accents():
    assert latin1("Élodie · l’œuvre – « été » … 10 €") == "Élodie · l'oeuvre - « été » ... 10 EUR"
    assert latin1("Łukasz Dvořák, 日本") == "Lukasz Dvorák, ??"


def test_the_reminder_goes_out_once_three_days_before(immersion):
    host_hr = UserFactory(organisation=immersion.session.offer.organisation, roles=[Role.RH])
    agent_id = immersion.agent_id
    now = datetime(2031, 2, 27, 8, tzinfo=UTC)
    assert service.remind_upcoming(START - timedelta(days=4), now) == 0
    assert service.remind_upcoming(START - timedelta(days=3), now) == 1
    # The agent by e-mail at once; the host's HR officer in their inbox, for the morning digest.
    from mobilite.models import InboxItem

    kinds = dict(db.session.execute(select(InboxItem.user_id, InboxItem.kind)).all())
    assert kinds == {agent_id: "immersion.reminder.agent", host_hr.id: "immersion.reminder.host"}
    assert db.session.scalars(select(Notification.kind)).all() == ["immersion.reminder.agent"]
    assert db.session.get(Immersion, immersion.id).reminder_sent_at == now
    assert service.remind_upcoming(START - timedelta(days=2), now) == 0
    assert service.remind_upcoming(START, now) == 0
    assert db.session.scalar(select(func.count(InboxItem.id))) == 2


def test_an_immersion_confirmed_late_is_still_reminded_before_it_starts(immersion):
    assert service.remind_upcoming(START - timedelta(days=1)) == 1
    assert service.remind_upcoming(START + timedelta(days=1)) == 0


def test_ended_immersions_are_done_and_close_their_request(immersion):
    end = immersion.end_date
    assert service.complete_immersions(end) == 0  # its last day: still going on
    assert service.complete_immersions(end + timedelta(days=1)) == 1
    db.session.expire_all()
    item = db.session.get(Immersion, immersion.id)
    assert item.status == ImmersionStatus.DONE
    assert item.proposal.request.status == RequestStatus.CLOSED
    assert service.complete_immersions(end + timedelta(days=2)) == 0
