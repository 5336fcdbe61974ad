"""The legal rules of a request, each one holding and broken (décret n° 2022-1043)."""

from datetime import date, timedelta

import pytest

from mobilite.extensions import db
from mobilite.models import Immersion, ImmersionStatus, Proposal, Round
from mobilite.services import rules
from tests.factories import NetworkFactory, OfferSessionFactory, OrganisationFactory, RequestFactory, UserFactory

TODAY = date(2026, 3, 2)  # a Monday


def immersion(agent, days: int, start: date, status=ImmersionStatus.CONFIRMED):
    """A confirmed immersion of `agent`, hosted in another network (the quota counts across employers)."""
    session = OfferSessionFactory(start_date=start, end_date=start + timedelta(days=days), working_days=days)
    host = session.offer.organisation
    round_ = Round(network_id=host.network_id, week_start=start - timedelta(days=start.weekday() + 7 * days))
    proposal = Proposal(round=round_, request=RequestFactory(agent=agent), session=session)
    db.session.add(proposal)
    row = Immersion(
        proposal=proposal,
        agent_id=agent.id,
        home_organisation_id=agent.organisation_id,
        host_organisation_id=host.id,
        session=session,
        start_date=start,
        end_date=start + timedelta(days=days),
        working_days=days,
        status=status,
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def network(ctx):
    return NetworkFactory()  # legal defaults: 2–10 days, 20 days over 3 years


@pytest.fixture(autouse=True)
def _context(ctx):
    """Messages are translated and dates formatted: every rule runs in a request context."""


def test_duration_within_the_network_limits_holds(network):
    assert rules.duration_errors(2, 10, network) == {}


def test_duration_outside_the_network_limits_is_explained(network):
    assert "au moins 2 jours ouvrés" in rules.duration_errors(1, 5, network)["min_days"][0]
    network.max_days = 5
    errors = rules.duration_errors(2, 8, network)
    assert "ne peut pas dépasser 5 jours ouvrés" in errors["max_days"][0]
    assert "supérieure ou égale" in rules.duration_errors(4, 3, network)["max_days"][0]


def test_a_network_may_lower_the_minimum(network):
    network.min_days = 1
    assert rules.duration_errors(1, 1, network) == {}


def test_quota_counts_confirmed_and_done_immersions_in_every_network(network):
    agent = UserFactory(organisation=OrganisationFactory(network=network))
    immersion(agent, 10, TODAY - timedelta(days=400), ImmersionStatus.DONE)
    immersion(agent, 5, TODAY + timedelta(days=30))  # still to come: counts too
    immersion(agent, 8, TODAY - timedelta(days=100), ImmersionStatus.CANCELLED)  # gives its days back
    immersion(agent, 9, TODAY - timedelta(days=4 * 365), ImmersionStatus.DONE)  # older than 3 years
    assert rules.used_quota_days(agent.id, network, TODAY) == 15
    assert rules.remaining_quota(agent.id, network, TODAY) == 5
    assert rules.quota_errors(5, 5, network) == {}


def test_quota_too_small_for_the_minimum_duration_is_explained(network):
    agent = UserFactory(organisation=OrganisationFactory(network=network))
    immersion(agent, 10, TODAY - timedelta(days=200), ImmersionStatus.DONE)
    immersion(agent, 9, TODAY - timedelta(days=20), ImmersionStatus.DONE)
    remaining = rules.remaining_quota(agent.id, network, TODAY)
    assert remaining == 1
    message = rules.quota_errors(2, remaining, network)["min_days"][0]
    assert "Il vous reste 1 jours d'immersion sur les 20 permis sur 3 ans" in message
    assert "19 déjà accomplis" in message


def test_future_well_formed_windows_long_enough_hold():
    windows = [(TODAY + timedelta(days=7), TODAY + timedelta(days=11))]  # Monday to Friday: 5 working days
    assert rules.window_errors(windows, 5, TODAY) == {}


def test_no_window_is_refused():
    assert rules.window_errors([], 2, TODAY) == {"windows": ["Indiquez au moins une période de disponibilité."]}


def test_a_window_starting_today_or_before_is_refused():
    errors = rules.window_errors([(TODAY, TODAY + timedelta(days=10))], 2, TODAY)
    assert "dans le futur" in errors["windows-0-start"][0]


def test_a_window_ending_before_it_starts_is_refused():
    errors = rules.window_errors([(TODAY + timedelta(days=9), TODAY + timedelta(days=8))], 1, TODAY)
    assert "postérieure à la date de début" in errors["windows-0-end"][0]


def test_a_window_too_short_for_the_minimum_is_refused():
    # Saturday to Tuesday: two working days, one fewer than asked.
    start = TODAY + timedelta(days=5)
    windows = [(TODAY + timedelta(days=7), TODAY + timedelta(days=20)), (start, start + timedelta(days=3))]
    errors = rules.window_errors(windows, 3, TODAY)
    assert list(errors) == ["windows-1-end"]
    assert "il n'y a que 2 jours ouvrés\u00a0: il en faut au moins 3" in errors["windows-1-end"][0]


def test_public_holidays_are_not_working_days():
    # 1 May 2026 is a Friday: Thursday 30 April to Friday 1 May holds a single working day.
    errors = rules.window_errors([(date(2026, 4, 30), date(2026, 5, 1))], 2, TODAY)
    assert "que 1 jour ouvré" in errors["windows-0-end"][0]


def test_submission_errors_gathers_every_rule(network):
    agent = UserFactory(organisation=OrganisationFactory(network=network))
    errors = rules.submission_errors(agent.id, network, min_days=1, max_days=11, windows=[], today=TODAY)
    assert set(errors) == {"min_days", "max_days", "windows"}
    assert (
        rules.submission_errors(
            agent.id,
            network,
            min_days=2,
            max_days=5,
            windows=[(TODAY + timedelta(days=7), TODAY + timedelta(days=30))],
            today=TODAY,
        )
        == {}
    )


def test_a_window_beyond_two_years_is_refused_by_name_without_counting_its_days(monkeypatch):
    def no_counting(*_args):
        raise AssertionError("counted working days until year 9999")

    monkeypatch.setattr(rules, "count_working_days", no_counting)
    windows = [(TODAY + timedelta(days=7), date(9999, 12, 31))] * 10
    errors = rules.window_errors(windows, 2, TODAY)
    assert set(errors) == {f"windows-{i}-end" for i in range(10)}
    assert "Date trop lointaine" in errors["windows-0-end"][0]
