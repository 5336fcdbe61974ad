"""Digests: a round of the demo no longer floods HR officers (one e-mail each for the round, where the demo
used to send one per proposal), the morning digest gathers what waited, and nothing goes out twice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import delete, select

from mobilite import jobs, notifications
from mobilite.extensions import db
from mobilite.models import (
    InboxDelivery,
    InboxItem,
    Network,
    Notification,
    Proposal,
    ProposalStatus,
    Role,
    User,
)
from mobilite.notifications import digests
from mobilite.services import demo, outbox, round_review, rounds
from mobilite.services.people import coordinators, hr_officers_by_organisation
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)

PASSWORD = "demo password for tests"


class Recorder:
    def __init__(self) -> None:
        self.sent: list = []

    def send(self, message) -> None:
        self.sent.append(message)


def _deliver_everything(app, monkeypatch) -> list:
    """Run the outbox job as the scheduler does (round digests first), with a transport that records."""
    transport = Recorder()
    monkeypatch.setattr(outbox, "transport_from_config", lambda config: transport)
    jobs.send_outbox(app)
    return transport.sent


def test_a_round_of_the_demo_sends_each_host_hr_officer_one_email(ctx, monkeypatch):
    app = ctx
    demo.load_demo(PASSWORD)
    db.session.execute(delete(InboxItem))
    db.session.execute(delete(Notification))  # what loading the demo may have queued is not the round's
    db.session.commit()
    network = db.session.scalar(select(Network))
    coordinator = coordinators(network.id)[0]

    round_ = rounds.request_round(network, rounds.week_of(date.today()), trigger="schedule")
    assert rounds.run_round(round_.id).status == "proposed"
    for proposal in db.session.scalars(select(Proposal).where(Proposal.round_id == round_.id)):
        proposal.status = ProposalStatus.APPROVED  # the coordinators validated every one of them
    db.session.commit()
    published = round_review.publish_round(coordinator, round_)
    sent = _deliver_everything(app, monkeypatch)

    proposals = db.session.scalars(
        select(Proposal).where(Proposal.round_id == round_.id, Proposal.status == ProposalStatus.PUBLISHED)
    ).all()
    assert published == len(proposals) >= 10
    per_address = Counter(message["To"] for message in sent)
    hosts = {p.session.offer.organisation_id for p in proposals}
    homes = {p.request.organisation_id for p in proposals}
    officers = hr_officers_by_organisation(hosts | homes)
    host_officers = {u.email for org in hosts for u in officers.get(org, [])}
    assert len(hosts) >= 3 and host_officers
    # Each host HR officer: one e-mail for the round, listing every proposal made to their offers.
    for email in host_officers:
        assert per_address[email] == 1, (email, per_address[email])
        (message,) = [m for m in sent if m["To"] == email]
        text = message.get_body(("plain",)).get_content()
        officer = db.session.scalar(select(User).where(User.email == email))
        for proposal in proposals:
            if proposal.session.offer.organisation_id == officer.organisation_id:
                assert f"/rh/propositions/{proposal.id}" in text
    # Nobody gets more than one message for the round: agents one each (their proposal, or why none),
    # HR officers of the agents' side one digest, the coordinator one (the proposals were ready).
    assert max(per_address.values()) == 1, per_address.most_common(3)
    assert per_address[coordinator.email] == 1
    assert {p.request.agent.email for p in proposals} <= set(per_address)
    # Before digests, the demo's round sent one e-mail per proposal to each HR officer of both sides.
    assert len(sent) < 3 * len(proposals)

    # Every e-mailed event is in the inbox too, with the same link.
    officer = db.session.scalar(select(User).where(User.email == next(iter(host_officers))))
    items = db.session.scalars(select(InboxItem).where(InboxItem.user_id == officer.id)).all()
    assert items and all(item.delivery == InboxDelivery.DIGEST for item in items)
    text = next(m for m in sent if m["To"] == officer.email).get_body(("plain",)).get_content()
    assert all(item.link in text for item in items)

    # The next run finds nothing more to send: each digest went out once.
    assert digests.send_round_digests() == 0
    assert _deliver_everything(app, monkeypatch) == []


def _hr_world():
    home = OrganisationFactory()
    host = OrganisationFactory(network=home.network)
    return (
        UserFactory(organisation=home, first_name="Inès"),
        UserFactory(organisation=home, first_name="Hugo", roles=[Role.RH]),
        UserFactory(organisation=host, first_name="Léon", roles=[Role.RH]),
    )


def test_the_morning_digest_gathers_the_day_and_urgent_messages_go_at_once(ctx):
    agent, home_hr, host_hr = _hr_world()
    first = RequestFactory(agent=agent, submitted_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    second = RequestFactory(agent=agent, submitted_at=datetime(2026, 11, 20, 9, tzinfo=UTC))
    notifications.request_submitted(first, [home_hr])
    notifications.request_submitted(second, [home_hr])
    # A declined proposal is urgent: at once, although HR's proposals wait for digests by default.
    session = OfferSessionFactory(offer=OfferFactory(organisation=host_hr.organisation))
    proposal = ProposalFactory(session=session, request=RequestFactory(agent=agent, status="matched"))
    notifications.proposal_declined(proposal, "agent", "Indisponible.", [(host_hr, "host")])
    db.session.commit()

    queued = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [n.kind for n in queued] == ["proposal.declined.host"]
    waiting = db.session.scalars(select(InboxItem).where(InboxItem.user_id == home_hr.id)).all()
    assert [i.delivery for i in waiting] == [InboxDelivery.WAITING] * 2 and {i.digest_key for i in waiting} == {"day"}

    assert digests.send_round_digests() == 0  # not a round's: they wait for the morning
    assert digests.send_daily_digests(datetime(2026, 11, 28, 8, 35, tzinfo=UTC)) == 1
    digest = db.session.scalars(select(Notification).where(Notification.kind == "digest.day")).one()
    assert digest.recipient_id == home_hr.id
    assert "samedi 28 novembre 2026" in digest.subject and "2 messages" in digest.subject
    # The most urgent first: the request whose answer is due first.
    assert digest.body.index(f"/rh/demandes/{first.id}") < digest.body.index(f"/rh/demandes/{second.id}")
    # Legal deadlines inside: no unsubscribe link, but the preferences.
    assert digest.unsubscribe_url == "" and "/notifications/preferences" in digest.body
    assert digests.send_daily_digests() == 0


def test_a_deactivated_account_gets_no_digest(ctx):
    agent, home_hr, _host_hr = _hr_world()
    notifications.request_submitted(RequestFactory(agent=agent), [home_hr])
    home_hr.active = False
    db.session.commit()
    assert digests.send_daily_digests() == 0
    item = db.session.scalar(select(InboxItem).where(InboxItem.user_id == home_hr.id))
    assert item.delivery == InboxDelivery.APP and item.outbox_id is None
    assert db.session.scalar(select(Notification)) is None


def test_a_round_digest_names_its_week_and_leads_to_the_proposals(ctx):
    agent, home_hr, host_hr = _hr_world()
    round_ = RoundFactory(network=agent.organisation.network, week_start=date(2027, 1, 4))
    offer = OfferFactory(organisation=host_hr.organisation)
    for _n in range(3):
        proposal = ProposalFactory(
            session=OfferSessionFactory(offer=offer),
            request=RequestFactory(agent=agent, status="matched"),
            round=round_,
            respond_by=date(2027, 1, 8),
        )
        notifications.proposal_published(proposal, [(host_hr, "host")])
    db.session.commit()
    assert digests.send_round_digests() == 1
    note = db.session.scalar(select(Notification).where(Notification.kind == "digest.round"))
    assert "lundi 4 janvier 2027" in note.subject and "3 messages" in note.subject
    assert note.body.count("À faire au plus tard le vendredi 8 janvier 2027.") == 3
    assert "http://localhost/rh/propositions\n" in note.body + "\n"  # the button: the HR list of proposals
    assert note.unsubscribe_url.startswith("http://localhost/desabonnement/")
