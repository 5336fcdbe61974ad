"""Immersion messages: the reminder, a cancellation, feedback; the offer's tutor by e-mail only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobilite.extensions import db
from mobilite.models import (
    Feedback,
    FeedbackSide,
    Immersion,
    User,
)
from mobilite.notifications import links
from mobilite.notifications.rendering import Party, Tutor, deliver, deliver_to_tutor, external_url, full_date

if TYPE_CHECKING:
    pass


def immersion_link(immersion: Immersion, role: str) -> str:
    if role == "agent":
        return external_url("agents.immersion", immersion_id=immersion.id)
    return external_url("rh.immersion", immersion_id=immersion.id)


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


def tell_tutor(
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
            link=immersion_link(immersion, role),
        )
    tell_tutor(immersion, agent, "arrival", [user for user, _role in recipients])


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
            link=immersion_link(immersion, role),
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
            link=immersion_link(immersion, role),
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
            link=immersion_link(immersion, role),
        )
    told = [user for user, _role in recipients]
    tell_tutor(immersion, agent, "called_off", told, extra={"by": by[party], "reason": reason})


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
        tell_tutor(immersion, agent, "feedback", [user for user, _side in recipients], officers)


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
            link=immersion_link(immersion, "host"),
        )
