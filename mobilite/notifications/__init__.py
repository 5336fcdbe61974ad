"""Every message the application sends, one function per event.

Services say which event happened to whom (`notifications.request_decided(request)`); this module writes
the message: templates in templates/email/<event>.txt (subject and text) and .html (same content, inline
styles), in each recipient's language, dates by Flask-Babel, links by endpoint name on BASE_URL
(`external_url`), in the caller's unit of work: an item in the person's inbox and, as they chose for its
category, an e-mail in the outbox at once, in a digest (mobilite.notifications.digests), or none.

The kind of each message (`request.submitted`, `proposal.accepted.host`…) is stable: preferences, digests
and urgency key on it (mobilite.notifications.kinds), and the outbox orders by it (account e-mails first,
bulk last). Tutors, who may have no account, get their messages by e-mail only (`deliver_to_tutor`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    Feedback,
    FeedbackSide,
    Immersion,
    ImmersionRequest,
    Offer,
    Proposal,
    RequestStatus,
    Round,
    TokenPurpose,
    User,
)
from mobilite.notifications import links
from mobilite.notifications.rendering import Tutor, deliver, deliver_to_tutor, external_url, full_date, render

if TYPE_CHECKING:
    from mobilite.outlook_text import OutlookText

__all__ = [
    "account_invitation",
    "deliver",
    "external_url",
    "feedback_given_by_tutor",
    "feedback_requested",
    "full_date",
    "immersion_agent_deactivated",
    "immersion_called_off",
    "immersion_cancelled",
    "immersion_reminder",
    "offer_published",
    "offer_sent_back",
    "opinion_asked",
    "opinion_given",
    "password_link",
    "password_reset",
    "proposal_accepted",
    "proposal_confirmed",
    "proposal_declined",
    "proposal_expired",
    "proposal_expiring",
    "proposal_published",
    "render",
    "request_deadline",
    "request_decided",
    "request_paused",
    "request_resumed",
    "request_submitted",
    "request_withdrawn",
    "request_withdrawn_on_deactivation",
    "round_failed",
    "round_ready",
    "round_unmatched",
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
        privacy=external_url("public.privacy"),
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
            due_on=deadline,
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


def opinion_asked(
    immersion_request: ImmersionRequest, manager: User | None, token: str | None, deadline, reminder: bool
) -> None:
    """The line manager the agent named is asked for their opinion (again, a few days before the deadline):
    an account in its inbox, an address by e-mail with the one-time link (legal deadline: never unsubscribed)."""
    from mobilite.services import outbox  # noqa: PLC0415 (as rendering does)

    kind = "opinion.reminder" if reminder else "opinion.asked"
    context: dict[str, object] = {
        "immersion_request": immersion_request,
        "agent": immersion_request.agent,
        "reminder": reminder,
    }

    def params() -> dict[str, object]:
        return {"deadline": full_date(deadline) if deadline else ""}

    if manager is not None:
        link = external_url("opinions.give", request_id=immersion_request.id)
        deliver(
            manager,
            kind,
            "opinion_asked",
            params=params,
            link=link,
            due_on=deadline,
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            reminder=reminder,
        )
        return
    address = immersion_request.line_manager_email
    email = render(
        "opinion_asked", Tutor(address, ""), params, link=external_url("opinions.by_link", token=token), **context
    )
    outbox.queue(None, kind, email.subject, email.text, html_body=email.html, to_email=address)


def opinion_given(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """The line manager gave their opinion: HR, who decides, reads it."""
    for officer in officers:
        deliver(
            officer,
            "request.opinion",
            "opinion_given",
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
        )


def request_withdrawn_on_deactivation(immersion_request: ImmersionRequest, officers: Iterable[User]) -> None:
    """The agent's account was deactivated: their waiting request is withdrawn, HR has nothing left to answer."""
    for officer in officers:
        deliver(
            officer,
            "request.withdrawn.deactivated",
            "request_withdrawn_deactivated",
            immersion_request=immersion_request,
            agent=immersion_request.agent,
            link=external_url("rh.request_detail", request_id=immersion_request.id),
        )


def request_paused(immersion_request: ImmersionRequest) -> None:
    """The coordination suspended the agent's organisation: their pending request waits outside the rounds."""
    deliver(
        immersion_request.agent,
        "request.paused",
        "request_paused",
        immersion_request=immersion_request,
        organisation=immersion_request.organisation,
        link=external_url("agents.request_detail", request_id=immersion_request.id),
    )


def request_resumed(immersion_request: ImmersionRequest) -> None:
    """The suspension is lifted: the agent's request goes back to the rounds as it was."""
    deliver(
        immersion_request.agent,
        "request.resumed",
        "request_resumed",
        immersion_request=immersion_request,
        organisation=immersion_request.organisation,
        link=external_url("agents.request_detail", request_id=immersion_request.id),
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


def request_deadline(immersion_request: ImmersionRequest, stage: str, officers: Iterable[User]) -> None:
    """The employer's legal time to answer a submitted request: "soon" over (HR reminded), or "passed" (HR
    reminded at once, and the agent told)."""
    from mobilite.services.requests import answer_deadline  # the rule lives with requests

    deadline = answer_deadline(immersion_request)
    submitted = immersion_request.submitted_at

    def params() -> dict[str, object]:
        return {
            "agent": immersion_request.agent.full_name,
            "deadline": full_date(deadline) if deadline else "—",
            "submitted": full_date(submitted.date()) if submitted else "—",
        }

    hr_kind = "request.deadline_soon" if stage == "soon" else "request.deadline_passed.rh"
    for officer in officers:
        deliver(
            officer,
            hr_kind,
            "request_deadline",
            params=params,
            stage=stage,
            role="rh",
            link=external_url("rh.request_detail", request_id=immersion_request.id),
            due_on=deadline,
        )
    if stage == "passed":
        deliver(
            immersion_request.agent,
            "request.deadline_passed.agent",
            "request_deadline",
            params=params,
            stage=stage,
            role="agent",
            link=external_url("agents.request_detail", request_id=immersion_request.id),
        )


def round_unmatched(immersion_request: ImmersionRequest, text: Callable[[], OutlookText]) -> None:
    """A round was published without a proposal for this waiting request: the agent is told why, and what
    would open options (`text()` words it in the agent's language)."""
    deliver(
        immersion_request.agent,
        "round.unmatched",
        "round_unmatched",
        params=lambda: {"outlook": text()},
        immersion_request=immersion_request,
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
    """A round's publication: the agent and the host answer by the deadline; the home HR is informed.

    HR officers get, by default, one e-mail per round listing its proposals (the round's digest)."""
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
            due_on=proposal.respond_by if role in ("agent", "host") else None,
            round_id=proposal.round_id,
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
            due_on=proposal.respond_by if waiting_for_me else None,
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
    """Both sides accepted: the immersion exists; its page has the agreement and the calendar file. The
    offer's tutor is told too (the agreement names them)."""
    recipients = list(recipients)
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
    _tell_tutor(immersion, proposal.request.agent, "agreement", [user for user, _role in recipients])


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


def proposal_expiring(proposal: Proposal, recipients: Iterable[Party]) -> None:
    """The last day to answer is near and these sides (agent, or host HR) have not answered: at once."""
    for user, role in recipients:
        deliver(
            user,
            f"proposal.expiring.{role}",
            "proposal_expiring",
            params=lambda: _proposal_params(proposal),
            proposal=proposal,
            role=role,
            link=_proposal_link(proposal, role),
            due_on=proposal.respond_by,
        )


# --- immersions -------------------------------------------------------------------------------------------------


def _immersion_params(immersion: Immersion, agent: User) -> dict[str, object]:
    offer = immersion.session.offer
    return {
        "title": offer.title,
        "host": offer.organisation.name,
        "home": agent.organisation.name if agent.organisation else "—",
        "agent": agent.full_name,
        "team": offer.team,
        "start": full_date(immersion.start_date),
        "end": full_date(immersion.end_date),
        "days": immersion.working_days,
        "tutor": offer.tutor_name or "—",
    }


def _tell_tutor(
    immersion: Immersion,
    agent: User,
    about: str,
    told: Iterable[User],
    officers: str = "",
    extra: dict[str, object] | None = None,
) -> None:
    """The offer's tutor, by e-mail only (they may have no account): arrival, agreement, feedback (given from
    their page) or a cancellation (`extra`: who and why). Not when their address is one of the accounts this
    event already told."""
    offer = immersion.session.offer
    email = (offer.tutor_email or "").strip()
    if not email or email.lower() in {user.email.lower() for user in told}:
        return

    def params() -> dict[str, object]:
        from mobilite.services.immersions import meeting_text  # the words of the first day's meeting

        return {
            **_immersion_params(immersion, agent),
            "meeting": meeting_text(offer),
            "officers": officers or _("votre service RH"),
            **(extra or {}),
        }

    # Their account's language if they have one (a tutor may also use mobilite), else the default one.
    account = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    deliver_to_tutor(
        Tutor(email, offer.tutor_name, account.locale if account is not None else ""),
        f"tutor.{about}",
        "tutor",
        params=params,
        about=about,
        link=external_url("notifications.tutor", token=links.tutor_token(immersion.id, email)),
    )


def immersion_reminder(immersion: Immersion, agent: User, host_officers: Iterable[User]) -> None:
    """A few days before an immersion starts: the agent, the host's HR officers and the tutor."""
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
    _tell_tutor(immersion, agent, "arrival", [user for user, _role in recipients])


def immersion_cancelled(immersion: Immersion, agent: User, recipients: Iterable[Party]) -> None:
    """Both sides said it did not happen: the immersion is cancelled and its days go back to the quota."""
    for user, role in recipients:
        deliver(
            user,
            f"immersion.cancelled.{role}",
            "immersion_cancelled",
            params=lambda: _immersion_params(immersion, agent),
            immersion=immersion,
            role=role,
            link=_immersion_link(immersion, role),
        )


def immersion_agent_deactivated(immersion: Immersion, agent: User, recipients: Iterable[Party]) -> None:
    """The agent's account was switched off before a confirmed immersion: HR of both sides decide what
    becomes of it."""
    for user, role in recipients:
        deliver(
            user,
            f"immersion.agent_deactivated.{role}",
            "immersion_agent_deactivated",
            params=lambda: _immersion_params(immersion, agent),
            immersion=immersion,
            role=role,
            link=_immersion_link(immersion, role),
        )


def immersion_called_off(
    immersion: Immersion, agent: User, recipients: Iterable[Party], party: str, reason: str
) -> None:
    """A party or the coordination called the immersion off before its first day: the others, with the
    reason; its days go back to the quota and its seat reopens. The offer's tutor is told too."""
    recipients = list(recipients)
    by = {
        "agent": agent.full_name,
        "home": _("son employeur d'origine"),
        "host": _("l'organisation d'accueil"),
        "coordination": _("la coordination du réseau"),
    }
    for user, role in recipients:
        deliver(
            user,
            f"immersion.cancelled.{role}",
            "immersion_called_off",
            params=lambda: {**_immersion_params(immersion, agent), "by": by[party], "reason": reason},
            immersion=immersion,
            role=role,
            link=_immersion_link(immersion, role),
        )
    told = [user for user, _role in recipients]
    _tell_tutor(immersion, agent, "called_off", told, extra={"by": by[party], "reason": reason})


def feedback_requested(
    immersion: Immersion, agent: User, recipients: Iterable[tuple[User, FeedbackSide]], reminder: bool = False
) -> None:
    """After an immersion: each side that has not given its feedback is asked (then reminded) for it."""
    kind = "feedback.reminder" if reminder else "feedback.request"
    recipients = list(recipients)
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
    hosts = [user for user, side in recipients if side == FeedbackSide.HOST]
    if hosts and not reminder:  # the tutor once: the host's feedback is HR's to give
        officers = ", ".join(user.full_name for user in hosts)
        _tell_tutor(immersion, agent, "feedback", [user for user, _side in recipients], officers)


def feedback_given_by_tutor(immersion: Immersion, agent: User, feedback: Feedback, officers: Iterable[User]) -> None:
    """The offer's tutor gave the host's feedback through their link: the host's HR officers read it on the
    immersion's page (no request or reminder for that side any more)."""
    for user in officers:
        deliver(
            user,
            "feedback.tutor.host",
            "feedback_by_tutor",
            params=lambda: {**_immersion_params(immersion, agent), "tutor": feedback.tutor_name},
            immersion=immersion,
            link=_immersion_link(immersion, "host"),
        )


# --- rounds (coordinators) -----------------------------------------------------------------------------------


def _round_params(round_: Round) -> dict[str, object]:
    return {"week": full_date(round_.week_start)}


def round_ready(round_: Round, coordinators: Iterable[User]) -> None:
    """A round ran: its proposals wait for the coordinators' review (one message per round)."""
    placed = int((round_.metrics or {}).get("placed", 0))
    unmatched = len((round_.unmatched or {}).get("requests", []))

    def params() -> dict[str, object]:
        proposals = ngettext(
            "Le tour d'appariement de la semaine du %(week)s a fait %(num)d proposition",
            "Le tour d'appariement de la semaine du %(week)s a fait %(num)d propositions",
            placed,
            week=full_date(round_.week_start),
        )
        left = ngettext(
            "%(num)d demande reste sans proposition.",
            "%(num)d demandes restent sans proposition.",
            unmatched,
        )
        return {**_round_params(round_), "outcome": _("%(proposals)s ; %(left)s", proposals=proposals, left=left)}

    for user in coordinators:
        deliver(
            user,
            "round.ready",
            "round_ready",
            params=params,
            round=round_,
            link=external_url("coordination.round_page", round_id=round_.id),
            round_id=round_.id,
        )


def round_failed(round_: Round, coordinators: Iterable[User]) -> None:
    """A round ended failed, without proposals: the coordinators may run it again."""
    for user in coordinators:
        deliver(
            user,
            "round.failed",
            "round_failed",
            params=lambda: _round_params(round_),
            round=round_,
            link=external_url("coordination.round_page", round_id=round_.id),
            round_id=round_.id,
        )
