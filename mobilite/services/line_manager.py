"""The agent's line manager on an immersion request: who they are, the opinion they give, its deadline.

The law (décret n° 2016-1732, art. 13-1) has the line authority judge the request against the agent's
career project. The agent names an account of their organisation, or an address: that address gets a
one-time link, signed with an expiry (itsdangerous) and carrying a secret stored on the request, emptied
once the opinion is given: a link works once, an altered one never. The network chooses whether HR waits
for the opinion (required), may decide without it (advisory), or nobody is asked (skipped).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from mobilite import notifications
from mobilite.authz import Action, can
from mobilite.extensions import db
from mobilite.lifecycles import request as lifecycle
from mobilite.limits import MAX_REASON_LENGTH
from mobilite.models import ImmersionRequest, ManagerOpinion, OpinionSetting, Role, User, utcnow
from mobilite.services import audit
from mobilite.services.concurrency import Conflict, versioned_commit
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers

OPINION_SALT = "mobilite.opinion"
# A reminder goes out this many days before the opinion's deadline.
REMIND_DAYS_BEFORE = 3


def _network(immersion_request: ImmersionRequest):
    return immersion_request.organisation.network


def setting(immersion_request: ImmersionRequest) -> OpinionSetting:
    return _network(immersion_request).line_manager_opinion


def is_asked(immersion_request: ImmersionRequest) -> bool:
    """A line manager was named on the submitted request, in a network that asks for the opinion."""
    return (
        immersion_request.submitted_at is not None
        and setting(immersion_request) != OpinionSetting.SKIPPED
        # The relationship, not its id: set by the same unit of work, the id waits for the flush.
        and (immersion_request.line_manager is not None or bool(immersion_request.line_manager_email))
    )


def opinion_deadline(immersion_request: ImmersionRequest) -> date | None:
    if immersion_request.submitted_at is None:
        return None
    return (immersion_request.submitted_at + timedelta(days=_network(immersion_request).opinion_deadline_days)).date()


def is_waiting(immersion_request: ImmersionRequest) -> bool:
    """The opinion is still expected: asked, not given, and the employer has not answered."""
    return (
        is_asked(immersion_request)
        and immersion_request.opinion is None
        and immersion_request.status in lifecycle.OPINION_OPEN
    )


def is_overdue(immersion_request: ImmersionRequest, today: date | None = None) -> bool:
    deadline = opinion_deadline(immersion_request)
    return is_waiting(immersion_request) and deadline is not None and deadline < (today or date.today())


@dataclass(frozen=True)
class OpinionState:
    """What HR, the agent and the API read of the opinion step."""

    setting: str
    asked: bool
    manager: str  # the account's name, or the address the link went to
    opinion: str | None
    reason: str
    given_at: datetime | None
    deadline: date | None
    overdue: bool
    blocks_decision: bool  # required and not given: HR cannot decide yet


def state(immersion_request: ImmersionRequest, today: date | None = None) -> OpinionState:
    manager = immersion_request.line_manager
    return OpinionState(
        setting=setting(immersion_request).value,
        asked=is_asked(immersion_request),
        manager=manager.full_name if manager is not None else immersion_request.line_manager_email,
        opinion=immersion_request.opinion.value if immersion_request.opinion is not None else None,
        reason=immersion_request.opinion_reason,
        given_at=immersion_request.opinion_at,
        deadline=opinion_deadline(immersion_request) if is_asked(immersion_request) else None,
        overdue=is_overdue(immersion_request, today),
        blocks_decision=blocks_decision(immersion_request),
    )


def blocks_decision(immersion_request: ImmersionRequest) -> bool:
    return setting(immersion_request) == OpinionSetting.REQUIRED and is_waiting(immersion_request)


# --- naming the manager ------------------------------------------------------------------------------------


def candidates(agent: User) -> list[User]:
    """The accounts the agent may name: the active people of their organisation, themself excepted."""
    if agent.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == agent.organisation_id, User.active.is_(True), User.id != agent.id)
            .order_by(User.last_name, User.first_name, User.id)
        )
    )


def resolve(agent: User, manager_id: int | None, email: str) -> tuple[User | None, str]:
    """The manager as the request stores it: an account of the agent's organisation, or an address. An
    address that is an active account of the organisation is that account (it answers signed in)."""
    email = (email or "").strip()
    if manager_id is not None:
        manager = db.session.get(User, manager_id)
        if manager is None or manager.organisation_id != agent.organisation_id or not manager.active:
            raise ServiceError({"line_manager_id": [_("Choisissez une personne de votre organisation.")]})
        if manager.id == agent.id:
            raise ServiceError({"line_manager_id": [_("Vous ne pouvez pas être votre propre responsable.")]})
        return manager, ""
    if not email:
        return None, ""
    if email.lower() == agent.email.lower():
        raise ServiceError({"line_manager_email": [_("Vous ne pouvez pas être votre propre responsable.")]})
    account = db.session.scalar(
        select(User).where(
            func.lower(User.email) == email.lower(),
            User.organisation_id == agent.organisation_id,
            User.active.is_(True),
        )
    )
    return (account, "") if account is not None else (None, email)


def submission_errors(network, values: dict) -> dict[str, list[str]]:
    """The career project, and the line manager unless the network skips the opinion."""
    errors: dict[str, list[str]] = {}
    if not (values.get("career_project") or "").strip():
        errors["career_project"] = [
            _("Décrivez votre projet professionnel : la demande le présente à votre hiérarchie.")
        ]
    named = values.get("line_manager_id") is not None or bool((values.get("line_manager_email") or "").strip())
    if network.line_manager_opinion != OpinionSetting.SKIPPED and not named:
        errors["line_manager_id"] = [
            _("Indiquez votre responsable hiérarchique : choisissez son compte ou saisissez son adresse e-mail.")
        ]
    return errors


def notice_errors(network, windows, shorter_notice_agreed: bool, today: date) -> dict[str, list[str]]:
    """The first availability window starts at least the network's notice after today (three months by
    default), unless the agent says a shorter notice was agreed with their line authority."""
    if shorter_notice_agreed or not windows:
        return {}
    first = min(start for start, _end in windows)
    earliest = today + timedelta(days=network.notice_days)
    if first >= earliest:
        return {}
    from mobilite.i18n import format_date  # noqa: PLC0415 (kept next to its only use)

    return {
        "windows": [
            _(
                "Une demande se fait au moins %(n)d jours avant le début de l'immersion : votre première "
                "disponibilité commence au plus tôt le %(earliest)s. Si un délai plus court a été convenu avec "
                "votre hiérarchie, cochez la case prévue.",
                n=network.notice_days,
                earliest=format_date(earliest, "short"),
            )
        ]
    }


def on_submit(immersion_request: ImmersionRequest) -> None:
    """Ask the manager once the request is submitted (in the caller's unit of work)."""
    immersion_request.opinion, immersion_request.opinion_reason, immersion_request.opinion_at = None, "", None
    immersion_request.opinion_reminded_at = None
    if not is_asked(immersion_request):
        immersion_request.opinion_nonce = ""
        return
    _ask(immersion_request, reminder=False)


def renamed(immersion_request: ImmersionRequest) -> None:
    """The agent named another manager on a submitted request, before any opinion: ask the new one."""
    immersion_request.opinion_nonce = ""
    on_submit(immersion_request)


def _ask(immersion_request: ImmersionRequest, *, reminder: bool) -> None:
    deadline = opinion_deadline(immersion_request)
    if immersion_request.line_manager is not None:
        immersion_request.opinion_nonce = ""
        notifications.opinion_asked(immersion_request, immersion_request.line_manager, None, deadline, reminder)
        return
    if not immersion_request.opinion_nonce:
        immersion_request.opinion_nonce = secrets.token_urlsafe(24)
    notifications.opinion_asked(immersion_request, None, link_token(immersion_request), deadline, reminder)


# --- the one-time link ---------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=OPINION_SALT)


def link_token(immersion_request: ImmersionRequest) -> str:
    return _serializer().dumps({"r": immersion_request.id, "n": immersion_request.opinion_nonce})


def link_max_age(immersion_request: ImmersionRequest) -> int:
    """A link lasts as long as the employer's month to answer: after it, the opinion no longer serves."""
    return _network(immersion_request).answer_deadline_days * 86400


class LinkError(Exception):
    """The link cannot be used: altered (404), expired, already used or no longer needed (410)."""

    def __init__(self, message: str, status: int = 410) -> None:
        super().__init__(message)
        self.status = status


def read_link(token: str) -> ImmersionRequest:
    """The request a link gives the opinion on, or LinkError with the reason shown to its holder."""
    invalid = _("Ce lien n'est pas valide. Utilisez le lien reçu par e-mail, sans le modifier.")
    try:
        payload = _serializer().loads(token)  # signature only: the expiry depends on the request's network
    except BadSignature:
        raise LinkError(invalid, 404) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int) or not isinstance(payload.get("n"), str):
        raise LinkError(invalid, 404)
    immersion_request = db.session.get(ImmersionRequest, payload["r"])
    if immersion_request is None or not payload["n"]:
        raise LinkError(invalid, 404)
    try:
        _serializer().loads(token, max_age=link_max_age(immersion_request))
    except SignatureExpired:
        raise LinkError(_("Ce lien a expiré. Le service RH de l'agent peut vous renseigner.")) from None
    if not secrets.compare_digest(payload["n"], immersion_request.opinion_nonce or ""):
        raise LinkError(_("Ce lien a déjà servi : votre avis est enregistré. Il ne peut être donné qu'une fois."))
    if immersion_request.status not in lifecycle.OPINION_OPEN:
        raise LinkError(_("Cette demande n'attend plus d'avis : l'employeur a déjà répondu ou elle a été retirée."))
    return immersion_request


# --- giving the opinion ----------------------------------------------------------------------------------------


def give_opinion(
    immersion_request: ImmersionRequest,
    opinion: ManagerOpinion | str,
    reason: str,
    *,
    actor: User | None,
    version: int | None = None,
) -> ImmersionRequest:
    """The manager's opinion, once. `actor`: the manager's account, or None through the one-time link
    (read_link checked it). HR's officers are told; the opinion confirms an agreed shorter notice."""

    def conflict() -> Conflict:
        return Conflict(
            _("La demande a changé depuis que vous l'avez ouverte : relisez-la avant de donner votre avis.")
        )

    with versioned_commit(immersion_request, version, conflict=conflict):
        if actor is not None and not can(actor, Action.OPINE, immersion_request):
            raise ServiceError(_("Vous n'êtes pas la personne à qui l'avis est demandé."))
        if not is_asked(immersion_request) or immersion_request.status not in lifecycle.OPINION_OPEN:
            raise ServiceError(_("Cette demande n'attend plus d'avis."))
        if immersion_request.opinion is not None:
            raise ServiceError(_("Votre avis est déjà enregistré : il ne peut être donné qu'une fois."))
        try:
            opinion = ManagerOpinion(opinion)
        except ValueError:
            raise ServiceError({"opinion": [_("Choisissez un avis : favorable ou défavorable.")]}) from None
        reason = (reason or "").strip()
        if len(reason) > MAX_REASON_LENGTH:
            raise ServiceError({"reason": [_("2 000 caractères au plus.")]})
        if opinion == ManagerOpinion.UNFAVOURABLE and not reason:
            raise ServiceError({"reason": [_("Un avis défavorable est motivé : indiquez la raison.")]})
        immersion_request.opinion, immersion_request.opinion_reason = opinion, reason
        immersion_request.opinion_at = utcnow()
        immersion_request.opinion_nonce = ""  # the link is used
        immersion_request.updated_at = utcnow()
        officers = [o for o in hr_officers(immersion_request.organisation_id) if o.id != immersion_request.agent_id]
        notifications.opinion_given(immersion_request, officers)
        audit.record(
            actor,
            f"request.opinion.{opinion.value}",
            immersion_request,
            organisation_id=immersion_request.organisation_id,
            by="account" if actor is not None else "link",
        )
    return immersion_request


def requests_to_give(manager: User) -> list[ImmersionRequest]:
    """The requests waiting for this account's opinion."""
    if not manager.has_role(Role.AGENT, Role.RH):
        return []
    found = db.session.scalars(
        select(ImmersionRequest)
        .where(
            ImmersionRequest.line_manager_id == manager.id,
            ImmersionRequest.organisation_id == manager.organisation_id,
            ImmersionRequest.status.in_(lifecycle.OPINION_OPEN),
            ImmersionRequest.opinion.is_(None),
        )
        .order_by(ImmersionRequest.submitted_at)
    )
    return [r for r in found if is_asked(r)]


# --- reminders ---------------------------------------------------------------------------------------------------


def send_reminders(today: date | None = None) -> int:
    """Remind each manager once, a few days before the opinion's deadline (the scheduler runs this daily)."""
    today = today or date.today()
    sent = 0
    waiting = db.session.scalars(
        select(ImmersionRequest).where(
            ImmersionRequest.status.in_(lifecycle.OPINION_OPEN),
            ImmersionRequest.opinion.is_(None),
            ImmersionRequest.opinion_reminded_at.is_(None),
            ImmersionRequest.submitted_at.is_not(None),
        )
    ).all()
    for immersion_request in waiting:
        deadline = opinion_deadline(immersion_request)
        if not is_waiting(immersion_request) or deadline is None:
            continue
        if today >= deadline - timedelta(days=REMIND_DAYS_BEFORE):
            _ask(immersion_request, reminder=True)
            immersion_request.opinion_reminded_at = utcnow()
            sent += 1
    db.session.commit()
    return sent
