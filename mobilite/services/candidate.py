"""Who is coming: what the host organisation's HR reads about the agent of a proposal before answering.

The agent's motivation, current job, the skills and interests that bear on the offer, and the proposal's
score in plain words ("souhaits couverts par l'offre : 2 sur 3", never "interest 200"). Only HR of the host
organisation reads it, and only once the proposal is published to them (the agent's request form says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _

from mobilite.i18n import N_
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.models import Proposal, User
from mobilite.services import score_words

LEVELS = {1: N_("1 — Notions"), 2: N_("2 — Pratique"), 3: N_("3 — Maîtrise"), 4: N_("4 — Expertise")}


@dataclass(frozen=True)
class Fact:
    """One line of the score in plain words: what was weighed, and how it came out for this agent."""

    label: str
    value: str


@dataclass(frozen=True)
class Candidate:
    name: str
    job_title: str
    team: str
    organisation: str
    motivation: str
    wanted_covered: list[str] = field(default_factory=list)  # what the agent asked for and the offer covers
    wanted_other: list[str] = field(default_factory=list)  # what the agent asked for beyond the offer
    skills: list[Fact] = field(default_factory=list)  # the agent's level in the offer's skills and prerequisites
    interests: list[str] = field(default_factory=list)  # the profile's interests among the offer's themes
    score: list[Fact] = field(default_factory=list)


def for_host(user: User, proposal: Proposal) -> Candidate | None:
    """The agent as the host's HR reads them, or None for anybody else (the agent, the home employer's HR)."""
    host_id = proposal.session.offer.organisation_id
    if proposal.status not in proposal_lifecycle.SHOWN or not user.is_hr_of(host_id):
        return None
    if proposal.request.is_owned_by(user):
        return None
    return describe(proposal)


def _label(item) -> str:
    return str(item.label(str(get_locale())))


def _level(level: int | None) -> str:
    return _(LEVELS[level]) if level in LEVELS else _("non indiquée dans son profil")


def describe(proposal: Proposal) -> Candidate:
    item, offer = proposal.request, proposal.session.offer
    agent = item.agent
    offer_themes, offer_skills = {t.id for t in offer.themes}, {s.id for s in offer.skills}
    wanted = [*item.themes, *item.skills]
    covered = [w for w in item.themes if w.id in offer_themes] + [w for w in item.skills if w.id in offer_skills]
    levels = {us.skill_id: us.level for us in agent.skills}
    skills = [Fact(_label(s), _level(levels.get(s.id))) for s in offer.skills]
    skills += [
        Fact(
            _label(p.skill),
            _(
                "%(held)s ; niveau demandé : %(required)s",
                held=_level(levels.get(p.skill_id)),
                required=_(LEVELS[p.min_level]),
            ),
        )
        for p in offer.prerequisites
        if p.skill_id not in offer_skills
    ]
    return Candidate(
        name=agent.full_name,
        job_title=agent.job_title,
        team=agent.team,
        organisation=item.organisation.name,
        motivation=item.motivation,
        wanted_covered=[_label(w) for w in covered],
        wanted_other=[_label(w) for w in wanted if w not in covered],
        skills=skills,
        interests=[_label(t) for t in agent.interests if t.id in offer_themes],
        score=_score(proposal),
    )


def _score(proposal: Proposal) -> list[Fact]:
    """The terms the round weighed for this placement, each as a fact about the agent and the offer: the
    same words as the coordination's review (services.score_words), as label and value."""
    weights = (proposal.round.settings_snapshot or {}).get("weights", {})
    facts = []
    if proposal.replaced or "manual" in (proposal.breakdown or {}):
        facts.append(Fact(_("Placement"), _("choisi par la coordination du réseau")))
    words = score_words.describe(proposal.request, proposal.session, proposal.breakdown, weights, base=False)
    return facts + [Fact(w.label, w.value) for w in words]
