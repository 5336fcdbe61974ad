"""Calling off a confirmed immersion before its first day.

- Any party calls it off with a reason: the agent, an HR officer of the home employer or of the host, or a
  coordinator of the network. Anybody else gets the same 404 as for a record that does not exist (authz).
- From the first day on it is refused: what happened is then told by the feedback (done, partly done, did
  not happen), which also sets the days that count.
- Its days stop counting against the agent's quota and its seat reopens: both only count immersions that
  are not cancelled (rules.used_quota_days_by_agent, round_problem._seats_held), so the next round can fill
  the seat. This request × session pair is never proposed again.
- The request: called off by the agent or their employer, it is closed (the agent asks again when they
  wish); called off by the host or the coordination, it goes back to the queue for the next round.
- A change of dates inside the session's period goes through the agreement (services/agreement.py: the
  signatures are voided and given again); other dates mean calling it off, and the next round proposes
  another session, which both sides accept again.
- The other parties are told, with the reason.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from mobilite import notifications
from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.lifecycles import immersion as immersion_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.immersion import ImmersionMove
from mobilite.lifecycles.request import RequestMove
from mobilite.limits import MAX_REASON_LENGTH, REASON_TOO_LONG
from mobilite.models import Immersion, ImmersionStatus, User, utcnow
from mobilite.services import audit
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers
from mobilite.services.proposals import forbid_pair


def party_of(user: User, immersion: Immersion) -> str | None:
    """The part the user plays: "agent", "home", "host", "coordination", or None (not theirs to call off)."""
    if immersion.agent_id == user.id:
        return "agent"
    if user.is_hr_of(immersion.home_organisation_id):
        return "home"
    if user.is_hr_of(immersion.host_organisation_id):
        return "host"
    if user.coordinates(immersion.proposal.round.network_id):
        return "coordination"
    return None


def may_call_off(immersion: Immersion, today: date | None = None) -> bool:
    """Still confirmed and not begun: it may be called off."""
    return immersion.status == ImmersionStatus.CONFIRMED and (today or date.today()) < immersion.start_date


def call_off(actor: User, immersion: Immersion, reason: str, today: date | None = None) -> Immersion:
    today = today or date.today()
    party = party_of(actor, immersion)
    if party is None:
        raise ServiceError(_("Seules les parties à l'immersion et la coordination du réseau peuvent l'annuler."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError({"reason": [_("Dites pourquoi l'immersion est annulée : le motif est obligatoire.")]})
    if len(reason) > MAX_REASON_LENGTH:
        raise ServiceError({"reason": [_(REASON_TOO_LONG)]})
    # Lock the row: two parties calling it off at once must not both succeed.
    db.session.execute(select(Immersion.id).where(Immersion.id == immersion.id).with_for_update())
    db.session.refresh(immersion)
    called_off = immersion_lifecycle.check_move(immersion.status, ImmersionMove.CALL_OFF)
    if today >= immersion.start_date:
        raise ServiceError(
            _(
                "L'immersion a commencé le %(d)s : elle ne peut plus être annulée. Dites ce qui s'est passé dans "
                "le bilan.",
                d=format_date(immersion.start_date, "long"),
            )
        )
    immersion.status = called_off
    immersion.cancelled_at = utcnow()
    immersion.cancelled_by_id = actor.id
    immersion.cancel_reason = reason
    proposal = immersion.proposal
    forbid_pair(proposal, actor, reason, "cancelled")
    immersion_request = proposal.request
    move = RequestMove.CLOSE if party in ("agent", "home") else RequestMove.RELEASE
    if request_lifecycle.LIFECYCLE.allows(immersion_request.status, move):
        immersion_request.status = request_lifecycle.check_move(immersion_request.status, move)
    organisation_id = immersion.host_organisation_id if party == "host" else immersion.home_organisation_id
    audit.record(actor, "immersion.call_off", immersion, organisation_id=organisation_id, party=party)
    _tell_the_others(immersion, actor, party, reason)
    db.session.commit()
    return immersion


def _tell_the_others(immersion: Immersion, actor: User, party: str, reason: str) -> None:
    agent = db.session.get_one(User, immersion.agent_id)
    candidates = [(agent, "agent")]
    candidates += [(u, "home") for u in hr_officers(immersion.home_organisation_id)]
    candidates += [(u, "host") for u in hr_officers(immersion.host_organisation_id)]
    seen = {actor.id}
    recipients = []
    for user, role in candidates:
        if user.id not in seen and user.active:
            seen.add(user.id)
            recipients.append((user, role))
    notifications.immersion_called_off(immersion, agent, recipients, party, reason)
