"""Agents' immersion requests: create, edit, submit, withdraw, wish; HR answers them as the home employer.

Every function commits once, with its audit event and notifications in the same unit of work. A stale
version (the form was opened before someone else saved) raises Conflict: never a lost update.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from mobilite.authz import Action, can
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.models import (
    AvailabilityWindow,
    ImmersionRequest,
    Network,
    Offer,
    OfferStatus,
    Organisation,
    RequestStatus,
    Role,
    Skill,
    Theme,
    User,
    Wish,
    utcnow,
)
from mobilite.services import audit, outbox, rules
from mobilite.services.errors import ServiceError
from mobilite.services.pagination import paginate
from mobilite.services.taxonomy import vocabulary

EDITABLE = (RequestStatus.DRAFT, RequestStatus.SUBMITTED)
WITHDRAWABLE = (RequestStatus.DRAFT, RequestStatus.SUBMITTED, RequestStatus.POSTPONED, RequestStatus.APPROVED)
WAITING = (RequestStatus.SUBMITTED, RequestStatus.POSTPONED)

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
    "wishes": N_("Vœux"),
}

DECISION_STATUS = {
    "approve": RequestStatus.APPROVED,
    "refuse": RequestStatus.REFUSED,
    "postpone": RequestStatus.POSTPONED,
}


class Conflict(ServiceError):
    """Someone saved the request since the form was opened; `changes` are (label, yours, stored)."""

    def __init__(self, changes: list[tuple[str, str, str]], current_version: int, message: str | None = None):
        super().__init__({"version": [message or _("Cette demande a été modifiée entre-temps.")]})
        self.changes = changes
        self.current_version = current_version


def network_of(item_or_user) -> Network:
    organisation = item_or_user.organisation
    return organisation.network


def answer_deadline(item: ImmersionRequest) -> date | None:
    """The home employer answers within the network's deadline (a month by default) from submission."""
    if item.submitted_at is None:
        return None
    return (item.submitted_at + timedelta(days=network_of(item).answer_deadline_days)).date()


def is_overdue(item: ImmersionRequest, today: date | None = None) -> bool:
    deadline = answer_deadline(item)
    return item.status in WAITING and deadline is not None and deadline < (today or date.today())


# --- reading and comparing ------------------------------------------------------------------------------

def _wish_offers(agent: User, offer_ids: list[int], field: str = "wishes") -> list[Offer]:
    """The offers, in the given order, if each is published in the agent's network and not their own."""
    if not offer_ids:
        return []
    offers = {
        o.id: o for o in db.session.scalars(
            select(Offer).join(Offer.organisation).where(Offer.id.in_(set(offer_ids)))
        )
    }
    network_id = agent.home_network_id
    for offer_id in offer_ids:
        offer = offers.get(offer_id)
        if offer is None or offer.organisation.network_id != network_id or offer.status != OfferStatus.PUBLISHED:
            raise ServiceError({field: [_("Cette offre n'est pas (ou plus) publiée dans votre réseau.")]})
        if offer.organisation_id == agent.organisation_id:
            raise ServiceError({field: [_("Une immersion se fait dans une autre organisation que la vôtre : "
                                          "retirez l'offre « %(title)s ».", title=offer.title)]})
    return [offers[i] for i in offer_ids]


def _describe_windows(windows) -> str:
    return ", ".join(f"{s.isoformat()} → {e.isoformat()}" for s, e in windows) or "—"


def snapshot(item: ImmersionRequest) -> dict[str, str]:
    """The request as a person reads it, field by field, to show what changed."""
    return {
        "status": str(item.status.value),
        "themes": ", ".join(t.label_fr for t in item.themes) or "—",
        "skills": ", ".join(s.label_fr for s in item.skills) or "—",
        "windows": _describe_windows([(w.start_date, w.end_date) for w in item.windows]),
        "min_days": str(item.min_days),
        "max_days": str(item.max_days),
        "max_distance_km": str(item.max_distance_km) if item.max_distance_km is not None else "—",
        "motivation": item.motivation,
        "wishes": " ; ".join(f"{w.rank}. {w.offer.title}" for w in item.wishes) or "—",
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
        "wishes": " ; ".join(f"{n}. {titles.get(i, i)}" for n, i in enumerate(data.get("wishes", []), 1)) or "—",
    }


def _conflict(item: ImmersionRequest, data: dict | None = None, message: str | None = None) -> Conflict:
    db.session.rollback()
    db.session.refresh(item)
    stored = snapshot(item)
    changes = []
    if data is not None:
        yours = _snapshot_of_data(data)
        changes = [(FIELD_LABELS[k], yours[k], stored[k]) for k in yours if yours[k] != stored[k]]
    return Conflict(changes, item.version, message)


def _check_version(item: ImmersionRequest, version: int | None, data: dict | None = None) -> None:
    if version is None:
        raise ServiceError({"version": [_("Version du formulaire manquante : rechargez la page.")]})
    if version != item.version:
        raise _conflict(item, data)


@contextmanager
def _guarded(item: ImmersionRequest, data: dict | None = None, message: str | None = None):
    """Changes made inside, and their commit; a concurrent save caught by the version column raises Conflict."""
    try:
        yield
        db.session.commit()
    except StaleDataError:
        # Another worker saved between our version check and our UPDATE.
        raise _conflict(item, data, message) from None


# --- the agent's side -----------------------------------------------------------------------------------

def _apply(agent: User, item: ImmersionRequest, data: dict) -> None:
    item.themes = vocabulary(Theme, data.get("themes", []), "themes")
    item.skills = vocabulary(Skill, data.get("skills", []), "skills")
    offers = _wish_offers(agent, data.get("wishes", []))
    item.min_days, item.max_days = data["min_days"], data["max_days"]
    item.max_distance_km = data.get("max_distance_km")
    item.motivation = data.get("motivation", "")
    item.updated_at = utcnow()  # always an UPDATE of the row, so the version column guards child changes too
    # Old rows go first: (request, rank) is unique and the new ranks reuse the old ones.
    item.windows.clear()
    item.wishes.clear()
    if item.id is not None:
        db.session.flush()
    item.windows.extend(AvailabilityWindow(start_date=w["start"], end_date=w["end"]) for w in data.get("windows", []))
    item.wishes.extend(Wish(offer=offer, rank=rank) for rank, offer in enumerate(offers, start=1))


def _check_rules(agent: User, data_or_item, today: date) -> None:
    if isinstance(data_or_item, ImmersionRequest):
        item = data_or_item
        values = {"min_days": item.min_days, "max_days": item.max_days,
                  "windows": [(w.start_date, w.end_date) for w in item.windows]}
    else:
        values = {"min_days": data_or_item["min_days"], "max_days": data_or_item["max_days"],
                  "windows": [(w["start"], w["end"]) for w in data_or_item.get("windows", [])]}
    errors = rules.submission_errors(agent.id, network_of(agent), today=today, **values)
    if errors:
        raise ServiceError(errors)


def _mark_submitted(agent: User, item: ImmersionRequest) -> None:
    item.status = RequestStatus.SUBMITTED
    item.submitted_at = utcnow()
    item.decision_reason = ""
    _notify_hr(item, agent)


def create_request(agent: User, data: dict, *, submit: bool = False, today: date | None = None) -> ImmersionRequest:
    """A new request of the agent, as a draft, or submitted to the home employer if `submit` (rules checked)."""
    if agent.organisation is None:
        raise ServiceError(_("Seul un agent rattaché à une organisation peut demander une immersion."))
    today = today or date.today()
    if submit:
        _check_rules(agent, data, today)
    item = ImmersionRequest(agent=agent, organisation=agent.organisation, status=RequestStatus.DRAFT)
    _apply(agent, item, data)
    db.session.add(item)
    db.session.flush()
    if submit:
        _mark_submitted(agent, item)
    audit.record(agent, "request.submit" if submit else "request.create", item,
                 organisation_id=item.organisation_id)
    db.session.commit()
    return item


def update_request(agent: User, item: ImmersionRequest, data: dict, *, submit: bool = False,
                   today: date | None = None) -> ImmersionRequest:
    """Save an edit made on `data["version"]`. A submitted request stays submitted, so the rules apply again."""
    _check_version(item, data.get("version"), data)
    if not can(agent, Action.EDIT, item):
        raise ServiceError(_("Cette demande a déjà reçu une réponse : elle ne se modifie plus."))
    today = today or date.today()
    if submit or item.status == RequestStatus.SUBMITTED:
        _check_rules(agent, data, today)
    with _guarded(item, data):
        _apply(agent, item, data)
        if submit and item.status == RequestStatus.DRAFT:
            _mark_submitted(agent, item)
            audit.record(agent, "request.submit", item, organisation_id=item.organisation_id)
        else:
            audit.record(agent, "request.update", item, organisation_id=item.organisation_id)
    return item


def submit_request(agent: User, item: ImmersionRequest, version: int | None, today: date | None = None) -> None:
    """Draft → submitted, once every legal rule holds."""
    _check_version(item, version)
    if item.status != RequestStatus.DRAFT or not item.is_owned_by(agent):
        raise ServiceError(_("Seule une demande en brouillon peut être soumise."))
    _check_rules(agent, item, today or date.today())
    with _guarded(item):
        _mark_submitted(agent, item)
        audit.record(agent, "request.submit", item, organisation_id=item.organisation_id)


def withdraw_request(agent: User, item: ImmersionRequest, version: int | None) -> None:
    _check_version(item, version)
    if item.status not in WITHDRAWABLE or not item.is_owned_by(agent):
        raise ServiceError(_("Cette demande ne peut plus être retirée."))
    was = item.status
    with _guarded(item):
        item.status = RequestStatus.WITHDRAWN
        if was != RequestStatus.DRAFT:
            _notify_hr(item, agent, withdrawn=True)
        audit.record(agent, "request.withdraw", item, organisation_id=item.organisation_id, previous=was.value)


def add_wish(agent: User, item: ImmersionRequest, offer_id: int, version: int | None,
             today: date | None = None) -> Wish:
    """Put an offer at the end of the request's ranked wishes (five at most)."""
    _check_version(item, version)
    if not can(agent, Action.EDIT, item):
        raise ServiceError(_("Cette demande a déjà reçu une réponse : elle ne se modifie plus."))
    if any(w.offer_id == offer_id for w in item.wishes):
        raise ServiceError({"wishes": [_("Cette offre figure déjà parmi les vœux de cette demande.")]})
    if len(item.wishes) >= 5:
        raise ServiceError({"wishes": [_("Cette demande a déjà cinq vœux : retirez-en un avant d'en ajouter.")]})
    (offer,) = _wish_offers(agent, [offer_id])
    wish = Wish(offer=offer, rank=len(item.wishes) + 1)
    with _guarded(item):
        item.wishes.append(wish)
        item.updated_at = utcnow()
        audit.record(agent, "request.wish", item, organisation_id=item.organisation_id, offer_id=offer.id)
    return wish


def editable_requests(agent: User) -> list[ImmersionRequest]:
    """The agent's requests that still take wishes."""
    return list(db.session.scalars(
        select(ImmersionRequest)
        .where(ImmersionRequest.agent_id == agent.id, ImmersionRequest.status.in_(EDITABLE))
        .order_by(ImmersionRequest.created_at.desc())
    ))


# --- the home employer's side ---------------------------------------------------------------------------

def _hr_officers(organisation_id: int) -> list[User]:
    users = db.session.scalars(
        select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
    ).all()
    return [u for u in users if u.has_role(Role.RH)]


def _notify_hr(item: ImmersionRequest, agent: User, withdrawn: bool = False) -> None:
    for officer in _hr_officers(item.organisation_id):
        if officer.id == agent.id:
            continue
        with force_locale(officer.locale):
            if withdrawn:
                subject = _("Demande d'immersion retirée : %(name)s", name=agent.full_name)
                body = _("%(name)s a retiré sa demande d'immersion.", name=agent.full_name)
            else:
                subject = _("Demande d'immersion à examiner : %(name)s", name=agent.full_name)
                body = _("%(name)s vous soumet une demande d'immersion. Répondez-lui dans l'espace RH de mobilite.",
                         name=agent.full_name)
        outbox.queue(officer, "request.withdrawn" if withdrawn else "request.submitted", subject, body)


def decide(actor: User, item: ImmersionRequest, decision: str, reason: str, version: int | None, *,
           base_url: str) -> ImmersionRequest:
    """Approve, refuse or postpone a waiting request; the agent is told in their language."""
    stale = _("La demande a changé depuis que vous l'avez ouverte : relisez-la avant de répondre.")
    if version is not None and version != item.version:
        raise _conflict(item, None, stale)
    if item.is_owned_by(actor):
        raise ServiceError(_("Vous ne pouvez pas répondre à votre propre demande : une ou un collègue RH le fera."))
    if not can(actor, Action.DECIDE, item):
        raise ServiceError(_("Cette demande n'attend pas de réponse."))
    status = DECISION_STATUS.get(decision)
    if status is None:
        raise ServiceError({"decision": [_("Choisissez une réponse.")]})
    reason = (reason or "").strip()
    if status != RequestStatus.APPROVED and not reason:
        raise ServiceError({"reason": [_("Expliquez votre réponse à l'agent : le motif est obligatoire pour un "
                                         "refus ou un report.")]})
    agent = item.agent
    link = f"{base_url.rstrip('/')}/agent/demandes/{item.id}"
    with force_locale(agent.locale):
        subject = {
            RequestStatus.APPROVED: _("Votre demande d'immersion est approuvée"),
            RequestStatus.REFUSED: _("Votre demande d'immersion est refusée"),
            RequestStatus.POSTPONED: _("Votre demande d'immersion est reportée"),
        }[status]
        lines = [_("Bonjour %(name)s,", name=agent.first_name), {
            RequestStatus.APPROVED: _("Votre employeur approuve votre demande d'immersion. Elle participera aux "
                                      "prochains tours d'appariement."),
            RequestStatus.REFUSED: _("Votre employeur refuse votre demande d'immersion."),
            RequestStatus.POSTPONED: _("Votre employeur reporte sa réponse à votre demande d'immersion."),
        }[status]]
        if reason:
            lines.append(_("Motif : %(reason)s", reason=reason))
        lines.append(link)
        body = "\n\n".join(lines)
    with _guarded(item, None, stale):
        item.status, item.decision_reason = status, reason
        item.decided_by_id, item.decided_at = actor.id, utcnow()
        outbox.queue(agent, f"request.{status.value}", subject, body)
        audit.record(actor, f"request.{decision}", item, organisation_id=item.organisation_id)
    return item


def hr_requests(actor: User, *, waiting_only: bool, page: int = 1, per_page: int = 50):
    """The organisation's requests (never the drafts), waiting first by deadline; one page and the total."""
    query = select(ImmersionRequest).where(
        ImmersionRequest.organisation_id == actor.organisation_id,
        ImmersionRequest.status != RequestStatus.DRAFT,
    )
    if waiting_only:
        query = query.where(ImmersionRequest.status.in_(WAITING))
    order = (ImmersionRequest.submitted_at, ImmersionRequest.id) if waiting_only else (
        ImmersionRequest.submitted_at.desc(), ImmersionRequest.id.desc())
    found = paginate(query.options(selectinload(ImmersionRequest.agent), selectinload(ImmersionRequest.windows))
                     .order_by(*order), page, per_page)
    return found.items, found.total


def organisation_sites(user: User) -> list[Organisation]:
    network_id = user.home_network_id
    if network_id is None:
        return []
    return list(db.session.scalars(
        select(Organisation).where(Organisation.network_id == network_id).order_by(Organisation.name)
    ))
