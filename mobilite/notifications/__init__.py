"""Every e-mail the application sends, one function per event.

Services say which event happened to whom (`notifications.request_decided(request)`); this module writes
the message: templates in templates/email/<event>.txt (subject and text) and .html (same content, inline
styles), in each recipient's language, dates by Flask-Babel, links by endpoint name on BASE_URL
(`external_url`), queued in the caller's unit of work through the outbox.

The kind of each message (`request.submitted`, `proposal.accepted.host`…) is stable: the outbox orders by
it (account e-mails first, bulk last), and per-kind preferences or digests will key on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from mobilite.models import (
    FeedbackSide,
    Immersion,
    ImmersionRequest,
    Offer,
    Proposal,
    RequestStatus,
    TokenPurpose,
    User,
)
from mobilite.notifications.rendering import deliver, external_url, full_date, render

__all__ = [
    "account_invitation",
    "deliver",
    "external_url",
    "feedback_requested",
    "full_date",
    "immersion_reminder",
    "offer_published",
    "offer_sent_back",
    "password_link",
    "password_reset",
    "proposal_accepted",
    "proposal_confirmed",
    "proposal_declined",
    "proposal_expired",
    "proposal_published",
    "render",
    "request_decided",
    "request_submitted",
    "request_withdrawn",
]

# A party to a proposal: the agent, an HR officer of the agent's employer ("home") or of the host.
Party = tuple[User, str]


# --- accounts -------------------------------------------------------------------------------------------


def account_invitation(user: User, token: str, hours: int) -> None:
    """A new account: the person chooses a password through a one-time link."""
    deliver(
        user,
        f"password.{TokenPurpose.SET_PASSWORD.value}",
        "account_invitation",
        link=external_url("auth.set_password", token=token),
        hours=hours,
    )


def password_reset(user: User, token: str, hours: int) -> None:
    """A password reset was asked for: a one-time link to choose a new one."""
    deliver(
        user,
        f"password.{TokenPurpose.RESET_PASSWORD.value}",
        "password_reset",
        link=external_url("auth.set_password", token=token),
        hours=hours,
    )


def password_link(user: User, purpose: TokenPurpose, token: str, hours: int) -> None:
    """The one-time link of `purpose`: an invitation for a new account, or a reset."""
    if purpose == TokenPurpose.SET_PASSWORD:
        account_invitation(user, token, hours)
    else:
        password_reset(user, token, hours)


# --- immersion requests -----------------------------------------------------------------------------------


def request_submitted(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """An agent submitted a request: their employer's HR officers answer it, by the legal deadline."""
    from mobilite.services.requests import answer_deadline  # the rule lives with requests

    deadline = answer_deadline(immersion_request)
    for officer in officers:
        deliver(
            officer,
            "request.submitted",
            "request_submitted",
            params=lambda: {"deadline": full_date(deadline) if deadline else ""},
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
        )


def request_withdrawn(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """An agent withdrew a submitted request: HR has nothing left to answer."""
    for officer in officers:
        deliver(
            officer,
            "request.withdrawn",
            "request_withdrawn",
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
        )


def request_decided(immersion_request: ImmersionRequest) -> None:
    """HR approved, refused or postponed a request: the agent is told, with the reason."""
    status = RequestStatus(immersion_request.status)
    deliver(
        immersion_request.agent,
        f"request.{status.value}",
        "request_decided",
        immersion_request=immersion_request,
        status=status.value,
        reason=immersion_request.decision_reason or "",
        link=external_url("agents.request_detail", request_id=immersion_request.id),
    )


# --- offers ---------------------------------------------------------------------------------------------------


def offer_published(offer: Offer, officers: Iterable[User]) -> None:
    """The coordination published an offer: its organisation's HR officers are told."""
    for officer in officers:
        deliver(
            officer, "offer.published", "offer_published", offer=offer, link=external_url("rh.offer", offer_id=offer.id)
        )


def offer_sent_back(offer: Offer, officers: Iterable[User], comment: str) -> None:
    """The coordination sent an offer back, with a comment: HR edits it and submits it again."""
    for officer in officers:
        deliver(
            officer,
            "offer.sent_back",
            "offer_sent_back",
            offer=offer,
            comment=comment,
            link=external_url("rh.offer", offer_id=offer.id),
        )


# --- proposals ------------------------------------------------------------------------------------------------


def _proposal_params(proposal: Proposal) -> dict[str, object]:
    """A proposal's message values, formatted in the current (the recipient's) language."""
    session = proposal.session
    offer = session.offer
    return {
        "title": offer.title,
        "agent": proposal.request.agent.full_name,
        "host": offer.organisation.name,
        "home": proposal.request.organisation.name,
        "start": full_date(session.start_date),
        "end": full_date(session.end_date),
        "days": session.working_days,
        "deadline": full_date(proposal.respond_by) if proposal.respond_by else "—",
    }


def _proposal_link(proposal: Proposal, role: str) -> str:
    if role == "agent":
        return external_url("agents.proposal", proposal_id=proposal.id)
    return external_url("rh.proposal", proposal_id=proposal.id)


def _immersion_link(immersion: Immersion, role: str) -> str:
    if role == "agent":
        return external_url("agents.immersion", immersion_id=immersion.id)
    return external_url("rh.immersion", immersion_id=immersion.id)


def _side_name(proposal: Proposal, side: str) -> str:
    return proposal.request.agent.full_name if side == "agent" else proposal.session.offer.organisation.name


def proposal_published(proposal: Proposal, recipients: Iterable[Party]) -> None:
    """A round's publication: the agent and the host answer by the deadline; the home HR is informed."""
    for user, role in recipients:
        kind = "proposal.published" if role == "agent" else f"proposal.published.{role}"
        deliver(
            user,
            kind,
            "proposal_published",
            params=lambda: _proposal_params(proposal),
            proposal=proposal,
            role=role,
            link=_proposal_link(proposal, role),
        )


def proposal_accepted(proposal: Proposal, side: str, recipients: Iterable[Party]) -> None:
    """One side accepted; the other side's answer is still awaited."""
    who = _side_name(proposal, side)
    for user, role in recipients:
        waiting_for_me = (role == "agent" and side == "host") or (role == "host" and side == "agent")
        deliver(
            user,
            f"proposal.accepted.{role}",
            "proposal_accepted",
            params=lambda: _proposal_params(proposal),
            proposal=proposal,
            role=role,
            who=who,
            waiting_for_me=waiting_for_me,
            link=_proposal_link(proposal, role),
        )


def proposal_declined(proposal: Proposal, side: str, reason: str, recipients: Iterable[Party]) -> None:
    """One side declined, with a reason; the request goes back to the next round."""
    who = _side_name(proposal, side)
    for user, role in recipients:
        deliver(
            user,
            f"proposal.declined.{role}",
            "proposal_declined",
            params=lambda: _proposal_params(proposal),
            proposal=proposal,
            role=role,
            who=who,
            reason=reason,
            link=_proposal_link(proposal, role),
        )


def proposal_confirmed(proposal: Proposal, immersion: Immersion, recipients: Iterable[Party]) -> None:
    """Both sides accepted: the immersion exists; its page has the agreement and the calendar file."""
    for user, role in recipients:
        deliver(
            user,
            f"proposal.confirmed.{role}",
            "proposal_confirmed",
            params=lambda: _proposal_params(proposal),
            proposal=proposal,
            immersion=immersion,
            role=role,
            link=_immersion_link(immersion, role),
        )


def proposal_expired(proposal: Proposal, missing: list[str], recipients: Iterable[Party]) -> None:
    """Nobody, or only one side, answered by the deadline: the proposal expired (`missing`: the silent sides)."""

    def params() -> dict[str, object]:
        values = _proposal_params(proposal)
        names = [values["agent"] if side == "agent" else values["host"] for side in missing]
        return {**values, "missing": _(" et ").join(str(name) for name in names)}

    for user, role in recipients:
        deliver(
            user,
            f"proposal.expired.{role}",
            "proposal_expired",
            params=params,
            proposal=proposal,
            role=role,
            link=_proposal_link(proposal, role),
        )


# --- immersions -------------------------------------------------------------------------------------------------


def _immersion_params(immersion: Immersion, agent: User) -> dict[str, object]:
    offer = immersion.session.offer
    return {
        "title": offer.title,
        "host": offer.organisation.name,
        "agent": agent.full_name,
        "team": offer.team,
        "start": full_date(immersion.start_date),
        "end": full_date(immersion.end_date),
        "days": immersion.working_days,
        "tutor": offer.tutor_name or "—",
    }


def immersion_reminder(immersion: Immersion, agent: User, host_officers: Iterable[User]) -> None:
    """A few days before an immersion starts: the agent, and the host's HR officers."""
    recipients: list[Party] = [(agent, "agent"), *((officer, "host") for officer in host_officers)]
    for user, role in recipients:
        deliver(
            user,
            f"immersion.reminder.{role}",
            "immersion_reminder",
            params=lambda: _immersion_params(immersion, agent),
            immersion=immersion,
            role=role,
            link=_immersion_link(immersion, role),
        )


def feedback_requested(
    immersion: Immersion, agent: User, recipients: Iterable[tuple[User, FeedbackSide]], reminder: bool = False
) -> None:
    """After an immersion: each side that has not given its feedback is asked (then reminded) for it."""
    kind = "feedback.reminder" if reminder else "feedback.request"
    for user, side in recipients:
        endpoint = "agents.immersion_feedback" if side == FeedbackSide.AGENT else "rh.immersion_feedback"
        deliver(
            user,
            f"{kind}.{side.value}",
            "feedback_request",
            params=lambda: _immersion_params(immersion, agent),
            immersion=immersion,
            side=side.value,
            reminder=reminder,
            link=external_url(endpoint, immersion_id=immersion.id),
        )
