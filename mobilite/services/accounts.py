"""Creating accounts: by an admin, a coordinator for their network, HR for their organisation, or the CLI."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mobilite.authz import assignable_roles, may_create_account_in
from mobilite.extensions import db
from mobilite.models import Network, Organisation, Role, TokenPurpose, User
from mobilite.services import account_lifecycle, audit
from mobilite.services.auth import hash_password, issue_password_link, normalise_email
from mobilite.services.errors import ServiceError


def _check_roles(actor: User | None, roles: list[Role]) -> None:
    if actor is not None:
        allowed = set(assignable_roles(actor))
        refused = [role for role in roles if role not in allowed]
        if refused:
            raise ServiceError({"roles": [_("Vous ne pouvez pas attribuer ce rôle : %(r)s.", r=refused[0].value)]})


def _resolve_scope(actor: User | None, data: dict) -> tuple[Organisation | None, Network | None]:
    roles = set(data["roles"])
    organisation = network = None
    if data.get("organisation_id") is not None:
        organisation = db.session.get(Organisation, data["organisation_id"])
        if organisation is None or (actor is not None and not may_create_account_in(actor, organisation, None)):
            raise ServiceError({"organisation_id": [_("Organisation inconnue.")]})
    if roles & {Role.AGENT, Role.RH} and organisation is None:
        raise ServiceError({"organisation_id": [_("Un agent ou un·e RH appartient à une organisation.")]})
    if Role.COORDINATOR in roles:
        network_id = data.get("network_id")
        if network_id is None and actor is not None and actor.has_role(Role.COORDINATOR):
            network_id = actor.network_id
        if network_id is None and organisation is not None:
            network_id = organisation.network_id
        network = db.session.get(Network, network_id) if network_id is not None else None
        if network is None or (actor is not None and not may_create_account_in(actor, None, network)):
            raise ServiceError({"network_id": [_("Réseau inconnu.")]})
    if actor is not None and organisation is None and network is None and not actor.has_role(Role.ADMIN):
        raise ServiceError({"organisation_id": [_("Ce champ est obligatoire.")]})
    return organisation, network


def build_account(actor: User | None, data: dict, *, token_hours: int, password: str | None = None) -> User:
    """Add the account to the unit of work (not committed) and queue its first-password link."""
    email = normalise_email(data["email"])
    _check_roles(actor, data["roles"])
    organisation, network = _resolve_scope(actor, data)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ServiceError({"email": [_("Un compte existe déjà avec cette adresse.")]})

    password_hash = hash_password(password) if password else None
    try:
        # Someone may create the same address at the same moment: the unique key decides, and only this
        # insert is undone (a savepoint), so the caller gets a field error instead of a failed transaction.
        # The account is built inside the savepoint: entering it flushes the session, without it.
        with db.session.begin_nested():
            user = User(
                email=email,
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation=organisation,
                network_id=network.id if network is not None else None,
                team=data.get("team", ""),
                job_title=data.get("job_title", ""),
                work_city=organisation.city if organisation else "",
                work_latitude=organisation.latitude if organisation else None,
                work_longitude=organisation.longitude if organisation else None,
                password_hash=password_hash,
            )
            for role in data["roles"]:
                user.add_role(Role(role))
            db.session.add(user)
            db.session.flush()
    except IntegrityError:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            raise
        raise ServiceError({"email": [_("Un compte existe déjà avec cette adresse.")]}) from None
    if password is None:
        issue_password_link(user, TokenPurpose.SET_PASSWORD, token_hours)
    audit.record(
        actor,
        "account.create",
        user,
        organisation_id=organisation.id if organisation else None,
        network_id=network.id if network else (organisation.network_id if organisation else None),
        roles=sorted(role.value for role in user.roles),
    )
    return user


def create_account(actor: User | None, data: dict, *, token_hours: int, password: str | None = None) -> User:
    """Create the account and send its first-password link (or set `password`, for the CLI and the demo)."""
    db.begin_write()  # on SQLite, the write lock before the existence check: a racer waits, then sees the row
    user = build_account(actor, data, token_hours=token_hours, password=password)
    db.session.commit()
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account, with every rule of account_lifecycle."""
    return account_lifecycle.reactivate(actor, user) if active else account_lifecycle.deactivate(actor, user)
