"""The agreement's messages (services/agreement.py): a step waits for someone (and the coordination's
reminder of it), the signatures voided by a change, the agreement fully signed, and the day-before flag of
an agreement not fully signed. Kinds: agreement.<event>.<role>, role agent, home, host or coordination."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _

from mobilite.extensions import db
from mobilite.models import Immersion, SignatureParty, User
from mobilite.notifications.rendering import Party, deliver, external_url, full_date


def _params(immersion: Immersion) -> dict[str, object]:
    offer = immersion.session.offer
    agent = db.session.get_one(User, immersion.agent_id)
    return {
        "title": offer.title,
        "host": offer.organisation.name,
        "agent": agent.full_name,
        "start": full_date(immersion.start_date),
        "end": full_date(immersion.end_date),
    }


def _link(immersion: Immersion, role: str) -> str:
    space = {"agent": "agents", "coordination": "coordination"}.get(role, "rh")
    return external_url(f"{space}.immersion", immersion_id=immersion.id)


def waiting(immersion: Immersion, recipients: Iterable[Party], step: str, reminder: bool = False) -> None:
    """The agreement waits for these people: to complete it (host), check it (home HR) or sign it."""
    event = "reminder" if reminder else "waiting"
    for user, role in recipients:
        deliver(
            user,
            f"agreement.{event}.{role}",
            "agreement_waiting",
            params=lambda: _params(immersion),
            immersion=immersion,
            role=role,
            step=step,
            reminder=reminder,
            link=_link(immersion, role),
        )


def voided(immersion: Immersion, recipients: Iterable[Party], reason: str) -> None:
    """A change after their signature: those who had signed sign the new version again."""
    for user, role in recipients:
        deliver(
            user,
            f"agreement.voided.{role}",
            "agreement_voided",
            params=lambda: {**_params(immersion), "reason": reason},
            immersion=immersion,
            role=role,
            link=_link(immersion, role),
        )


def signed(immersion: Immersion, recipients: Iterable[Party]) -> None:
    """The three parties signed: each downloads the signed agreement."""
    for user, role in recipients:
        deliver(
            user,
            f"agreement.signed.{role}",
            "agreement_signed",
            params=lambda: _params(immersion),
            immersion=immersion,
            role=role,
            link=_link(immersion, role),
        )


def unsigned(immersion: Immersion, recipients: Iterable[Party], waiting_for: SignatureParty | None) -> None:
    """The day before the start, the agreement is not fully signed: both HR officers and the coordination."""
    who = {
        SignatureParty.AGENT: lambda: _("l'agent"),
        SignatureParty.HOME: lambda: _("l'employeur d'origine"),
        SignatureParty.HOST: lambda: _("l'organisation d'accueil"),
    }
    for user, role in recipients:
        deliver(
            user,
            f"agreement.unsigned.{role}",
            "agreement_unsigned",
            params=lambda: {**_params(immersion), "who": who[waiting_for]() if waiting_for else "—"},
            immersion=immersion,
            role=role,
            link=_link(immersion, role),
        )
