"""An account for its whole life: edited, deactivated and reactivated, its personal data erased on request.

Who may act on whom is authz's `Action.MANAGE` on the account (HR on their organisation's accounts,
coordinators on their network's, the admin on all; never on an account holding a role the actor may not
give). Each change is audited with the fields that changed, never their values (no personal data in the log),
except roles, which are the point of the log.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from mobilite import notifications
from mobilite.authz import Action, assignable_roles, can
from mobilite.extensions import db
from mobilite.lifecycles import request as request_lifecycle
from mobilite.lifecycles.request import RequestMove
from mobilite.models import (
    ApiToken,
    CareerEntry,
    Feedback,
    ForbiddenPair,
    Immersion,
    ImmersionRequest,
    ImmersionStatus,
    InboxItem,
    Notification,
    NotificationStatus,
    PasswordToken,
    Proposal,
    RequestStatus,
    Role,
    User,
    UserInterest,
    UserSkill,
    utcnow,
)
from mobilite.services import audit
from mobilite.services.auth import bump_session_version, normalise_email
from mobilite.services.errors import ServiceError
from mobilite.services.people import hr_officers, hr_officers_by_organisation

EDITABLE_FIELDS = ("first_name", "last_name", "email")


def _network_of(user: User) -> int | None:
    return user.home_network_id


def _require_manage(actor: User, user: User) -> None:
    if not can(actor, Action.MANAGE, user):
        raise ServiceError(_("Vous ne pouvez pas gérer ce compte."))


def update_account(actor: User, user: User, data: dict) -> User:
    """Change names, e-mail and roles. Roles given or taken must all be ones the actor may give; nobody
    takes their own roles away (an HR officer would lock themselves out)."""
    _require_manage(actor, user)
    if user.erased_at is not None:
        raise ServiceError(_("Les données de ce compte ont déjà été effacées."))
    db.begin_write()
    changed = []
    email = normalise_email(data["email"])
    if email != user.email and db.session.scalar(select(User.id).where(User.email == email)) is not None:
        db.session.rollback()
        raise ServiceError({"email": [_("Un compte existe déjà avec cette adresse.")]})
    for field, value in (("first_name", data["first_name"]), ("last_name", data["last_name"]), ("email", email)):
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    before = sorted(role.value for role in user.roles)
    wanted = {Role(role) for role in data["roles"]}
    if wanted != user.roles:
        allowed = set(assignable_roles(actor))
        touched = wanted.symmetric_difference(user.roles)
        if not touched <= allowed:
            db.session.rollback()
            raise ServiceError({"roles": [_("Vous ne pouvez pas attribuer ni retirer ce rôle.")]})
        if user.id == actor.id:
            db.session.rollback()
            raise ServiceError({"roles": [_("Vous ne pouvez pas changer vos propres rôles.")]})
        if wanted & {Role.AGENT, Role.RH} and user.organisation_id is None:
            db.session.rollback()
            raise ServiceError({"roles": [_("Un agent ou un·e RH appartient à une organisation.")]})
        if Role.COORDINATOR in wanted and user.network_id is None:
            db.session.rollback()
            raise ServiceError({"roles": [_("Ce compte n'est rattaché à aucun réseau à coordonner.")]})
        user.role_rows = [row for row in user.role_rows if row.role in wanted]
        for role in sorted(wanted - user.roles):
            user.add_role(role)
    after = sorted(role.value for role in wanted)
    if not changed and before == after:
        db.session.rollback()
        return user
    if "email" in changed or before != after:
        bump_session_version(user)  # a new address or fewer rights: the sessions opened before end
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ServiceError({"email": [_("Un compte existe déjà avec cette adresse.")]}) from None
    if before != after:
        audit.record(
            actor,
            "account.roles",
            user,
            organisation_id=user.organisation_id,
            network_id=_network_of(user),
            old=before,
            new=after,
        )
    if changed:
        audit.record(
            actor,
            "account.update",
            user,
            organisation_id=user.organisation_id,
            network_id=_network_of(user),
            fields=changed,
        )
    db.session.commit()
    return user


def _withdraw_pending_requests(user: User) -> list[ImmersionRequest]:
    """The account's requests still waiting (for HR, or for a round) are withdrawn; HR is told of those it
    had seen (a draft was the agent's own business)."""
    pending = db.session.scalars(
        select(ImmersionRequest).where(
            ImmersionRequest.agent_id == user.id, ImmersionRequest.status.in_(request_lifecycle.WITHDRAWABLE)
        )
    ).all()
    for immersion_request in pending:
        was = immersion_request.status
        immersion_request.status = request_lifecycle.check_move(was, RequestMove.WITHDRAW, "")
        immersion_request.updated_at = utcnow()
        if was != RequestStatus.DRAFT:
            officers = [o for o in hr_officers(immersion_request.organisation_id) if o.id != user.id]
            notifications.request_withdrawn_on_deactivation(immersion_request, officers)
    return list(pending)


def _future_immersions(user: User, today: date) -> list[Immersion]:
    return list(
        db.session.scalars(
            select(Immersion).where(
                Immersion.agent_id == user.id,
                Immersion.status == ImmersionStatus.CONFIRMED,
                Immersion.start_date >= today,
            )
        )
    )


def _flag_future_immersions(user: User, today: date) -> list[Immersion]:
    """Confirmed immersions still to come stay as they are (HR decide), but both HR teams are told."""
    immersions = _future_immersions(user, today)
    if immersions:
        ids = {i.home_organisation_id for i in immersions} | {i.host_organisation_id for i in immersions}
        officers = hr_officers_by_organisation(ids)
        for immersion in immersions:
            recipients = [(o, "home") for o in officers.get(immersion.home_organisation_id, [])]
            recipients += [(o, "host") for o in officers.get(immersion.host_organisation_id, [])]
            notifications.immersion_agent_deactivated(immersion, user, [r for r in recipients if r[0].id != user.id])
    return immersions


def _switch_off(actor: User | None, user: User, today: date) -> tuple[list[ImmersionRequest], list[Immersion]]:
    user.active = False
    user.deactivated_at = utcnow()
    user.deactivated_by_id = actor.id if actor is not None else None
    bump_session_version(user)
    # Its API tokens end too: a reactivation must not bring back a token issued before.
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=user.deactivated_at)
        .execution_options(synchronize_session=False)
    )
    return _withdraw_pending_requests(user), _flag_future_immersions(user, today)


def deactivate(actor: User, user: User, today: date | None = None) -> User:
    """Switch the account off: no sign-in by any means, sessions ended, waiting requests withdrawn, HR of
    both sides told of its coming immersions. Nothing is deleted."""
    _require_manage(actor, user)
    if user.id == actor.id:
        raise ServiceError(_("Vous ne pouvez pas désactiver votre propre compte."))
    if not user.active:
        raise ServiceError(_("Ce compte est déjà désactivé."))
    db.begin_write()
    withdrawn, flagged = _switch_off(actor, user, today or date.today())
    audit.record(
        actor,
        "account.deactivate",
        user,
        organisation_id=user.organisation_id,
        network_id=_network_of(user),
        requests_withdrawn=len(withdrawn),
        immersions_flagged=len(flagged),
    )
    db.session.commit()
    return user


def reactivate(actor: User, user: User) -> User:
    """Switch it on again. Old sessions stay dead (the version moved on), and so do its API tokens (revoked at
    the deactivation); withdrawn requests stay withdrawn."""
    _require_manage(actor, user)
    if user.erased_at is not None:
        raise ServiceError(_("Les données de ce compte ont été effacées : il ne peut pas être réactivé."))
    if user.active:
        raise ServiceError(_("Ce compte est déjà actif."))
    db.begin_write()
    user.active = True
    user.deactivated_at = None
    user.deactivated_by_id = None
    audit.record(actor, "account.reactivate", user, organisation_id=user.organisation_id, network_id=_network_of(user))
    db.session.commit()
    return user


# --- erasure ----------------------------------------------------------------------------------------------


def may_erase(actor: User, user: User) -> bool:
    """The person themselves, or the admin for them."""
    return actor.id == user.id or actor.has_role(Role.ADMIN)


def erase(actor: User, user: User, today: date | None = None) -> User:
    """Anonymise the person in place: names, address, workplace, skills and every free text they wrote or
    that was written about them are removed, the account can never sign in again. Their requests,
    proposals and immersions stay (dates, days, organisations), so counts, days and flows stay true."""
    if not may_erase(actor, user):
        raise ServiceError(_("Vous ne pouvez pas effacer les données de ce compte."))
    if user.erased_at is not None:
        raise ServiceError(_("Les données de ce compte ont déjà été effacées."))
    db.begin_write()
    if user.active:
        _switch_off(actor, user, today or date.today())
    user_id = user.id
    user.first_name = "Personne"  # stored as is: the same words whoever reads it later
    user.last_name = f"effacée n° {user_id}"
    user.email = f"efface-{user_id}@invalid"
    user.password_hash = None
    user.proconnect_sub = None
    user.team = user.job_title = user.work_city = user.work_postcode = ""
    user.work_commune_code = None
    user.work_latitude = user.work_longitude = None
    user.bounced_email = user.bounce_reason = ""
    user.bounced_at = None
    user.erased_at = utcnow()
    # What is theirs alone goes.
    db.session.execute(delete(UserSkill).where(UserSkill.user_id == user_id))
    db.session.execute(delete(UserInterest).where(UserInterest.user_id == user_id))
    db.session.execute(delete(CareerEntry).where(CareerEntry.user_id == user_id))
    db.session.execute(delete(PasswordToken).where(PasswordToken.user_id == user_id))
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    db.session.execute(delete(InboxItem).where(InboxItem.user_id == user_id))
    db.session.execute(
        delete(Notification).where(Notification.recipient_id == user_id, Notification.status != NotificationStatus.SENT)
    )
    db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user_id)
        .values(to_email="", subject="", body="", html_body="")
    )
    # Free texts by them or about them: their requests' motivation and HR's reasons, proposals' reasons,
    # the feedback on their immersions.
    request_ids = select(ImmersionRequest.id).where(ImmersionRequest.agent_id == user_id)
    db.session.execute(
        update(ImmersionRequest)
        .where(ImmersionRequest.agent_id == user_id)
        .values(motivation="", decision_reason="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(Proposal)
        .where(Proposal.request_id.in_(request_ids))
        .values(decline_reason="", coordinator_reason="")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ForbiddenPair)
        .where(ForbiddenPair.request_id.in_(request_ids))
        .values(reason="")
        .execution_options(synchronize_session=False)
    )
    immersion_ids = select(Immersion.id).where(Immersion.agent_id == user_id)
    db.session.execute(
        update(Feedback)
        .where((Feedback.immersion_id.in_(immersion_ids)) | (Feedback.author_id == user_id))
        .values(outcome_reason="", learned="")
        .execution_options(synchronize_session=False)
    )
    audit.record(actor, "account.erase", user, organisation_id=user.organisation_id, network_id=_network_of(user))
    db.session.commit()
    return user
