"""Calling off an immersion before its first day, the days actually done, the certificate and the mission
expenses (services/cancellation.py, feedback.py, certificate.py, mission_expenses.py)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import (
    FeedbackSide,
    ForbiddenPair,
    ImmersionStatus,
    InboxItem,
    Organisation,
    RequestStatus,
    Role,
)
from mobilite.services import cancellation, certificate, mission_expenses, rounds
from mobilite.services.errors import ServiceError
from mobilite.services.feedback import give_feedback
from mobilite.services.round_problem import load_problem
from mobilite.services.rules import used_quota_days
from tests.factories import CoordinatorFactory, ImmersionFactory, OrganisationFactory, RequestFactory, UserFactory
from tests.fixtures import fresh

TODAY = date.today()
START = TODAY + timedelta(days=14)


@pytest.fixture
def immersion(ctx):
    # One seat only: while the immersion holds it, a round has none left to offer.
    return ImmersionFactory(
        proposal__session__start_date=START,
        proposal__session__end_date=START + timedelta(days=2),
        proposal__session__working_days=3,
        proposal__session__capacity=1,
    )


def _agent(immersion):
    return immersion.proposal.request.agent


def _hr_of(organisation_id: int):
    return UserFactory(organisation=db.session.get(Organisation, organisation_id), roles=[Role.RH])


def _network(immersion):
    return immersion.proposal.round.network


def _seats_offered(immersion) -> int:
    """The capacity the next round's engine sees for the immersion's session."""
    sessions = load_problem(_network(immersion), rounds.week_of(TODAY)).problem.sessions
    return next(s.capacity for s in sessions if s.id == str(immersion.session_id))


def _told(prefix: str) -> set[int]:
    return set(db.session.scalars(select(InboxItem.user_id).where(InboxItem.kind.startswith(prefix))))


def test_calling_off_before_the_start_gives_the_days_back_and_reopens_the_seat(immersion):
    agent, network = _agent(immersion), _network(immersion)
    home_hr, host_hr = _hr_of(immersion.home_organisation_id), _hr_of(immersion.host_organisation_id)
    assert used_quota_days(agent.id, network, START) == 3
    assert _seats_offered(immersion) == 0

    cancellation.call_off(
        agent, immersion, "  Mon service a besoin de moi cette semaine-là.  ", today=START - timedelta(1)
    )

    immersion = fresh(immersion)
    assert immersion.status == ImmersionStatus.CANCELLED
    assert immersion.cancel_reason == "Mon service a besoin de moi cette semaine-là."
    assert immersion.cancelled_by_id == agent.id and immersion.cancelled_at is not None
    assert used_quota_days(agent.id, network, START) == 0
    assert _seats_offered(immersion) == 1
    # Called off by the agent: their request is closed, and this pair is never proposed again.
    assert immersion.proposal.request.status == RequestStatus.CLOSED
    assert db.session.scalar(select(ForbiddenPair.source).where(ForbiddenPair.session_id == immersion.session_id)) == (
        "cancelled"
    )
    # The others are told, not the one who called it off.
    assert _told("immersion.cancelled.") == {home_hr.id, host_hr.id}


def test_host_calling_off_puts_the_request_back_in_the_queue(immersion):
    host_hr = _hr_of(immersion.host_organisation_id)
    cancellation.call_off(host_hr, immersion, "Tutrice absente.", today=TODAY)
    immersion = fresh(immersion)
    assert immersion.status == ImmersionStatus.CANCELLED
    assert immersion.proposal.request.status == RequestStatus.APPROVED
    assert _agent(immersion).id in _told("immersion.cancelled.agent")


def test_the_coordination_of_the_network_may_call_it_off(immersion):
    coordinator = CoordinatorFactory(network_id=_network(immersion).id)
    cancellation.call_off(coordinator, immersion, "Erreur de publication.", today=TODAY)
    assert fresh(immersion).status == ImmersionStatus.CANCELLED


@pytest.mark.parametrize("day", [START, START + timedelta(days=1), START + timedelta(days=30)])
def test_from_the_first_day_on_it_cannot_be_called_off(immersion, day):
    agent = _agent(immersion)
    with pytest.raises(ServiceError, match="ne peut plus être annulée"):
        cancellation.call_off(agent, immersion, "Trop tard.", today=day)
    db.session.rollback()
    immersion = fresh(immersion)
    assert immersion.status == ImmersionStatus.CONFIRMED and immersion.cancelled_at is None
    assert used_quota_days(agent.id, _network(immersion), START) == 3


def test_only_the_parties_and_the_network_coordination_may_call_it_off(immersion):
    outsiders = [
        UserFactory(organisation=OrganisationFactory(network=_network(immersion)), roles=[Role.RH]),
        CoordinatorFactory(),  # of another network
        UserFactory(organisation=db.session.get(Organisation, immersion.host_organisation_id), roles=[Role.AGENT]),
    ]
    for outsider in outsiders:
        with pytest.raises(ServiceError):
            cancellation.call_off(outsider, immersion, "Pas mon affaire.", today=TODAY)
    assert fresh(immersion).status == ImmersionStatus.CONFIRMED


def test_a_reason_is_required_on_its_field(immersion):
    with pytest.raises(ServiceError) as refused:
        cancellation.call_off(_agent(immersion), immersion, "   ", today=TODAY)
    assert set(refused.value.errors) == {"reason"}
    assert fresh(immersion).status == ImmersionStatus.CONFIRMED


def test_twice_is_refused(immersion):
    cancellation.call_off(_agent(immersion), immersion, "Empêchement.", today=TODAY)
    with pytest.raises(ServiceError):
        cancellation.call_off(_hr_of(immersion.host_organisation_id), immersion, "Aussi.", today=TODAY)


# --- after the end: the days actually done, the certificate ----------------------------------------------

END = START + timedelta(days=2)
DONE = {"outcome": "done", "satisfaction": 4, "would_recommend": True}


def test_partly_done_counts_the_days_done_the_fewer_when_both_sides_say(immersion):
    agent, host_hr = _agent(immersion), _hr_of(immersion.host_organisation_id)
    partly = {**DONE, "outcome": "partly_done", "outcome_reason": "Grève des transports."}
    with pytest.raises(ServiceError) as refused:
        give_feedback(agent, immersion, FeedbackSide.AGENT, {**partly, "days_done": 4}, today=END)
    assert set(refused.value.errors) == {"days_done"}  # more than its 3 working days
    give_feedback(agent, immersion, FeedbackSide.AGENT, {**partly, "days_done": 2}, today=END)
    assert used_quota_days(agent.id, _network(immersion), START) == 2
    give_feedback(host_hr, immersion, FeedbackSide.HOST, {**partly, "days_done": 1}, today=END)
    assert fresh(immersion).days_done == 1
    assert used_quota_days(agent.id, _network(immersion), START) == 1


def test_the_certificate_waits_for_both_feedbacks_and_quotes_the_tutor(immersion):
    agent, host_hr = _agent(immersion), _hr_of(immersion.host_organisation_id)
    assert certificate.refusal(immersion)
    give_feedback(agent, immersion, FeedbackSide.AGENT, DONE, today=END)
    assert "deux bilans" in certificate.refusal(fresh(immersion))
    with pytest.raises(ServiceError):
        certificate.certificate_data(fresh(immersion))
    appraisal = "Curieux et rigoureux, a vite trouvé sa place."
    give_feedback(host_hr, immersion, FeedbackSide.HOST, {**DONE, "appraisal": appraisal}, today=END)
    data = certificate.certificate_data(fresh(immersion))
    assert data["appraisal"] == appraisal and data["days_done"] == 3
    assert data["host_name"] == immersion.session.offer.organisation.name
    pdf = certificate.certificate_pdf(data)
    assert pdf.startswith(b"%PDF") and b"Curieux et rigoureux" in pdf


def test_no_certificate_for_a_cancelled_immersion(immersion):
    cancellation.call_off(_agent(immersion), immersion, "Empêchement.", today=TODAY)
    assert "annulée" in certificate.refusal(fresh(immersion))


# --- mission expenses -----------------------------------------------------------------------------------


def test_the_estimate_follows_the_network_rates(immersion):
    agent = _agent(immersion)
    _network(immersion).mileage_rate_cents = 32
    record = mission_expenses.record_travel(
        agent, immersion, {"mode": "car", "distance_km": 25, "trips": 3}, today=TODAY
    )
    assert record.amount_cents == 2 * 25 * 3 * 32  # 48,00 euros
    record = mission_expenses.record_travel(
        agent, immersion, {"mode": "public_transport", "distance_km": 40, "trips": 2, "fare": "12.5"}, today=TODAY
    )
    assert record.amount_cents == 2500 and record.fare_cents == 1250
    with pytest.raises(ServiceError) as refused:
        mission_expenses.record_travel(agent, immersion, {"mode": "public_transport", "distance_km": 4, "trips": 1})
    assert set(refused.value.errors) == {"fare"}
    with pytest.raises(ServiceError) as refused:
        mission_expenses.record_travel(agent, immersion, {"mode": "car", "distance_km": 4, "trips": 4})
    assert set(refused.value.errors) == {"trips"}
    with pytest.raises(ServiceError):  # the agent's own, nobody else's
        mission_expenses.record_travel(
            _hr_of(immersion.home_organisation_id), immersion, {"mode": "car", "distance_km": 4, "trips": 1}
        )


def test_the_month_csv_holds_the_home_employer_s_lines_of_the_month(immersion):
    agent = _agent(immersion)
    mission_expenses.record_travel(agent, immersion, {"mode": "car", "distance_km": 25, "trips": 3}, today=TODAY)
    other_month = ImmersionFactory(
        proposal__request=RequestFactory(agent=agent, status=RequestStatus.MATCHED),
        proposal__session__start_date=START + timedelta(days=40),
        proposal__session__end_date=START + timedelta(days=41),
        proposal__session__working_days=2,
    )
    mission_expenses.record_travel(agent, other_month, {"mode": "active", "distance_km": 2, "trips": 2}, today=TODAY)
    text = mission_expenses.month_csv(immersion.home_organisation_id, START.year, START.month).decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert lines[0].split(";") == mission_expenses.CSV_COLUMNS
    assert len(lines) == 2
    row = lines[1].split(";")
    assert row[0] == f"IMM-{immersion.id:06d}" and row[2] == agent.email
    assert row[5] == START.isoformat() and row[8:14] == ["car", "25", "3", "0,32", "", "48,00"]
    # Another organisation sees none of them; a cancelled immersion leaves the file.
    assert len(mission_expenses.month_csv(immersion.host_organisation_id, START.year, START.month).split(b"\r\n")) == 2
    cancellation.call_off(agent, immersion, "Empêchement.", today=TODAY)
    assert mission_expenses.month_csv(immersion.home_organisation_id, START.year, START.month).decode(
        "utf-8-sig"
    ).strip().split("\r\n") == [lines[0]]
