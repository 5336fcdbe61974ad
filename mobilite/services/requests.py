"""Agents' immersion requests: create, edit, submit, withdraw, wish; HR answers them as the home employer.

Every function commits once, with its audit event and notifications in the same unit of work. A stale
version (the form was opened before someone else saved) raises concurrency.Conflict, with what changed:
never a lost update.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from mobilite import notifications
from mobilite.authz import Action, can
from mobilite.extensions import db
from mobilite.i18n import N_, format_date
from mobilite.lifecycles import request as lifecycle
from mobilite.lifecycles.request import NEEDS_REASON, RequestDecision, RequestMove
from mobilite.limits import CHOOSE_AN_ANSWER, REQUEST_REASON_REQUIRED
from mobilite.models import (
    AvailabilityWindow,
    ImmersionRequest,
    Network,
    Offer,
    OfferStatus,
    RequestStatus,
    Skill,
    Theme,
    User,
    Wish,
    utcnow,
)
from mobilite.services import audit, first_use, line_manager, rules, wish_checks
from mobilite.services.concurrency import Conflict, check_version, versioned_commit
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers
from mobilite.services.taxonomy import vocabulary

# Fields compared to explain a concurrent edit; labels are msgids translated at display time.
FIELD_LABELS = {
    "status": N_("Statut"),
    "themes": N_("Thématiques souhaitées"),
    "skills": N_("Compétences souhaitées"),
    "windows": N_("Disponibilités"),
    "min_days": N_("Durée minimale"),
    "max_days": N_("Durée maximale"),
    "max_distance_km": N_("Distance maximale"),
    "motivation": N_("Motivation"),
    "career_project": N_("Projet professionnel"),
    "wishes": N_("Vœux"),
}


def network_of(holder: ImmersionRequest | User) -> Network:
    """The network of an agent, or of the organisation a request was made from."""
    organisation = holder.organisation
    if organisation is None:  # only accounts outside any organisation (admins, coordinators) have none
        raise LookupError(f"{holder!r} belongs to no organisation")
    return organisation.network


def answer_deadline(immersion_request: ImmersionRequest) -> date | None:
    """The home employer answers within the network's deadline (a month by default) from submission."""
    if immersion_request.submitted_at is None:
        return None
    return (immersion_request.submitted_at + timedelta(days=network_of(immersion_request).answer_deadline_days)).date()


def is_overdue(immersion_request: ImmersionRequest, today: date | None = None) -> bool:
    deadline = answer_deadline(immersion_request)
    return immersion_request.status in lifecycle.WAITING and deadline is not None and deadline < (today or date.today())


# --- reading and comparing ------------------------------------------------------------------------------


def _wish_offers(agent: User, offer_ids: list[int], field: str = "wishes") -> list[Offer]:
    """The offers, in the given order, if each is published in the agent's network and not their own."""
    if not offer_ids:
        return []
    offers = {
        o.id: o for o in db.session.scalars(select(Offer).join(Offer.organisation).where(Offer.id.in_(set(offer_ids))))
    }
    network_id = agent.home_network_id
    for offer_id in offer_ids:
        offer = offers.get(offer_id)
        if offer is None or offer.organisation.network_id != network_id or offer.status != OfferStatus.PUBLISHED:
            raise ServiceError({field: [_("Cette offre n'est pas (ou plus) publiée dans votre réseau.")]})
        if offer.organisation_id == agent.organisation_id:
            raise ServiceError(
                {
                    field: [
                        _(
                            "Une immersion se fait dans une autre organisation que la vôtre : "
                            "retirez l'offre « %(title)s ».",
                            title=offer.title,
                        )
                    ]
                }
            )
    return [offers[i] for i in offer_ids]


def _describe_windows(windows) -> str:
    return ", ".join(f"{format_date(s, 'short')} → {format_date(e, 'short')}" for s, e in windows) or "—"


def snapshot(immersion_request: ImmersionRequest) -> dict[str, str]:
    """The request as a person reads it, field by field, to show what changed."""
    return {
        "status": str(immersion_request.status.value),
        "themes": ", ".join(t.label_fr for t in immersion_request.themes) or "—",
        "skills": ", ".join(s.label_fr for s in immersion_request.skills) or "—",
        "windows": _describe_windows([(w.start_date, w.end_date) for w in immersion_request.windows]),
        "min_days": str(immersion_request.min_days),
        "max_days": str(immersion_request.max_days),
        "max_distance_km": (
            str(immersion_request.max_distance_km) if immersion_request.max_distance_km is not None else "—"
        ),
        "motivation": immersion_request.motivation,
        "career_project": immersion_request.career_project,
        "wishes": _(" ; ").join(f"{w.rank}. {w.offer.title}" for w in immersion_request.wishes) or "—",
    }


def _snapshot_of_data(data: dict) -> dict[str, str]:
    themes = db.session.scalars(select(Theme).where(Theme.id.in_(data.get("themes", [])))).all()
    skills = db.session.scalars(select(Skill).where(Skill.id.in_(data.get("skills", [])))).all()
    titles = dict(db.session.execute(select(Offer.id, Offer.title).where(Offer.id.in_(data.get("wishes", [])))).all())
    windows = sorted((w["start"], w["end"]) for w in data.get("windows", []))
    return {
        "themes": ", ".join(sorted(t.label_fr for t in themes)) or "—",
        "skills": ", ".join(sorted(s.label_fr for s in skills)) or "—",
        "windows": _describe_windows(windows),
        "min_days": str(data.get("min_days")),
        "max_days": str(data.get("max_days")),
        "max_distance_km": str(data["max_distance_km"]) if data.get("max_distance_km") is not None else "—",
        "motivation": data.get("motivation", ""),
        "career_project": data.get("career_project", ""),
        "wishes": _(" ; ").join(f"{n}. {titles.get(i, i)}" for n, i in enumerate(data.get("wishes", []), 1)) or "—",
    }


def _conflict(immersion_request: ImmersionRequest, data: dict | None = None, message: str | None = None):
    """The Conflict a stale save of `immersion_request` raises (versioned_commit builds it after its rollback), with the
    fields where `data` differs from the stored request."""

    def build() -> Conflict:
        db.session.refresh(immersion_request)
        stored = snapshot(immersion_request)
        changes = []
        if data is not None:
            yours = _snapshot_of_data(data)
            changes = [(FIELD_LABELS[k], yours[k], stored[k]) for k in yours if yours[k] != stored[k]]
        return Conflict(
            message or _("Cette demande a été modifiée entre-temps."),
            changes=changes,
            current_version=immersion_request.version,
        )

    return build


# --- the agent's side -----------------------------------------------------------------------------------


def _apply(agent: User, immersion_request: ImmersionRequest, data: dict) -> None:
    immersion_request.themes = vocabulary(Theme, data.get("themes", []), "themes")
    immersion_request.skills = vocabulary(Skill, data.get("skills", []), "skills")
    offers = _wish_offers(agent, data.get("wishes", []))
    immersion_request.min_days, immersion_request.max_days = data["min_days"], data["max_days"]
    immersion_request.max_distance_km = data.get("max_distance_km")
    immersion_request.motivation = data.get("motivation", "")
    immersion_request.career_project = data.get("career_project", "")
    immersion_request.shorter_notice_agreed = bool(data.get("shorter_notice_agreed"))
    immersion_request.line_manager, immersion_request.line_manager_email = line_manager.resolve(
        agent, data.get("line_manager_id"), data.get("line_manager_email", "")
    )
    # Always an UPDATE of the row, so the version column guards child changes too.
    immersion_request.updated_at = utcnow()
    # Old rows go first: (request, rank) is unique and the new ranks reuse the old ones.
    immersion_request.windows.clear()
    immersion_request.wishes.clear()
    if immersion_request.id is not None:
        db.session.flush()
    immersion_request.windows.extend(
        AvailabilityWindow(start_date=w["start"], end_date=w["end"]) for w in data.get("windows", [])
    )
    immersion_request.wishes.extend(Wish(offer=offer, rank=rank) for rank, offer in enumerate(offers, start=1))


def _form_rule_values(data: dict) -> dict:
    """What the legal rules check, as the form sends it."""
    return {
        "min_days": data["min_days"],
        "max_days": data["max_days"],
        "windows": [(w["start"], w["end"]) for w in data.get("windows", [])],
        "career_project": data.get("career_project", ""),
        "shorter_notice_agreed": bool(data.get("shorter_notice_agreed")),
        "line_manager_id": data.get("line_manager_id"),
        "line_manager_email": data.get("line_manager_email", ""),
    }


def _stored_rule_values(immersion_request: ImmersionRequest) -> dict:
    """What the legal rules check, as the request holds it."""
    return {
        "min_days": immersion_request.min_days,
        "max_days": immersion_request.max_days,
        "windows": [(w.start_date, w.end_date) for w in immersion_request.windows],
        "career_project": immersion_request.career_project,
        "shorter_notice_agreed": immersion_request.shorter_notice_agreed,
        "line_manager_id": immersion_request.line_manager_id,
        "line_manager_email": immersion_request.line_manager_email,
    }


def _check_rules(
    agent: User, values: dict, today: date, wishes: wish_checks.WishChecks | None = None, *, submitting: bool = True
) -> None:
    """The legal rules, and (when given) the wishes: one that no session can satisfy is not submitted. The
    notice is measured from the submission only (`submitting`): editing a submitted request does not move it."""
    network = network_of(agent)
    agreed = values["shorter_notice_agreed"] or not submitting
    errors = rules.submission_errors(
        agent.id,
        network,
        min_days=values["min_days"],
        max_days=values["max_days"],
        windows=values["windows"],
        today=today,
    )
    # Made at least the notice before it starts (three months by law), unless agreed; the career project; the
    # line manager who gives their opinion.
    if submitting and not network.collecting(today) and network.campaign_collection_end is not None:
        errors.setdefault("_schema", []).append(rules.campaign_closed(network.campaign_collection_end))
    for found in (
        line_manager.notice_errors(network, values["windows"], agreed, today),
        line_manager.submission_errors(network, values),
    ):
        for field, messages in found.items():
            errors.setdefault(field, []).extend(messages)
    for field, messages in (wishes.errors() if wishes is not None else {}).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ServiceError(errors)


def _data_wishes(agent: User, data: dict, today: date, saved: ImmersionRequest | None = None) -> wish_checks.WishChecks:
    """The wishes of the data sent, checked before anything is saved."""
    return wish_checks.check_values(agent, data, _wish_offers(agent, data.get("wishes", [])), saved, today)


def _mark_submitted(agent: User, immersion_request: ImmersionRequest) -> None:
    immersion_request.status = lifecycle.check_move(immersion_request.status, RequestMove.SUBMIT)
    immersion_request.submitted_at = utcnow()
    immersion_request.decision_reason = ""
    _notify_hr(immersion_request, agent)
    line_manager.on_submit(immersion_request)


def create_request(agent: User, data: dict, *, submit: bool = False, today: date | None = None) -> ImmersionRequest:
    """A new request of the agent, as a draft, or submitted to the home employer if `submit` (rules checked)."""
    if agent.organisation is None:
        raise ServiceError(_("Seul un agent rattaché à une organisation peut demander une immersion."))
    first_use.check_can_request(agent)  # no place to measure distances from: the profile comes first
    today = today or date.today()
    if submit:
        _check_rules(agent, _form_rule_values(data), today, _data_wishes(agent, data, today))
    immersion_request = ImmersionRequest(agent=agent, organisation=agent.organisation, status=RequestStatus.DRAFT)
    _apply(agent, immersion_request, data)
    db.session.add(immersion_request)
    db.session.flush()
    if submit:
        _mark_submitted(agent, immersion_request)
    audit.record(
        agent,
        "request.submit" if submit else "request.create",
        immersion_request,
        organisation_id=immersion_request.organisation_id,
    )
    db.session.commit()
    return immersion_request


def update_request(
    agent: User, immersion_request: ImmersionRequest, data: dict, *, submit: bool = False, today: date | None = None
) -> ImmersionRequest:
    """Save an edit made on `data["version"]`. A submitted request stays submitted, so the rules apply again."""
    conflict = _conflict(immersion_request, data)
    with versioned_commit(immersion_request, data.get("version"), required=True, conflict=conflict):
        if not can(agent, Action.EDIT, immersion_request):
            raise ServiceError(_("Cette demande a déjà reçu une réponse : elle ne se modifie plus."))
        today = today or date.today()
        if submit or immersion_request.status == RequestStatus.SUBMITTED:
            submitting = submit and immersion_request.status == RequestStatus.DRAFT
            _check_rules(
                agent,
                _form_rule_values(data),
                today,
                _data_wishes(agent, data, today, immersion_request),
                submitting=submitting,
            )
        named = (immersion_request.line_manager, immersion_request.line_manager_email)
        _apply(agent, immersion_request, data)
        renamed = named != (immersion_request.line_manager, immersion_request.line_manager_email)
        if renamed and immersion_request.status == RequestStatus.SUBMITTED and immersion_request.opinion is None:
            line_manager.renamed(immersion_request)  # the new manager is asked; the old link stops working
        if submit and immersion_request.status == RequestStatus.DRAFT:
            _mark_submitted(agent, immersion_request)
            audit.record(agent, "request.submit", immersion_request, organisation_id=immersion_request.organisation_id)
        else:
            audit.record(agent, "request.update", immersion_request, organisation_id=immersion_request.organisation_id)
    return immersion_request


def submit_request(
    agent: User, immersion_request: ImmersionRequest, version: int | None, today: date | None = None
) -> None:
    """Draft → submitted, once every legal rule holds."""
    with versioned_commit(immersion_request, version, required=True, conflict=_conflict(immersion_request)):
        refused = _("Seule une demande en brouillon peut être soumise.")
        if not immersion_request.is_owned_by(agent):
            raise ServiceError(refused)
        lifecycle.check_move(immersion_request.status, RequestMove.SUBMIT, refused)
        today = today or date.today()
        _check_rules(
            agent, _stored_rule_values(immersion_request), today, wish_checks.check_wishes(immersion_request, today)
        )
        _mark_submitted(agent, immersion_request)
        audit.record(agent, "request.submit", immersion_request, organisation_id=immersion_request.organisation_id)


def withdraw_request(agent: User, immersion_request: ImmersionRequest, version: int | None) -> None:
    with versioned_commit(immersion_request, version, required=True, conflict=_conflict(immersion_request)):
        refused = _("Cette demande ne peut plus être retirée.")
        if not immersion_request.is_owned_by(agent):
            raise ServiceError(refused)
        was = immersion_request.status
        immersion_request.status = lifecycle.check_move(was, RequestMove.WITHDRAW, refused)
        if was != RequestStatus.DRAFT:
            _notify_hr(immersion_request, agent, withdrawn=True)
        audit.record(
            agent,
            "request.withdraw",
            immersion_request,
            organisation_id=immersion_request.organisation_id,
            previous=was.value,
        )


def add_wish(
    agent: User, immersion_request: ImmersionRequest, offer_id: int, version: int | None, today: date | None = None
) -> Wish:
    """Put an offer at the end of the request's ranked wishes (five at most)."""
    with versioned_commit(immersion_request, version, required=True, conflict=_conflict(immersion_request)):
        if not can(agent, Action.EDIT, immersion_request):
            raise ServiceError(_("Cette demande a déjà reçu une réponse : elle ne se modifie plus."))
        if any(w.offer_id == offer_id for w in immersion_request.wishes):
            raise ServiceError({"wishes": [_("Cette offre figure déjà parmi les vœux de cette demande.")]})
        if len(immersion_request.wishes) >= 5:
            raise ServiceError({"wishes": [_("Cette demande a déjà cinq vœux : retirez-en un avant d'en ajouter.")]})
        (offer,) = _wish_offers(agent, [offer_id])
        if immersion_request.status == RequestStatus.SUBMITTED:
            _check_new_wish(agent, immersion_request, offer, today or date.today())
        wish = Wish(offer=offer, rank=len(immersion_request.wishes) + 1)
        immersion_request.wishes.append(wish)
        immersion_request.updated_at = utcnow()
        audit.record(
            agent,
            "request.wish",
            immersion_request,
            organisation_id=immersion_request.organisation_id,
            offer_id=offer.id,
        )
    return wish


def _check_new_wish(agent: User, immersion_request: ImmersionRequest, offer: Offer, today: date) -> None:
    """A submitted request takes only a wish that some session can satisfy (a draft takes any, with warnings)."""
    values = {
        "min_days": immersion_request.min_days,
        "max_days": immersion_request.max_days,
        "max_distance_km": immersion_request.max_distance_km,
        "windows": [{"start": w.start_date, "end": w.end_date} for w in immersion_request.windows],
    }
    offers = [w.offer for w in immersion_request.wishes] + [offer]
    checks = wish_checks.check_values(agent, values, offers, immersion_request, today)
    if checks.checked and not checks.wishes[-1].ok:
        raise ServiceError({"wishes": [checks.wishes[-1].error()]})


# Built once, run with the agent's id (every offer page runs it).
_EDITABLE_REQUESTS = (
    select(ImmersionRequest)
    .where(ImmersionRequest.agent_id == bindparam("agent_id"), ImmersionRequest.status.in_(lifecycle.EDITABLE))
    .order_by(ImmersionRequest.created_at.desc())
)


def editable_requests(agent: User) -> list[ImmersionRequest]:
    """The agent's requests that still take wishes."""
    return list(db.session.scalars(_EDITABLE_REQUESTS, {"agent_id": agent.id}))


# --- the home employer's side ---------------------------------------------------------------------------


def _notify_hr(immersion_request: ImmersionRequest, agent: User, withdrawn: bool = False) -> None:
    officers = [officer for officer in hr_officers(immersion_request.organisation_id) if officer.id != agent.id]
    if withdrawn:
        notifications.request_withdrawn(immersion_request, officers)
    else:
        notifications.request_submitted(immersion_request, officers)


def decide(
    actor: User, immersion_request: ImmersionRequest, decision: RequestDecision, reason: str, version: int | None
) -> ImmersionRequest:
    """Approve, refuse or postpone a waiting request; the agent is told in their language."""
    stale = _("La demande a changé depuis que vous l'avez ouverte : relisez-la avant de répondre.")
    check_version(immersion_request, version, conflict=_conflict(immersion_request, None, stale))
    if immersion_request.is_owned_by(actor):
        raise ServiceError(_("Vous ne pouvez pas répondre à votre propre demande : une ou un collègue RH le fera."))
    if not can(actor, Action.DECIDE, immersion_request):
        raise ServiceError(_("Cette demande n'attend pas de réponse."))
    try:
        decision = RequestDecision(decision)
    except ValueError:
        raise ServiceError({"decision": [_(CHOOSE_AN_ANSWER)]}) from None
    status = lifecycle.check_move(
        immersion_request.status, RequestMove(decision), _("Cette demande n'attend pas de réponse.")
    )
    if line_manager.blocks_decision(immersion_request):
        raise ServiceError(
            _("L'avis du ou de la responsable hiérarchique est requis dans ce réseau : attendez-le avant de répondre.")
        )
    reason = (reason or "").strip()
    if decision in NEEDS_REASON and not reason:
        raise ServiceError({"reason": [_(REQUEST_REASON_REQUIRED)]})
    with versioned_commit(immersion_request, conflict=_conflict(immersion_request, None, stale)):
        immersion_request.status, immersion_request.decision_reason = status, reason
        immersion_request.decided_by_id, immersion_request.decided_at = actor.id, utcnow()
        notifications.request_decided(immersion_request)
        audit.record(actor, f"request.{decision}", immersion_request, organisation_id=immersion_request.organisation_id)
    return immersion_request
