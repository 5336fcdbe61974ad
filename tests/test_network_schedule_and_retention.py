"""The network settings in the scheduler: paused rounds, a campaign's single round; and each network's four
retention periods applied by the purge job, one audit entry per run and network with the counts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import select

from mobilite import jobs
from mobilite.extensions import db
from mobilite.models import (
    AuditEvent,
    Immersion,
    ImmersionRequest,
    Network,
    OfferStatus,
    Organisation,
    RequestStatus,
    Role,
    RoundMode,
)
from mobilite.scheduler import build_scheduler, network_triggers
from mobilite.services import offers as offer_service
from mobilite.services import requests as request_service
from mobilite.services import retention, rounds
from mobilite.services.errors import ServiceError
from tests.factories import (
    ImmersionFactory,
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)

PARIS = ZoneInfo("Europe/Paris")


def _campaign(network: Network, on: date, at: str = "30 7 * * tue") -> Network:
    network.round_mode = RoundMode.CAMPAIGN
    network.campaign_collection_end = on - timedelta(days=7)
    network.campaign_round_date = on
    network.match_cron = at
    db.session.commit()
    return network


# --- the scheduler --------------------------------------------------------------------------------------


def test_a_paused_network_has_no_round_job_and_resumes_with_its_cron(app):
    weekly, paused = NetworkFactory(match_cron="0 8 * * thu"), NetworkFactory(rounds_paused=True)
    expected, left_out = f"weekly_round:{weekly.id}", f"weekly_round:{paused.id}"
    paused_id = paused.id
    triggers = network_triggers()
    assert left_out not in triggers
    network_id, trigger = triggers[expected]
    assert network_id == weekly.id and isinstance(trigger, CronTrigger) and "thu" in str(trigger)
    ids = {job.id for job in build_scheduler(app).get_jobs()}
    assert expected in ids and left_out not in ids
    db.session.get(Network, paused_id).rounds_paused = False  # (the scheduler's sync ended the test's session)
    db.session.commit()
    assert left_out in network_triggers()


def test_a_campaign_runs_one_round_at_its_date_and_hour_instead_of_the_weekly_cron(app):
    on = date.today() + timedelta(days=10)
    network = _campaign(NetworkFactory(), on)
    _id, trigger = network_triggers()[f"weekly_round:{network.id}"]
    assert isinstance(trigger, DateTrigger)
    assert trigger.run_date == datetime.combine(on, time(7, 30), tzinfo=PARIS)
    # Once: after the date (past the grace of an hour), or once its week's round is claimed, nothing more.
    network.campaign_round_date = date.today() - timedelta(days=1)
    network.campaign_collection_end = network.campaign_round_date
    db.session.commit()
    assert f"weekly_round:{network.id}" not in network_triggers()
    network.campaign_round_date = on
    db.session.commit()
    RoundFactory(network=network, week_start=rounds.week_of(on))
    assert f"weekly_round:{network.id}" not in network_triggers()


def test_a_paused_campaign_has_no_job_either(app):
    network = _campaign(NetworkFactory(), date.today() + timedelta(days=3))
    network.rounds_paused = True
    db.session.commit()
    assert f"weekly_round:{network.id}" not in network_triggers()


def test_the_round_job_checks_the_settings_again_when_it_fires(app, monkeypatch):
    """The job may have been planned before the coordinator paused or moved the campaign."""
    ran = []
    monkeypatch.setattr(rounds, "schedule_weekly_round", lambda network_id, today=None: ran.append(network_id))
    weekly, paused = NetworkFactory(), NetworkFactory(rounds_paused=True)
    elsewhere = _campaign(NetworkFactory(), date.today() + timedelta(days=5))
    ids = (weekly.id, paused.id, elsewhere.id)
    for network_id in ids:
        jobs.weekly_round(app, network_id)
    assert ran == [ids[0]]
    with app.app_context():
        campaign = db.session.get(Network, ids[2])
        campaign.campaign_round_date = jobs.paris_today()
        campaign.campaign_collection_end = jobs.paris_today()
        db.session.commit()
    jobs.weekly_round(app, ids[2])
    assert ran == [ids[0], ids[2]]


# --- retention ------------------------------------------------------------------------------------------

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)
JUST = timedelta(minutes=5)


def _network(**periods) -> Network:
    return NetworkFactory(
        retention_days=periods.get("requests", 400),
        immersion_retention_days=periods.get("immersions", 1200),
        sign_in_log_retention_days=periods.get("sign_ins", 200),
        audit_retention_days=periods.get("audit", 800),
    )


def _event(network: Network, action: str, age: timedelta, *, by_organisation: bool = False) -> int:
    organisation_id = OrganisationFactory(network=network).id if by_organisation else None
    event = AuditEvent(
        action=action,
        target_type="User",
        at=NOW - age,
        network_id=None if by_organisation else network.id,
        organisation_id=organisation_id,
        details={},
    )
    db.session.add(event)
    db.session.commit()
    return event.id


def _ids(model, ids) -> set[int]:
    return set(db.session.scalars(select(model.id).where(model.id.in_(ids))))


def _purge_entries(network: Network) -> list[dict]:
    return [
        e.details
        for e in db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "retention.purge",
                AuditEvent.target_type == "Network",
                AuditEvent.target_id == network.id,
            )
        )
    ]


def test_requests_without_immersion_just_inside_their_period_stay_just_outside_go(app):
    network = _network(requests=400)
    other = _network(requests=2000)  # the same ages, a longer period: nothing goes there
    organisation, other_organisation = OrganisationFactory(network=network), OrganisationFactory(network=other)
    ages = {"inside": timedelta(days=400) - JUST, "outside": timedelta(days=400) + JUST}
    made = {}
    for where, org in (("here", organisation), ("there", other_organisation)):
        for name, age in ages.items():
            made[where, name] = request = RequestFactory(
                agent=UserFactory(organisation=org), status=RequestStatus.REFUSED
            )
            request.updated_at = NOW - age
    db.session.commit()
    ids = {key: r.id for key, r in made.items()}
    retention.purge(NOW)
    assert _ids(ImmersionRequest, ids.values()) == {
        ids["here", "inside"],
        ids["there", "inside"],
        ids["there", "outside"],
    }
    assert _purge_entries(network)[-1]["requests"] == 1 and _purge_entries(other)[-1]["requests"] == 0


def test_ended_immersions_go_with_their_request_after_their_period_counted_from_their_last_day(app):
    today = NOW.astimezone(PARIS).date()
    made, networks = {}, {}
    for name, last_day in (("inside", today - timedelta(days=1200)), ("outside", today - timedelta(days=1201))):
        immersion = ImmersionFactory()
        network = db.session.get(Organisation, immersion.home_organisation_id).network
        network.immersion_retention_days = 1200
        immersion.start_date, immersion.end_date = last_day - timedelta(days=2), last_day
        made[name] = (immersion.id, immersion.proposal.request_id)
        networks[name] = network
    db.session.commit()
    retention.purge(NOW)
    assert _ids(Immersion, [i for i, _r in made.values()]) == {made["inside"][0]}
    assert _ids(ImmersionRequest, [r for _i, r in made.values()]) == {made["inside"][1]}
    assert _purge_entries(networks["outside"])[-1]["immersions"] == 1
    assert _purge_entries(networks["inside"])[-1]["immersions"] == 0


def test_sign_in_events_and_other_audit_events_each_follow_their_period(app):
    network = _network(sign_ins=200, audit=800)
    events = {
        "sign_in_inside": _event(network, "auth.login", timedelta(days=200) - JUST),
        "sign_in_outside": _event(network, "auth.login_failed", timedelta(days=200) + JUST, by_organisation=True),
        "audit_inside": _event(network, "account.deactivate", timedelta(days=800) - JUST, by_organisation=True),
        "audit_outside": _event(network, "network.settings", timedelta(days=800) + JUST),
        # an old action that is not a sign-in stays while the audit period runs
        "audit_older_than_sign_ins": _event(network, "round.publish", timedelta(days=300)),
    }
    retention.purge(NOW)
    kept = _ids(AuditEvent, events.values())
    assert kept == {events["sign_in_inside"], events["audit_inside"], events["audit_older_than_sign_ins"]}
    entry = _purge_entries(network)[-1]
    assert entry["sign_in_events"] == 1 and entry["audit_events"] == 1


def test_each_run_writes_one_entry_per_network_with_its_counts_and_one_for_the_platform(app):
    first, second = _network(), _network()
    before = {n.id: len(_purge_entries(n)) for n in (first, second)}
    retention.purge(NOW)
    retention.purge(NOW)
    for network in (first, second):
        entries = _purge_entries(network)
        assert len(entries) == before[network.id] + 2
        assert set(entries[-1]) == {"requests", "immersions", "sign_in_events", "audit_events"}
    platform = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention.purge", AuditEvent.target_type == "PurgeRun")
    ).all()
    assert platform and {"login_attempts", "notifications", "audit_events"} <= set(platform[-1].details)
    assert all(e.network_id == n.id for n in (first, second) for e in _network_entries(n))


def _network_entries(network: Network) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention.purge", AuditEvent.target_id == network.id)
        )
    )


# --- a campaign collects until its date ------------------------------------------------------------------


def test_after_a_campaigns_collection_end_no_request_is_submitted(app):
    draft = RequestFactory(status=RequestStatus.DRAFT)
    network = draft.organisation.network
    today = date.today()
    _campaign(network, today + timedelta(days=3))
    network.campaign_collection_end = today - timedelta(days=1)
    db.session.commit()
    with app.test_request_context(), pytest.raises(ServiceError) as refused:
        request_service.submit_request(draft.agent, draft, draft.version, today=today)
    assert "ne reçoit plus ni demandes ni offres" in " ".join(refused.value.errors.get("_schema", []))
    # On the last day of the collection, the campaign still takes it (whatever other rules say).
    network.campaign_collection_end = today
    db.session.commit()
    with app.test_request_context(), pytest.raises(ServiceError) as other_rules:
        request_service.submit_request(draft.agent, draft, draft.version, today=today)
    assert "ne reçoit plus" not in str(other_rules.value)


def test_after_a_campaigns_collection_end_no_offer_is_submitted(app):
    offer = OfferFactory(status=OfferStatus.DRAFT)
    OfferSessionFactory(offer=offer)
    hr = UserFactory(organisation=offer.organisation, roles=[Role.RH])
    today = date.today()
    network = _campaign(offer.organisation.network, today + timedelta(days=3))
    network.campaign_collection_end = today - timedelta(days=1)
    db.session.commit()
    with app.test_request_context(), pytest.raises(ServiceError, match="ne reçoit plus ni demandes ni offres"):
        offer_service.submit_offer(hr, offer, today)
    network.round_mode = RoundMode.WEEKLY  # weekly rounds take offers whatever the old campaign's dates
    db.session.commit()
    with app.test_request_context():
        assert offer_service.submit_offer(hr, offer, today).status in (OfferStatus.SUBMITTED, OfferStatus.PUBLISHED)
