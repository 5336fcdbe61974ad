"""Proposal messages: a round's publication, then each side's answer, confirmation or expiry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from mobilite.models import (
    Immersion,
    Proposal,
)
from mobilite.notifications.immersions import immersion_link, tell_tutor
from mobilite.notifications.rendering import Party, deliver, external_url, full_date

if TYPE_CHECKING:
    pass


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
            link=immersion_link(immersion, role),
        )
    tell_tutor(immersion, proposal.request.agent, "agreement", [user for user, _role in recipients])


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
