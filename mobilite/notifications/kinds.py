"""Which messages people may tune, and how: categories of kinds, their default channel, what is urgent.

A message's kind (`proposal.published.host`) belongs to one category ("Propositions faites à vos offres et
à vos agents"); each person chooses per category: an e-mail at once, a digest, or only the app.

- Account messages (password links) are not in any category: e-mailed at once, never in the inbox.
- Essential categories carry a legal deadline (the employer's month to answer a request): they are never
  switched off e-mail (immediate or digest only) and their e-mails carry no unsubscribe link.
- Urgent kinds go out at once whatever the choice (a digest would come too late): a proposal expiring
  tomorrow, a declined proposal or a cancelled immersion, a legal deadline that has passed.
- Digests: a round's publication is gathered per round (one e-mail right after it), everything else in
  the morning digest.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from mobilite.models import Channel, Role

ACCOUNT_PREFIXES = ("password.", "account.", "security.")
URGENT_PREFIXES = (
    "proposal.expiring.",
    "proposal.declined.",
    "immersion.cancelled.",
    "immersion.agent_deactivated.",
    "request.deadline_passed.",
    "agreement.unsigned.",
)
# Kinds that carry a legal deadline outside an essential category: the agent told the month has passed.
ESSENTIAL_PREFIXES = ("request.deadline_passed.",)
ROUND_DIGEST_PREFIXES = ("proposal.published", "round.")
DAY = "day"


@dataclass(frozen=True)
class Category:
    key: str
    role: Role | None  # who chooses it on the preferences page (None: people without an account)
    label: str
    help: str
    kinds: tuple[str, ...]  # kind prefixes
    default: Channel
    essential: bool = False
    # What its digest is: "day" (the morning digest), "round" (one e-mail per round), or "mixed" (a round's
    # proposals per round, the rest in the morning digest).
    digest: str = "day"

    def choices(self) -> tuple[Channel, ...]:
        if self.essential:
            return (Channel.IMMEDIATE, Channel.DIGEST)
        return (Channel.IMMEDIATE, Channel.DIGEST, Channel.APP)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "agent_requests",
        Role.AGENT,
        _l("Mes demandes d'immersion"),
        _l("La réponse de votre employeur, et ce que chaque tour d'appariement dit de votre demande."),
        (
            "request.approved",
            "request.refused",
            "request.postponed",
            "request.deadline_passed.agent",
            "request.paused",
            "request.resumed",
            "round.unmatched",
        ),
        Channel.IMMEDIATE,
    ),
    Category(
        "agent_proposals",
        Role.AGENT,
        _l("Les propositions qui me sont faites"),
        _l("Une immersion proposée, les réponses, la confirmation."),
        (
            "proposal.published",
            "proposal.accepted.agent",
            "proposal.declined.agent",
            "proposal.confirmed.agent",
            "proposal.expired.agent",
            "proposal.expiring.agent",
        ),
        Channel.IMMEDIATE,
        digest="mixed",
    ),
    Category(
        "agent_immersions",
        Role.AGENT,
        _l("Mes immersions : rappel et bilan"),
        _l("Le rappel avant le premier jour, puis la demande de bilan."),
        ("immersion.reminder.agent", "feedback.request.agent", "feedback.reminder.agent", "immersion.cancelled.agent"),
        Channel.IMMEDIATE,
    ),
    Category(
        "agent_agreements",
        Role.AGENT,
        _l("La convention de mes immersions"),
        _l("La convention à signer, une signature annulée par un changement, la convention signée."),
        ("agreement.waiting.agent", "agreement.reminder.agent", "agreement.voided.agent", "agreement.signed.agent"),
        Channel.IMMEDIATE,
    ),
    Category(
        "hr_requests",
        Role.RH,
        _l("Demandes de vos agents à décider"),
        _l("Nouvelles demandes, retraits, et rappels du délai d'un mois pour répondre."),
        (
            "request.submitted",
            "request.withdrawn",
            "request.deadline_soon",
            "request.deadline_passed.rh",
            "request.opinion",
        ),
        Channel.DIGEST,
        essential=True,
    ),
    Category(
        "line_manager",
        Role.AGENT,
        _l("Avis à donner comme responsable hiérarchique"),
        _l("Une personne de votre équipe demande une immersion : votre avis, et son rappel avant le délai."),
        ("opinion.",),
        Channel.IMMEDIATE,
        essential=True,
    ),
    Category(
        "hr_proposals",
        Role.RH,
        _l("Propositions faites à vos offres et à vos agents"),
        _l("Les propositions d'un tour (un seul e-mail par tour), puis les réponses des uns et des autres."),
        (
            "proposal.published.host",
            "proposal.published.home",
            "proposal.accepted.host",
            "proposal.accepted.home",
            "proposal.declined.host",
            "proposal.declined.home",
            "proposal.confirmed.host",
            "proposal.confirmed.home",
            "proposal.expired.host",
            "proposal.expired.home",
            "proposal.expiring.host",
        ),
        Channel.DIGEST,
        digest="mixed",
    ),
    Category(
        "hr_immersions",
        Role.RH,
        _l("Immersions accueillies : arrivées et bilans"),
        _l("Le rappel avant l'arrivée d'une personne, la demande de bilan, une immersion annulée."),
        (
            "immersion.reminder.host",
            "feedback.request.host",
            "feedback.reminder.host",
            "feedback.tutor.host",
            "immersion.cancelled.host",
            "immersion.cancelled.home",
            "immersion.agent_deactivated.",
        ),
        Channel.DIGEST,
    ),
    Category(
        "hr_agreements",
        Role.RH,
        _l("Conventions d'immersion à compléter, vérifier et signer"),
        _l("Une convention vous attend, une relance, une signature annulée par un changement, la convention signée."),
        tuple(
            f"agreement.{event}.{side}"
            for event in ("waiting", "reminder", "voided", "signed", "unsigned")
            for side in ("home", "host")
        ),
        Channel.IMMEDIATE,
    ),
    Category(
        "hr_offers",
        Role.RH,
        _l("Vos offres"),
        _l("Une offre publiée par la coordination, ou renvoyée avec un commentaire."),
        ("offer.",),
        Channel.IMMEDIATE,
    ),
    Category(
        "coordination_rounds",
        Role.COORDINATOR,
        _l("Tours d'appariement"),
        _l("Un e-mail par tour : ses propositions sont prêtes à examiner, ou il a échoué."),
        ("round.ready", "round.failed"),
        Channel.IMMEDIATE,
        digest="round",
    ),
    Category(
        "coordination_agreements",
        Role.COORDINATOR,
        _l("Conventions non signées"),
        _l("La veille de son début, une immersion dont la convention n'est pas signée par les trois parties."),
        ("agreement.unsigned.coordination",),
        Channel.IMMEDIATE,
    ),
    Category(
        "tutor",
        None,
        _l("Messages aux tuteurs et tutrices"),
        _l("L'arrivée de la personne accueillie, la convention, le bilan."),
        ("tutor.",),
        Channel.IMMEDIATE,
    ),
)
BY_KEY = {category.key: category for category in CATEGORIES}
# A kind no category lists yet (a new event whose category was forgotten): in the inbox and e-mailed at
# once, never silently dropped. The rendering test fails on it (tests/test_notifications.py).
UNLISTED = Category("unlisted", None, _l("Autres messages"), "", (), Channel.IMMEDIATE, essential=True)


def _matches(kind: str, prefix: str) -> bool:
    return kind == prefix or kind.startswith(prefix if prefix.endswith(".") else prefix + ".")


def category_of(kind: str) -> Category | None:
    """The category a kind belongs to: the one with the longest matching prefix; None for account messages."""
    if kind.startswith(ACCOUNT_PREFIXES):
        return None
    found = [(len(prefix), category) for category in CATEGORIES for prefix in category.kinds if _matches(kind, prefix)]
    if not found:
        return UNLISTED
    return max(found, key=lambda pair: pair[0])[1]


def is_urgent(kind: str) -> bool:
    return kind.startswith(URGENT_PREFIXES)


def is_essential(kind: str) -> bool:
    """Never switched off e-mail, never unsubscribed from: account messages and legal deadlines."""
    category = category_of(kind)
    return category is None or category.essential or kind.startswith(ESSENTIAL_PREFIXES)


def digest_key(kind: str, round_id: int | None) -> str:
    """Where a waiting message is gathered: with its round's other messages, or in the morning digest."""
    if round_id is not None and kind.startswith(ROUND_DIGEST_PREFIXES):
        return f"round:{round_id}"
    return DAY


def channel(category: Category, chosen: Channel | None, kind: str) -> Channel:
    """How this message goes, from the person's choice (or the category's default)."""
    wanted = chosen if chosen in category.choices() else category.default
    if wanted == Channel.APP and is_essential(kind):
        wanted = Channel.IMMEDIATE
    if is_urgent(kind) and wanted == Channel.DIGEST:
        return Channel.IMMEDIATE
    return wanted


def categories_for(roles: set[Role]) -> list[Category]:
    """The categories a person chooses on the preferences page, in the page's order."""
    return [category for category in CATEGORIES if category.role is not None and category.role in roles]
