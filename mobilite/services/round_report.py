"""A published round, explained afterwards: how many were placed, how fair it was across organisations,
what the coordinators changed by hand, and why the others were not placed, grouped by reason.

Read by any coordinator of the network (web page and PDF, services.round_report_pdf). Everything comes from
the round as it stands: its proposals (status, pinned, replaced, the coordinator's reason), the engine's
reason for each request it left unmatched (UnmatchedOutlook, or the round's own record for rounds saved
before that table), and the audit log of the round and its proposals (who changed what, when).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.i18n import format_date
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.models import (
    AuditEvent,
    ImmersionRequest,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    UnmatchedOutlook,
    User,
)
from mobilite.services import listings

# The engine's pair rules, as the reason no session was possible for a request (the rule that excluded
# most of its sessions; its own organisation's sessions are always excluded, so that one only counts alone).
NO_SESSION = {
    "own_organisation": _l("Seules des sessions de sa propre organisation étaient ouvertes"),
    "dates": _l("Aucune session possible : les dates tombent hors de ses disponibilités"),
    "duration": _l("Aucune session possible : les durées ne correspondent pas à celle demandée"),
    "quota": _l("Aucune session possible : il ne lui reste pas assez de jours sur son quota"),
    "distance": _l("Aucune session possible : les lieux sont au-delà de sa distance maximale"),
    "prerequisites": _l("Aucune session possible : il lui manque des prérequis"),
    "forbidden": _l("Aucune session possible : les seules restantes avaient été écartées ou déclinées"),
}
NO_SESSION_OPEN = _l("Aucune session n'était ouverte à ce tour")
# Why the sessions that were possible did not take the request (the reason that held most of them).
OUTCOMPETED = {
    "full": _l("Des sessions possibles, mais leurs places sont allées à des demandes mieux classées"),
    "diversity": _l("Des sessions possibles, mais elles accueillaient déjà assez d'agents de son organisation"),
    "continuity": _l("Des sessions possibles, mais son organisation aurait eu trop d'agents absents en même temps"),
    "not_chosen": _l("Des sessions possibles, mais le calcul a retenu une meilleure répartition d'ensemble"),
}
# Short names of the same, for the detail of one request ("12 hors de ses disponibilités").
RULE_WORDS = {
    "own_organisation": _l("de sa propre organisation"),
    "dates": _l("hors de ses disponibilités"),
    "duration": _l("d'une autre durée"),
    "quota": _l("au-delà de son quota"),
    "distance": _l("trop loin"),
    "prerequisites": _l("prérequis manquants"),
    "forbidden": _l("déjà écartées ou déclinées"),
    "full": _l("complètes"),
    "diversity": _l("assez d'agents de son organisation"),
    "continuity": _l("trop d'absents en même temps"),
    "not_chosen": _l("non retenues"),
}
KEPT_BACK = _l("Non envoyée : la proposition n'avait pas été validée avant la publication")
REJECTED = _l("Écartée par la coordination : « %(reason)s »")

# What the audit log's actions on a round and its proposals mean to a coordinator.
ACTIONS = {
    "proposal.approve": _l("validation"),
    "proposal.reject": _l("proposition écartée"),
    "proposal.pin": _l("épinglage"),
    "proposal.unpin": _l("désépinglage"),
    "proposal.replace": _l("remplacement"),
    "round.rerun": _l("relance du tour"),
}


@dataclass(frozen=True)
class Person:
    name: str
    organisation: str
    detail: str = ""


@dataclass(frozen=True)
class ReasonGroup:
    reason: str
    people: list[Person]


@dataclass(frozen=True)
class OrganisationFairness:
    organisation: Organisation
    requests: int
    placed: int
    hosted: int
    floor: int  # placements the fairness floor asked for

    @property
    def rate(self) -> float:
        return self.placed / self.requests if self.requests else 0.0

    @property
    def below_floor(self) -> bool:
        return self.placed < self.floor


@dataclass(frozen=True)
class HandChange:
    """A proposal as a coordinator left it: rejected, replaced or pinned, and the last who did it."""

    person: Person
    offer: str
    change: str
    detail: str
    by: str
    at: datetime | None


@dataclass(frozen=True)
class RoundReport:
    round: Round
    published_by: str  # "" when the log does not say (a round published before it was kept)
    requests: int
    placed: int  # proposals sent to the agents
    outcomes: dict[ProposalStatus, int]  # what the sent proposals became
    rejected: int
    kept_back: int
    unmatched: int
    fairness_floor: float
    organisations: list[OrganisationFairness]
    actions: dict[str, int]  # audit action -> times
    bulk_approvals: int
    changes: list[HandChange]
    reasons: list[ReasonGroup] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.placed / self.requests if self.requests else None

    @property
    def lowest(self) -> OrganisationFairness | None:
        return min(self.organisations, key=lambda o: (o.rate, o.organisation.name), default=None)

    @property
    def highest(self) -> OrganisationFairness | None:
        return max(self.organisations, key=lambda o: (o.rate, o.organisation.name), default=None)

    @property
    def below_floor(self) -> list[OrganisationFairness]:
        return [o for o in self.organisations if o.below_floor]


def _person(request: ImmersionRequest | None, detail: str = "") -> Person:
    if request is None:  # deleted since (an account removed): the round still counts it
        return Person(_("Demande supprimée depuis"), "—", detail)
    return Person(request.agent.full_name, request.organisation.name, detail)


def _main(counts: dict[str, int], order: dict[str, Any], ignored: str | None = None) -> str | None:
    """The key that counts most (ties: in `order`'s order), `ignored` only when it is alone."""
    keys = [k for k in order if counts.get(k)]
    candidates = [k for k in keys if k != ignored] or keys
    return max(candidates, key=lambda k: (counts[k], -list(order).index(k)), default=None)


def _detail(counts: dict[str, int]) -> str:
    return ", ".join(
        _("%(n)s %(what)s", n=n, what=RULE_WORDS.get(rule, rule))
        for rule, n in sorted(counts.items(), key=lambda i: -i[1])
    )


def _unmatched_entries(round_: Round) -> list[dict[str, Any]]:
    """The engine's reason for each request the round left unmatched."""
    rows = db.session.scalars(select(UnmatchedOutlook).where(UnmatchedOutlook.round_id == round_.id)).all()
    if rows:
        return [{"request": r.request_id, "reason": r.reason, **r.data} for r in rows]
    return [dict(entry) for entry in (round_.unmatched or {}).get("requests", [])]


def _engine_reason(entry: dict[str, Any]) -> tuple[str, str]:
    """(group label, this request's detail) for an unmatched entry."""
    if entry.get("reason") == "no_eligible_session":
        excluded = {str(k): int(v) for k, v in (entry.get("excluded") or {}).items()}
        main = _main(excluded, NO_SESSION, ignored="own_organisation")
        label = str(NO_SESSION[main]) if main else str(NO_SESSION_OPEN)
        return label, _("sessions écartées : %(detail)s", detail=_detail(excluded)) if excluded else ""
    blocked = {str(k): int(v) for k, v in (entry.get("blocked") or {}).items()}
    main = _main(blocked, OUTCOMPETED) or "not_chosen"
    return str(OUTCOMPETED[main]), _("sessions possibles : %(detail)s", detail=_detail(blocked)) if blocked else ""


def _events(round_: Round, proposal_ids: list[int]) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    and_(AuditEvent.target_type == "Round", AuditEvent.target_id == round_.id),
                    and_(AuditEvent.target_type == "Proposal", AuditEvent.target_id.in_(proposal_ids)),
                )
            )
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )


def report(round_: Round) -> RoundReport:
    proposals = db.session.scalars(listings.round_proposals(round_.id)).all()
    events = _events(round_, [p.id for p in proposals])
    actors = {
        u.id: u.full_name
        for u in db.session.scalars(select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id})))
    }
    last: dict[tuple[str, int | None], AuditEvent] = {(e.action, e.target_id): e for e in events}

    entries = _unmatched_entries(round_)
    unmatched_requests = {
        r.id: r
        for r in db.session.scalars(
            select(ImmersionRequest)
            .where(ImmersionRequest.id.in_([int(e["request"]) for e in entries]))
            .options(selectinload(ImmersionRequest.agent), selectinload(ImmersionRequest.organisation))
        )
    }

    sent = [p for p in proposals if p.status in proposal_lifecycle.SHOWN]
    rejected = [p for p in proposals if p.status == ProposalStatus.REJECTED]
    kept_back = [p for p in proposals if p.status in proposal_lifecycle.IN_REVIEW]

    groups: dict[str, list[Person]] = defaultdict(list)
    for entry in entries:
        label, detail = _engine_reason(entry)
        groups[label].append(_person(unmatched_requests.get(int(entry["request"])), detail))
    for p in rejected:
        groups[_(REJECTED, reason=p.coordinator_reason or "—")].append(_person(p.request))
    for p in kept_back:
        groups[str(KEPT_BACK)].append(_person(p.request))
    reasons = sorted(
        (
            ReasonGroup(label, sorted(people, key=lambda x: (x.organisation, x.name)))
            for label, people in groups.items()
        ),
        key=lambda g: (-len(g.people), g.reason),
    )

    floor = float((round_.settings_snapshot or {}).get("fairness_floor") or 0.0)
    requests_by_org = Counter(p.request.organisation_id for p in proposals)
    requests_by_org.update(r.organisation_id for r in unmatched_requests.values())
    placed_by_org = Counter(p.request.organisation_id for p in sent)
    hosted_by_org = Counter(p.session.offer.organisation_id for p in sent)
    organisations = {o.id: o for o in round_.network.organisations}
    fairness = sorted(
        (
            OrganisationFairness(
                organisations[org_id], n, placed_by_org[org_id], hosted_by_org[org_id], math.ceil(floor * n - 1e-9)
            )
            for org_id, n in requests_by_org.items()
            if org_id in organisations
        ),
        key=lambda o: (o.rate, o.organisation.name),
    )

    def changed(p: Proposal, action: str, change: str, detail: str) -> HandChange:
        event = last.get((action, p.id))
        by = actors.get(event.actor_id, "—") if event and event.actor_id else "—"
        offer = _("« %(title)s », %(host)s", title=p.session.offer.title, host=p.session.offer.organisation.name)
        return HandChange(_person(p.request), offer, change, detail, by, event.at if event else None)

    def replaced(p: Proposal) -> bool:
        return p.replaced or ("proposal.replace", p.id) in last

    changes = [changed(p, "proposal.reject", _("Écartée"), p.coordinator_reason) for p in rejected]
    changes += [
        changed(
            p,
            "proposal.replace",
            _("Remplacée par la coordination"),
            _("placée sur une autre session que celle du calcul"),
        )
        for p in proposals
        if replaced(p) and p.status != ProposalStatus.REJECTED
    ]
    changes += [
        changed(p, "proposal.pin", _("Épinglée par la coordination"), _("gardée telle quelle aux relances"))
        for p in proposals
        if p.pinned and not replaced(p)
    ]

    publication = last.get(("round.publish", round_.id))
    return RoundReport(
        round=round_,
        published_by=actors.get(publication.actor_id, "") if publication and publication.actor_id else "",
        requests=len(proposals) + len(entries),
        placed=len(sent),
        outcomes=dict(Counter(p.status for p in sent)),
        rejected=len(rejected),
        kept_back=len(kept_back),
        unmatched=len(entries),
        fairness_floor=floor,
        organisations=fairness,
        actions=dict(Counter(e.action for e in events if e.action in ACTIONS)),
        bulk_approvals=sum(1 for e in events if e.action == "proposal.approve" and (e.details or {}).get("bulk")),
        changes=changes,
        reasons=reasons,
    )


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def sentences(r: RoundReport, percent: str) -> dict[str, str]:
    """The report's sentences, in the reader's language: the page and the PDF say the same."""
    n = format_decimal
    texts = {
        "placed": ngettext(
            "%(count)s proposition envoyée", "%(count)s propositions envoyées", r.placed, count=n(r.placed)
        )
        + (_(" (%(p)s des demandes)", p=format_percent(r.rate, percent)) if r.rate is not None else ""),
        "outcomes": _(
            "confirmées : %(c)s ; en attente de réponse : %(w)s ; déclinées : %(d)s ; expirées : %(e)s",
            c=n(r.outcomes.get(ProposalStatus.CONFIRMED, 0)),
            w=n(r.outcomes.get(ProposalStatus.PUBLISHED, 0) + r.outcomes.get(ProposalStatus.ACCEPTED, 0)),
            d=n(r.outcomes.get(ProposalStatus.DECLINED, 0)),
            e=n(r.outcomes.get(ProposalStatus.EXPIRED, 0)),
        ),
        "unplaced": _(
            "sans proposition du calcul : %(u)s ; écartées par la coordination : %(x)s ; non envoyées : %(k)s",
            u=n(r.unmatched),
            x=n(r.rejected),
            k=n(r.kept_back),
        ),
    }
    if r.round.published_at:
        day = format_date(r.round.published_at, "long")
        texts["published"] = (
            _("Tour publié le %(d)s par %(who)s.", d=day, who=r.published_by)
            if r.published_by
            else _("Tour publié le %(d)s.", d=day)
        )
    if r.lowest and r.highest:
        fairness = _(
            "Taux de placement des demandes de chaque organisation : de %(low)s (%(low_org)s) à %(high)s "
            "(%(high_org)s).",
            low=format_percent(r.lowest.rate, percent),
            low_org=r.lowest.organisation.name,
            high=format_percent(r.highest.rate, percent),
            high_org=r.highest.organisation.name,
        )
        if r.fairness_floor:
            fairness += " " + _(
                "Le réseau vise au moins %(floor)s des demandes de chaque organisation placées.",
                floor=format_percent(r.fairness_floor, percent),
            )
            below = len(r.below_floor)
            fairness += " " + (
                ngettext(
                    "%(num)d organisation est restée en dessous.",
                    "%(num)d organisations sont restées en dessous.",
                    below,
                )
                if below
                else _("Toutes l'ont atteint.")
            )
        texts["fairness"] = fairness
    if r.actions:
        parts = []
        for action, count in sorted(r.actions.items()):
            part = f"{action_label(action)} × {n(count)}"
            if action == "proposal.approve" and r.bulk_approvals:
                part += " " + _("(dont %(num)s en lot)", num=n(r.bulk_approvals))
            parts.append(part)
        done = ", ".join(parts)
        texts["actions"] = _("Décisions enregistrées : %(done)s.", done=done)
        if r.actions.get("round.rerun"):
            texts["rerun"] = _(
                "Après une relance, seules les propositions épinglées ont été gardées : les décisions prises "
                "avant sur les autres ne figurent plus ci-dessous."
            )
    else:
        texts["actions"] = _("Aucune décision à la main : le tour a été publié tel que calculé.")
    return texts
