"""Every e-mail the application sends: rendered from its templates in French and in English, with dates as
people write them, a link that leads the recipient to a real page, and an HTML part that says the same as
the text part (and runs nothing). Digests and tutors' messages included; no template is left unused."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email import message_from_bytes, policy
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from socket import socket
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from mobilite import notifications
from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.models import (
    Channel,
    Feedback,
    FeedbackSide,
    ImmersionStatus,
    ManagerOpinion,
    Notification,
    NotificationPreference,
    OfferStatus,
    Outcome,
    RequestStatus,
    Role,
    TokenPurpose,
    User,
)
from mobilite.notifications import rendering
from mobilite.notifications.kinds import CATEGORIES, UNLISTED, category_of
from mobilite.services import outbox
from mobilite.services.requests import answer_deadline
from tests.factories import (
    CoordinatorFactory,
    ImmersionFactory,
    OfferFactory,
    OfferSessionFactory,
    OrganisationFactory,
    ProposalFactory,
    RequestFactory,
    RoundFactory,
    UserFactory,
)
from tests.fixtures import login

BASE_URL = "http://localhost"  # the testing configuration's
RESPOND_BY = date(2026, 12, 28)  # a Monday
RESPOND_BY_WRITTEN = {"fr": "lundi 28 décembre 2026", "en": "Monday, December 28, 2026"}
GREETING = {"fr": "Bonjour {name},", "en": "Hello {name},"}
TEMPLATES = Path(__file__).resolve().parent.parent / "mobilite" / "templates" / "email"


class Inbox:
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class World:
    """An agent of one organisation, its HR officer, the HR officer of the host organisation, the network's
    coordinator, and the host team's member who tutors its offers (an account here, so that they read
    English in the English run; their messages are e-mails only all the same)."""

    agent: User
    home_hr: User
    host_hr: User
    coordinator: User
    tutor: User

    def everyone(self) -> list[User]:
        return [self.agent, self.home_hr, self.host_hr, self.coordinator, self.tutor]


@pytest.fixture
def world(app) -> World:
    home = OrganisationFactory()
    host = OrganisationFactory(network=home.network)
    agent = UserFactory(organisation=home, first_name="Inès")
    return World(
        agent,
        UserFactory(organisation=home, first_name="Hugo", roles=[Role.RH]),
        UserFactory(organisation=host, first_name="Léon", roles=[Role.RH]),
        CoordinatorFactory(first_name="Maëlle", network_id=home.network_id),
        UserFactory(organisation=host, first_name="Camille", last_name="Roux"),
    )


def _offer_with_tutor(world: World, **values):
    return OfferFactory(
        organisation=world.host_hr.organisation,
        tutor_name=world.tutor.full_name,
        tutor_email=world.tutor.email,
        **values,
    )


def _proposal(world: World, round_=None):
    session = OfferSessionFactory(
        offer=_offer_with_tutor(world),
        start_date=date(2027, 1, 11),
        end_date=date(2027, 1, 13),
    )
    request = RequestFactory(agent=world.agent, status=RequestStatus.MATCHED)
    if round_ is not None:
        return ProposalFactory(session=session, request=request, respond_by=RESPOND_BY, round=round_)
    return ProposalFactory(session=session, request=request, respond_by=RESPOND_BY)


def _parties(world: World):
    return [(world.agent, "agent"), (world.home_hr, "home"), (world.host_hr, "host")]


def _ended_immersion(world: World):
    """An immersion over since last week: its feedback is open."""
    proposal = _proposal(world)
    proposal.session.start_date, proposal.session.end_date = date(2026, 11, 16), date(2026, 11, 18)
    return ImmersionFactory(
        proposal=proposal, start_date=date(2026, 11, 16), end_date=date(2026, 11, 18), status=ImmersionStatus.DONE
    )


@dataclass(frozen=True)
class Event:
    """One event, sent by `send(world)`; `day(what send returned)`: a date its messages must show.

    Every message is e-mailed at once (the world chose so), unless `chosen` is False: then the defaults
    apply, and `send` gathers the digests itself."""

    name: str
    send: Callable[[World], object]
    kinds: tuple[str, ...]
    day: Callable[[object], date] | None = None
    chosen: bool = True


def _request_submitted(world: World):
    request = RequestFactory(agent=world.agent, submitted_at=datetime(2026, 11, 27, 9, tzinfo=UTC))
    notifications.request_submitted(request, [world.home_hr])
    return request


def _submitted_deadline(request) -> date:
    return answer_deadline(request)


def _opinion_asked(world: World):
    """The agent named their HR officer's account as line manager: asked for the opinion, by the deadline."""
    from mobilite.services import line_manager

    request = RequestFactory(
        agent=world.agent, submitted_at=datetime(2026, 11, 27, 9, tzinfo=UTC), line_manager=world.home_hr
    )
    notifications.opinion_asked(request, world.home_hr, None, line_manager.opinion_deadline(request), False)
    return request


def _opinion_deadline(request) -> date:
    from mobilite.services import line_manager

    return line_manager.opinion_deadline(request)


def _opinion_given(world: World):
    request = RequestFactory(agent=world.agent, line_manager=world.home_hr, opinion=ManagerOpinion.FAVOURABLE)
    notifications.opinion_given(request, [world.home_hr])
    return request


def _offer(world: World, status: OfferStatus):
    return OfferFactory(organisation=world.host_hr.organisation, status=status)


def _token(user: User, purpose: TokenPurpose) -> str:
    from mobilite.services import auth

    return auth.issue_password_link(user, purpose, hours=48)


def _waiting_since(world: World, day: datetime):
    return RequestFactory(agent=world.agent, submitted_at=day)


def _request_deadline(world: World, stage: str):
    request = _waiting_since(world, datetime(2026, 10, 20, 9, tzinfo=UTC))
    notifications.request_deadline(request, stage, [world.home_hr])
    return request


def _immersion_cancelled(world: World):
    immersion = _ended_immersion(world)
    notifications.immersion_cancelled(immersion, world.agent, _parties(world))
    return immersion


def _round(world: World, status):
    from mobilite.models import Round, RoundStatus

    network_id, week = world.agent.organisation.network_id, date(2027, 1, 11)
    round_ = db.session.scalar(select(Round).where(Round.network_id == network_id, Round.week_start == week))
    round_ = round_ or RoundFactory(network=world.agent.organisation.network, week_start=week)  # once a week
    round_.status = RoundStatus(status)
    round_.metrics, round_.unmatched = {"placed": 3}, {"requests": []}
    if status == "proposed":
        notifications.round_ready(round_, [world.coordinator])
    else:
        notifications.round_failed(round_, [world.coordinator])
    return round_


def _round_digest(world: World):
    """A round publishes two proposals to the host's offers: its HR officer (and the agent's) get one e-mail
    each for the round; the agent gets each proposal at once."""
    from mobilite.notifications import digests

    round_ = RoundFactory(network=world.agent.organisation.network)
    for _n in range(2):
        notifications.proposal_published(_proposal(world, round_), _parties(world))
    db.session.flush()
    assert digests.send_round_digests() == 2
    return round_


def _day_digest(world: World):
    """A new request and a deadline near: the agent's HR officer gets one morning digest of both."""
    from mobilite.notifications import digests

    notifications.request_submitted(_waiting_since(world, datetime(2026, 11, 27, 9, tzinfo=UTC)), [world.home_hr])
    soon = _request_deadline(world, "soon")
    db.session.flush()
    assert digests.send_daily_digests(datetime(2026, 11, 28, 8, 35, tzinfo=UTC)) == 1
    return soon


def _round_unmatched(world: World):
    """A published round left the agent's approved request unmatched: its stored outlook is mailed."""
    from mobilite.models import RoundStatus, UnmatchedOutlook
    from mobilite.services import outlook
    from tests.factories import RoundFactory

    request = RequestFactory(agent=world.agent, status=RequestStatus.APPROVED, max_distance_km=50)
    offer = _offer(world, OfferStatus.PUBLISHED)
    round_ = RoundFactory(network=world.agent.organisation.network, status=RoundStatus.PUBLISHED)
    counts = {"offers": 6, "sessions": 6, "offers_with_seats": 6}
    changes = [
        {"rule": "distance", "offers": 4, "sessions": 5, "offers_with_seats": 2, "max_distance_km": 120},
        {"rule": "dates", **counts, "extra_days": 7, "first_start": "2027-01-11"},
    ]
    wishes = [{"offer": str(offer.id), "rank": 1, "state": "excluded", "rules": ["distance"], "distance_km": 95}]
    outlook_data = {"sessions_open": 13, "offers_with_seats": 9, "max_distance_km": 50}
    data = {"excluded": {"dates": 9, "distance": 4}, "outlook": {**outlook_data, "wishes": wishes, "changes": changes}}
    db.session.add(UnmatchedOutlook(round_id=round_.id, request_id=request.id, reason="no_eligible_session", data=data))
    db.session.commit()
    outlook.notify_unmatched(round_, [request])
    return request


def _agreement_notice(world: World, event: str):
    """The agreement of an immersion to come (services/agreement.py): a step waits, the coordination's
    reminder, signatures voided by a change, all signed, and the day-before flag of an unsigned one."""
    from mobilite.models import SignatureParty
    from mobilite.notifications import agreement

    immersion = ImmersionFactory(proposal=_proposal(world), start_date=date(2027, 1, 11), end_date=date(2027, 1, 13))
    if event in ("waiting", "reminder"):
        agreement.waiting(immersion, _parties(world), "sign", reminder=event == "reminder")
    elif event == "voided":
        agreement.voided(immersion, _parties(world), "La convention a été modifiée par l'organisation d'accueil.")
    elif event == "signed":
        agreement.signed(immersion, _parties(world))
    else:
        told = [(world.home_hr, "home"), (world.host_hr, "host"), (world.coordinator, "coordination")]
        agreement.unsigned(immersion, told, SignatureParty.HOST)
    return immersion


EVENTS = [
    Event(
        "account_invitation",
        lambda w: _token(w.agent, TokenPurpose.SET_PASSWORD),
        ("password.set_password",),
    ),
    Event(
        "password_reset",
        lambda w: _token(w.agent, TokenPurpose.RESET_PASSWORD),
        ("password.reset_password",),
    ),
    Event("request_submitted", _request_submitted, ("request.submitted",), day=_submitted_deadline),
    Event(
        "request_deadline_soon",
        lambda w: _request_deadline(w, "soon"),
        ("request.deadline_soon",),
        day=_submitted_deadline,
    ),
    Event(
        "request_deadline_passed",
        lambda w: _request_deadline(w, "passed"),
        ("request.deadline_passed.rh", "request.deadline_passed.agent"),
        day=_submitted_deadline,
    ),
    Event(
        "request_withdrawn",
        lambda w: notifications.request_withdrawn(
            RequestFactory(agent=w.agent, status=RequestStatus.WITHDRAWN), [w.home_hr]
        ),
        ("request.withdrawn",),
    ),
    Event(
        "request_decided",
        lambda w: notifications.request_decided(
            RequestFactory(agent=w.agent, status=RequestStatus.REFUSED, decision_reason="Trop de départs en juin.")
        ),
        ("request.refused",),
    ),
    Event(
        "request_paused",
        lambda w: notifications.request_paused(RequestFactory(agent=w.agent, status=RequestStatus.APPROVED)),
        ("request.paused",),
    ),
    Event(
        "request_resumed",
        lambda w: notifications.request_resumed(RequestFactory(agent=w.agent, status=RequestStatus.APPROVED)),
        ("request.resumed",),
    ),
    Event("opinion_asked", _opinion_asked, ("opinion.asked",), day=_opinion_deadline),
    Event("opinion_given", _opinion_given, ("request.opinion",)),
    Event(
        "offer_published",
        lambda w: notifications.offer_published(_offer(w, OfferStatus.PUBLISHED), [w.host_hr]),
        ("offer.published",),
    ),
    Event(
        "offer_sent_back",
        lambda w: notifications.offer_sent_back(_offer(w, OfferStatus.DRAFT), [w.host_hr], "Précisez le lieu."),
        ("offer.sent_back",),
    ),
    Event(
        "proposal_published",
        lambda w: notifications.proposal_published(_proposal(w), _parties(w)),
        ("proposal.published", "proposal.published.home", "proposal.published.host"),
        day=lambda _: RESPOND_BY,
    ),
    Event(
        "proposal_accepted",
        lambda w: notifications.proposal_accepted(_proposal(w), "agent", _parties(w)[1:]),
        ("proposal.accepted.home", "proposal.accepted.host"),
        day=lambda _: RESPOND_BY,
    ),
    Event(
        "proposal_declined",
        lambda w: notifications.proposal_declined(_proposal(w), "host", "Équipe absente.", _parties(w)[:2]),
        ("proposal.declined.agent", "proposal.declined.home"),
    ),
    Event(
        "proposal_confirmed",
        lambda w: notifications.proposal_confirmed(
            (i := ImmersionFactory(proposal=_proposal(w))).proposal, i, _parties(w)
        ),
        ("proposal.confirmed.agent", "proposal.confirmed.home", "proposal.confirmed.host", "tutor.agreement"),
        day=lambda _: date(2027, 1, 11),
    ),
    Event(
        "proposal_expiring",
        lambda w: notifications.proposal_expiring(_proposal(w), [(w.agent, "agent"), (w.host_hr, "host")]),
        ("proposal.expiring.agent", "proposal.expiring.host"),
        day=lambda _: RESPOND_BY,
    ),
    Event(
        "proposal_expired",
        lambda w: notifications.proposal_expired(_proposal(w), ["agent", "host"], _parties(w)),
        ("proposal.expired.agent", "proposal.expired.home", "proposal.expired.host"),
        day=lambda _: RESPOND_BY,
    ),
    Event("round_unmatched", _round_unmatched, ("round.unmatched",), day=lambda _: date(2027, 1, 11)),
    Event(
        "immersion_reminder",
        lambda w: notifications.immersion_reminder(ImmersionFactory(proposal=_proposal(w)), w.agent, [w.host_hr]),
        ("immersion.reminder.agent", "immersion.reminder.host", "tutor.arrival"),
        day=lambda _: date(2027, 1, 11),
    ),
    Event(
        "immersion_agent_deactivated",
        lambda w: notifications.immersion_agent_deactivated(
            ImmersionFactory(proposal=_proposal(w)), w.agent, _parties(w)[1:]
        ),
        ("immersion.agent_deactivated.home", "immersion.agent_deactivated.host"),
    ),
    Event(
        "request_withdrawn_on_deactivation",
        lambda w: notifications.request_withdrawn_on_deactivation(
            RequestFactory(agent=w.agent, status=RequestStatus.WITHDRAWN), [w.home_hr]
        ),
        ("request.withdrawn.deactivated",),
    ),
    Event(
        "immersion_cancelled",
        _immersion_cancelled,
        ("immersion.cancelled.agent", "immersion.cancelled.home", "immersion.cancelled.host"),
        day=lambda _: date(2026, 11, 16),
    ),
    Event(
        "immersion_called_off",
        lambda w: notifications.immersion_called_off(
            ImmersionFactory(proposal=_proposal(w)), w.agent, _parties(w), "host", "La tutrice sera absente."
        ),
        ("immersion.cancelled.agent", "immersion.cancelled.home", "immersion.cancelled.host", "tutor.called_off"),
        day=lambda _: date(2027, 1, 11),
    ),
    Event(
        "feedback_request",
        lambda w: notifications.feedback_requested(
            _ended_immersion(w), w.agent, [(w.agent, FeedbackSide.AGENT), (w.host_hr, FeedbackSide.HOST)]
        ),
        ("feedback.request.agent", "feedback.request.host", "tutor.feedback"),
        day=lambda _: date(2026, 11, 18),
    ),
    Event(
        "feedback_by_tutor",
        lambda w: notifications.feedback_given_by_tutor(
            _ended_immersion(w),
            w.agent,
            Feedback(side=FeedbackSide.HOST, outcome=Outcome.DONE, tutor_name=w.tutor.full_name),
            [w.host_hr],
        ),
        ("feedback.tutor.host",),
        day=lambda _: date(2026, 11, 18),
    ),
    Event("round_ready", lambda w: _round(w, "proposed"), ("round.ready",), day=lambda _: date(2027, 1, 11)),
    Event("round_failed", lambda w: _round(w, "failed"), ("round.failed",), day=lambda _: date(2027, 1, 11)),
    Event(
        "digest_round",
        _round_digest,
        ("proposal.published", "proposal.published", "digest.round", "digest.round"),
        day=lambda _: RESPOND_BY,
        chosen=False,
    ),
    Event("digest_day", _day_digest, ("digest.day",), day=_submitted_deadline, chosen=False),
    Event(
        "agreement_waiting",
        lambda w: _agreement_notice(w, "waiting"),
        ("agreement.waiting.agent", "agreement.waiting.home", "agreement.waiting.host"),
        day=lambda _: date(2027, 1, 11),
    ),
    Event(
        "agreement_reminder",
        lambda w: _agreement_notice(w, "reminder"),
        ("agreement.reminder.agent", "agreement.reminder.home", "agreement.reminder.host"),
        day=lambda _: date(2027, 1, 11),
    ),
    Event(
        "agreement_voided",
        lambda w: _agreement_notice(w, "voided"),
        ("agreement.voided.agent", "agreement.voided.home", "agreement.voided.host"),
        day=lambda _: date(2027, 1, 11),
    ),
    Event(
        "agreement_signed",
        lambda w: _agreement_notice(w, "signed"),
        ("agreement.signed.agent", "agreement.signed.home", "agreement.signed.host"),
        day=lambda _: date(2027, 1, 11),
    ),
    Event(
        "agreement_unsigned",
        lambda w: _agreement_notice(w, "unsigned"),
        ("agreement.unsigned.home", "agreement.unsigned.host", "agreement.unsigned.coordination"),
        day=lambda _: date(2027, 1, 11),
    ),
]


def _choose(user: User, channel: Channel | None) -> None:
    """Every category on `channel` (what a person may choose, legal ones included), or the defaults (None)."""
    db.session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    for category in CATEGORIES:
        if category.role is not None and channel is not None:
            db.session.add(NotificationPreference(user_id=user.id, category=category.key, channel=channel))


def _greeted(note: Notification, world: World) -> str:
    """Whom the message greets: the account, or the tutor (who gets e-mails only) by the offer's name."""
    if note.recipient_id is None:
        assert note.kind.startswith("tutor.") and note.to_email == world.tutor.email
        return world.tutor.full_name
    return db.session.get(User, note.recipient_id).first_name


def _send(app, world: World, event: Event, language: str) -> tuple[object, list[Notification]]:
    """Send the event as the scheduler would (an app context, no request) to people who read `language`.

    Returns what the event's `send` returned, and the messages queued."""
    # The job's app context ends with its session: the people are read again in the current one.
    world.agent, world.home_hr, world.host_hr, world.coordinator, world.tutor = (
        db.session.get(User, user.id) for user in world.everyone()
    )
    for user in world.everyone():
        user.locale = language
        _choose(user, Channel.IMMEDIATE if event.chosen else None)
    db.session.commit()
    before = db.session.scalar(select(func.coalesce(func.max(Notification.id), 0)))
    with app.app_context():
        sent = event.send(world)
        db.session.commit()
    notes = db.session.scalars(select(Notification).where(Notification.id > before).order_by(Notification.id))
    return sent, list(notes)


class _Text(HTMLParser):
    """The visible text of an HTML part, and whether it holds anything that could run."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.active: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "iframe", "object", "embed", "form"):
            self.active.append(tag)
        self.active += [
            f"{tag} {name}"
            for name, value in attrs
            if name.startswith("on") or (value or "").strip().lower().startswith("javascript:")
        ]

    def handle_data(self, data):
        self.parts.append(data)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _paragraphs(text: str) -> list[str]:
    return [_plain(p) for p in text.split("\n\n") if p.strip()]


def _link(note: Notification) -> str:
    links = [p for p in _paragraphs(note.body) if p.startswith(BASE_URL)]
    assert len(links) == 1, note.body
    return links[0]


@pytest.mark.parametrize("event", EVENTS, ids=[e.name for e in EVENTS])
def test_every_event_renders_in_french_and_in_english(app, world, event):
    rendered = {}
    for language in ("fr", "en"):
        sent, notes = _send(app, world, event, language)
        assert sorted(n.kind for n in notes) == sorted(event.kinds)
        for note in notes:
            # Every kind has its category: people choose how they get it (account messages and digests aside).
            if not note.kind.startswith(("password.", "digest.")):
                assert category_of(note.kind) is not UNLISTED, note.kind
            paragraphs = _paragraphs(note.body)
            assert note.subject and "\n" not in note.subject
            assert paragraphs[0] == GREETING[language].format(name=_greeted(note, world))
            link = _link(note)
            assert urlsplit(link).path.startswith("/") and "None" not in link

            # The HTML part: the same paragraphs and the same link, nothing that runs.
            parser = _Text()
            parser.feed(note.html_body)
            html_text = _plain(" ".join(parser.parts))
            assert parser.active == [] and "<script" not in note.html_body.lower()
            assert f'href="{link}"' in unescape(note.html_body)
            for paragraph in paragraphs:
                assert paragraph in html_text, paragraph
            assert f'<html lang="{language}">' in note.html_body

            if event.day is not None:
                with app.test_request_context(), force_locale(language):
                    written = format_date(event.day(sent), "full")
                assert written in note.body and written in html_text
                if event.day(sent) == RESPOND_BY:
                    assert RESPOND_BY_WRITTEN[language] in note.body
            rendered[language, note.kind] = (note.subject, paragraphs)

    # English is English: no sentence of the French message is left in it (the link and names aside).
    for kind in event.kinds:
        french_subject, french = rendered["fr", kind]
        english_subject, english = rendered["en", kind]
        assert english_subject != french_subject
        for paragraph in english[1:]:
            assert paragraph.startswith(BASE_URL) or paragraph not in french, paragraph


@pytest.mark.parametrize("event", EVENTS, ids=[e.name for e in EVENTS])
def test_every_link_leads_its_recipient_to_a_page(app, world, event):
    adapter = app.url_map.bind("localhost")
    _sent, notes = _send(app, world, event, "fr")
    for note in notes:
        path = urlsplit(_link(note)).path
        adapter.match(path, method="GET")  # a route of the app, or NotFound
        client = app.test_client()
        # A password link and a tutor's page are for someone not signed in; every other page is the account's.
        if note.recipient_id is not None and not note.kind.startswith("password."):
            # Not signed in: the sign-in page first; signed in as the recipient: the page itself.
            anonymous = client.get(path)
            assert anonymous.status_code == 302 and urlsplit(anonymous.headers["Location"]).path == "/connexion"
            login(client, db.session.get(User, note.recipient_id).email)
        response = client.get(path)
        assert response.status_code == 200, (note.kind, path, response.status_code, response.headers.get("Location"))


def test_no_template_is_left_unused_and_none_is_missing(app, world, monkeypatch):
    used: set[str] = set()
    render = rendering.render

    def recording(name, *args, **kwargs):
        used.add(name)
        return render(name, *args, **kwargs)

    monkeypatch.setattr(rendering, "render", recording)
    for event in EVENTS:
        _send(app, world, event, "fr")
    on_disk = {p.stem for p in TEMPLATES.glob("*.txt") if not p.name.startswith("_")}
    html = {p.stem for p in TEMPLATES.glob("*.html") if not p.name.startswith("_")}
    assert used == on_disk == html


def test_links_are_on_base_url_even_when_the_request_came_for_another_host(app, client, world):
    """A forged Host header never reaches an e-mail: the password link is on BASE_URL."""
    page = client.get("/mot-de-passe-oublie", base_url="http://attacker.example")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post(
        "/mot-de-passe-oublie",
        data={"email": world.agent.email, "csrf_token": token},
        base_url="http://attacker.example",
    )
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == world.agent.id))
    assert note.kind == "password.reset_password"
    assert _link(note).startswith(f"{BASE_URL}/mot-de-passe/") and "attacker" not in note.body + note.html_body


def test_a_message_with_an_html_part_is_sent_as_text_and_html(app, world):
    with app.app_context():
        notifications.request_decided(RequestFactory(agent=world.agent, status=RequestStatus.APPROVED))
        outbox.queue(world.agent, "test", "Texte seul", "Rien que du texte.")
        db.session.commit()
    port = _free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert outbox.send_pending(outbox.SmtpTransport("127.0.0.1", port), "mobilite <no-reply@example.fr>") == (2, 0)
    finally:
        controller.stop()
    received = {m["Subject"]: m for m in (message_from_bytes(e.content, policy=policy.default) for e in inbox.messages)}
    plain_only = received.pop("Texte seul")
    assert plain_only.get_content_type() == "text/plain"
    (decided,) = received.values()
    assert decided.get_content_type() == "multipart/alternative"
    text, html = decided.get_body(("plain",)).get_content(), decided.get_body(("html",)).get_content()
    link = next(line for line in text.splitlines() if line.startswith(BASE_URL))
    assert "/agent/demandes/" in link and f'href="{link}"' in html and "<script" not in html.lower()
