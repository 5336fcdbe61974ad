"""Every message the application sends, one function per event.

Services say which event happened to whom (`notifications.request_decided(request)`); this package writes
the message: templates in templates/email/<event>.txt (subject and text) and .html (same content, inline
styles), in each recipient's language, dates by Flask-Babel, links by endpoint name on BASE_URL
(`external_url`), in the caller's unit of work: an item in the person's inbox and, as they chose for its
category, an e-mail in the outbox at once, in a digest (mobilite.notifications.digests), or none.

The kind of each message (`request.submitted`, `proposal.accepted.host`…) is stable: preferences, digests
and urgency key on it (mobilite.notifications.kinds), and the outbox orders by it (account e-mails first,
bulk last). Tutors, who may have no account, get their messages by e-mail only (`deliver_to_tutor`).

One module per subject: accounts, requests, offers, proposals, immersions, rounds, and the agreement
(`notifications.agreement`, called by that name); this package re-exports the others' events, so that
callers write `notifications.<event>`.
"""

from mobilite.notifications.accounts import account_invitation, password_link, password_reset
from mobilite.notifications.immersions import (
    feedback_given_by_tutor,
    feedback_requested,
    immersion_agent_deactivated,
    immersion_called_off,
    immersion_cancelled,
    immersion_reminder,
)
from mobilite.notifications.offers import offer_published, offer_sent_back
from mobilite.notifications.proposals import (
    proposal_accepted,
    proposal_confirmed,
    proposal_declined,
    proposal_expired,
    proposal_expiring,
    proposal_published,
)
from mobilite.notifications.rendering import deliver, external_url, full_date, render
from mobilite.notifications.requests import (
    opinion_asked,
    opinion_given,
    request_deadline,
    request_decided,
    request_paused,
    request_resumed,
    request_submitted,
    request_withdrawn,
    request_withdrawn_on_deactivation,
)
from mobilite.notifications.rounds import round_failed, round_ready, round_unmatched

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
