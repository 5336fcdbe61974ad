"""HR officers manage their organisation's offers; coordinators validate them where the network asks."""

from __future__ import annotations

from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobilite import notifications
from mobilite.extensions import db
from mobilite.i18n import N_
from mobilite.lifecycles import offer as lifecycle
from mobilite.lifecycles.offer import OfferAction, OfferMove, OfferValidation
from mobilite.limits import MAX_WORKING_DAYS, MIN_WORKING_DAYS, SESSION_WORKING_DAYS
from mobilite.models import (
    AuditEvent,
    Offer,
    OfferPrerequisite,
    OfferSession,
    OfferStatus,
    Proposal,
    Site,
    Skill,
    Theme,
    User,
    utcnow,
)
from mobilite.services import audit, rules, sites
from mobilite.services.concurrency import Conflict, commit_versioned, stale, versioned_commit
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers
from mobilite.services.taxonomy import vocabulary
from mobilite.workdays import count_working_days

# Fields compared to explain a concurrent edit; labels are msgids translated at display time.
EDITABLE_FIELDS = {
    "team": N_("Équipe"),
    "title": N_("Titre"),
    "description": N_("Ce que la personne verra et fera"),
    "place": N_("Lieu"),
    "site_id": N_("Adresse de l'immersion"),
    "accessibility": N_("Accessibilité"),
    "tutor_name": N_("Tuteur ou tutrice"),
    "tutor_role": N_("Fonction du tuteur ou de la tutrice"),
    "tutor_email": N_("Adresse e-mail du tuteur ou de la tutrice"),
    "meeting_time": N_("Heure du rendez-vous le premier jour"),
    "meeting_place": N_("Lieu du rendez-vous le premier jour"),
}


# The offer lifecycle (its moves and named sets): mobilite.lifecycles.offer.
# A published offer's substance is what the coordination validated: changing any of it sends the offer back to
# "submitted" (where the network validates offers), so it leaves the catalogue, sessions included, until the
# coordination publishes it again; it then waits in the coordination's queue as a new submission does.
# Only these small fixes keep it published: who the tutor is, the accessibility notes, and where and when the
# visitor is met on the first day.
SMALL_FIXES = frozenset({"tutor_name", "tutor_role", "tutor_email", "accessibility", "meeting_time", "meeting_place"})


def _substance(offer: Offer) -> dict:
    """What the coordination validates: every field but the small fixes, themes, skills and prerequisites."""
    values: dict = {name: getattr(offer, name) for name in EDITABLE_FIELDS if name not in SMALL_FIXES}
    values["themes"] = sorted(t.id for t in offer.themes)
    values["skills"] = sorted(s.id for s in offer.skills)
    values["prerequisites"] = sorted((p.skill_id, p.min_level) for p in offer.prerequisites)
    return values


def _needs_validation_again(offer: Offer, before: dict) -> bool:
    return (
        offer.status == OfferStatus.PUBLISHED
        and offer.organisation.network.requires_offer_validation
        and _substance(offer) != before
    )


def _place(actor: User, offer: Offer, data: dict) -> None:
    """The offer's site: one of its organisation's (site_id), a new one (new_site), or none (its address)."""
    site: Site | None
    if data.get("new_site"):
        site = sites.build_site(actor, offer.organisation, data["new_site"], prefix="new_site-")
    elif "site_id" in data:
        site = sites.offer_site(offer.organisation_id, data["site_id"], offer.site_id)
    else:
        return
    offer.site, offer.site_id = site, site.id if site else None  # the id at once: the substance compares it


def _apply(offer: Offer, data: dict, actor: User) -> None:
    for name in EDITABLE_FIELDS:
        if name in data and name != "site_id":
            setattr(offer, name, data[name])
    offer.themes = vocabulary(Theme, data.get("themes", []), "themes")
    offer.skills = vocabulary(Skill, data.get("skills", []), "skills")
    skills = {
        s.id: s for s in vocabulary(Skill, [p["skill_id"] for p in data.get("prerequisites", [])], "prerequisites")
    }
    wanted = {p["skill_id"]: p["min_level"] for p in data.get("prerequisites", [])}
    kept = []
    for prerequisite in offer.prerequisites:
        if prerequisite.skill_id in wanted:
            prerequisite.min_level = wanted.pop(prerequisite.skill_id)
            kept.append(prerequisite)
    kept += [OfferPrerequisite(skill=skills[sid], min_level=level) for sid, level in wanted.items()]
    offer.prerequisites = kept
    _place(actor, offer, data)  # last: a new site is added only once every other field was accepted


def build_offer(actor: User, data: dict) -> Offer:
    """Add a draft offer of the actor's organisation to the unit of work, without committing."""
    offer = Offer(
        organisation=actor.organisation,
        organisation_id=actor.organisation_id,  # read by the site's check before the first flush
        created_by_id=actor.id,
        status=OfferStatus.DRAFT,
    )
    _apply(offer, data, actor)
    db.session.add(offer)
    db.session.flush()
    audit.record(actor, "offer.create", offer, organisation_id=offer.organisation_id)
    return offer


def create_offer(actor: User, data: dict) -> Offer:
    offer = build_offer(actor, data)
    db.session.commit()
    return offer


def _last_editor(offer: Offer) -> str | None:
    actor_id = db.session.scalar(
        select(AuditEvent.actor_id)
        .where(AuditEvent.target_type == "Offer", AuditEvent.target_id == offer.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )
    user = db.session.get(User, actor_id) if actor_id else None
    return user.full_name if user else None


def _shown(value: object) -> str:
    """A field's value as the conflict page shows it: nothing for none, a time to the minute."""
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _conflict(offer: Offer, data: dict):
    """The Conflict a stale edit of `offer` raises: the fields where `data` differs from the stored offer, and
    who saved it last."""

    def build() -> Conflict:
        db.session.refresh(offer)
        changes = [
            (label, _shown(data.get(name)), _shown(getattr(offer, name)))
            for name, label in EDITABLE_FIELDS.items()
            if name in data and _shown(data[name]) != _shown(getattr(offer, name))
        ]
        return Conflict(
            _("Cette offre a été modifiée entre-temps."),
            changes=changes,
            editor=_last_editor(offer),
            current_version=offer.version,
        )

    return build


def update_offer(actor: User, offer: Offer, data: dict) -> Offer:
    """Save an edit made on `data["version"]`; a stale version raises Conflict, never a lost update."""
    if offer.status not in lifecycle.EDITABLE:
        raise ServiceError(_("Une offre archivée ne se modifie plus. Dupliquez-la."))
    with versioned_commit(offer, data.get("version"), conflict=_conflict(offer, data), required=True):
        before = _substance(offer)
        _apply(offer, data, actor)
        # Touch the row even when only themes, skills or prerequisites changed, so that the version moves.
        offer.updated_at = utcnow()
        audit.record(actor, "offer.update", offer, organisation_id=offer.organisation_id)
        if _needs_validation_again(offer, before):
            offer.status = lifecycle.check_move(offer.status, OfferMove.REVALIDATE)
            offer.validation_comment = ""
            changed = sorted(name for name, value in _substance(offer).items() if before[name] != value)
            audit.record(actor, "offer.submitted", offer, organisation_id=offer.organisation_id, changed=changed)
    return offer


_STALE = N_("Cette offre a été modifiée entre-temps : rechargez-la avant de recommencer.")


def _has_future_session(offer: Offer, today: date) -> bool:
    return any(session.start_date >= today for session in offer.sessions)


def submit_offer(actor: User, offer: Offer, today: date | None = None) -> Offer:
    """Draft → submitted for validation, or straight to published where the network does not validate."""
    today = today or date.today()
    validated = offer.organisation.network.requires_offer_validation
    target = lifecycle.check_move(
        offer.status,
        OfferMove.SUBMIT if validated else OfferMove.PUBLISH_DIRECTLY,
        _("Seule une offre en brouillon peut être soumise."),
    )
    if not _has_future_session(offer, today):
        raise ServiceError({"sessions": [_("Ajoutez au moins une session à venir avant de soumettre l'offre.")]})
    network = offer.organisation.network
    if not network.collecting(today) and network.campaign_collection_end is not None:
        raise ServiceError(rules.campaign_closed(network.campaign_collection_end))
    offer.status = target
    if target == OfferStatus.PUBLISHED:
        offer.published_at = utcnow()
    offer.validation_comment = ""
    audit.record(actor, f"offer.{offer.status.value}", offer, organisation_id=offer.organisation_id)
    commit_versioned(stale(offer, _(_STALE)))
    return offer


def validate_offer(actor: User, offer: Offer, decision: OfferValidation, comment: str = "") -> Offer:
    """A coordinator publishes a submitted offer, or sends it back to draft with a comment.

    An unknown decision is refused on the `decision` field: it never falls through to either branch."""
    try:
        decision = OfferValidation(decision)
    except ValueError:
        raise ServiceError({"decision": [_("Décision inconnue.")]}) from None
    target = lifecycle.check_move(offer.status, OfferMove(decision), _("Cette offre n'attend pas de validation."))
    if decision == OfferValidation.PUBLISH:
        offer.status, offer.published_at, offer.validation_comment = target, utcnow(), ""
        notifications.offer_published(offer, hr_officers(offer.organisation_id))
    else:
        offer.status, offer.validation_comment = target, comment
        notifications.offer_sent_back(offer, hr_officers(offer.organisation_id), comment)
    audit.record(
        actor,
        f"offer.{decision}",
        offer,
        organisation_id=offer.organisation_id,
        network_id=offer.organisation.network_id,
    )
    commit_versioned(stale(offer, _(_STALE)))
    return offer


def change_status(actor: User, offer: Offer, action: OfferAction) -> Offer:
    """One of HR's buttons (close, archive, reopen), where the offer's lifecycle allows it."""
    action = OfferAction(action)
    offer.status = lifecycle.check_move(offer.status, OfferMove(action))
    audit.record(actor, f"offer.{action}", offer, organisation_id=offer.organisation_id)
    commit_versioned(stale(offer, _(_STALE)))
    return offer


def duplicate_offer(actor: User, offer: Offer) -> Offer:
    """A new draft with the same content and no sessions."""
    copy = Offer(
        organisation_id=offer.organisation_id,
        created_by_id=actor.id,
        status=OfferStatus.DRAFT,
        title=_("Copie de %(title)s", title=offer.title)[:200],
        **{name: getattr(offer, name) for name in EDITABLE_FIELDS if name != "title"},
    )
    copy.themes = list(offer.themes)
    copy.skills = list(offer.skills)
    copy.prerequisites = [OfferPrerequisite(skill_id=p.skill_id, min_level=p.min_level) for p in offer.prerequisites]
    db.session.add(copy)
    db.session.flush()
    audit.record(actor, "offer.duplicate", copy, organisation_id=copy.organisation_id, source_id=offer.id)
    db.session.commit()
    return copy


def session_errors(data: dict, today: date) -> dict[str, list[str]]:
    """The rules of a session's dates: in the future, 1 to 10 working days (limits.MAX_WORKING_DAYS)."""
    errors: dict[str, list[str]] = {}
    if data["start_date"] < today:
        errors["start_date"] = [_("La session doit commencer aujourd'hui ou plus tard.")]
    days = count_working_days(data["start_date"], data["end_date"])
    if not MIN_WORKING_DAYS <= days <= MAX_WORKING_DAYS:
        errors["end_date"] = [_(SESSION_WORKING_DAYS, n=days)]
    return errors


def build_session(offer: Offer, data: dict, today: date) -> OfferSession:
    """Check the dates and attach a session to the offer, without committing."""
    if offer.status in lifecycle.FROZEN:
        raise ServiceError(_("On n'ajoute pas de session à une offre close ou archivée."))
    errors = session_errors(data, today)
    if errors:
        raise ServiceError(errors)
    session = OfferSession(
        start_date=data["start_date"],
        end_date=data["end_date"],
        capacity=data["capacity"],
        working_days=count_working_days(data["start_date"], data["end_date"]),
    )
    offer.sessions.append(session)
    return session


def add_session(actor: User, offer: Offer, data: dict, today: date | None = None) -> OfferSession:
    session = build_session(offer, data, today or date.today())
    db.session.flush()
    audit.record(actor, "offer.session_add", offer, organisation_id=offer.organisation_id, session_id=session.id)
    db.session.commit()
    return session


def delete_session(actor: User, session: OfferSession) -> None:
    if session.offer.status in lifecycle.FROZEN:
        raise ServiceError(_("Les sessions d'une offre close ou archivée ne changent plus."))
    in_use = db.session.scalar(select(func.count(Proposal.id)).where(Proposal.session_id == session.id))
    if in_use:
        raise ServiceError(_("Cette session a déjà des propositions : elle ne peut plus être supprimée."))
    offer = session.offer
    db.session.delete(session)
    audit.record(actor, "offer.session_delete", offer, organisation_id=offer.organisation_id)
    db.session.commit()
