"""Who is told of what: the people an event concerns, looked up in one place."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import Role, User


def hr_officers_by_organisation(organisation_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active HR officers of each organisation, by id, in account order; one query for them all."""
    officers: dict[int, list[User]] = {}
    ids = set(organisation_ids)
    if not ids:
        return officers
    for user in db.session.scalars(
        select(User)
        .where(User.organisation_id.in_(ids), User.active.is_(True))
        .options(selectinload(User.role_rows))
        .order_by(User.id)
    ):
        if user.organisation_id is not None and user.has_role(Role.RH):  # never None, by the query's filter
            officers.setdefault(user.organisation_id, []).append(user)
    return officers


def coordinators(network_id: int) -> list[User]:
    """The active coordinators of a network, in account order."""
    return [
        user
        for user in db.session.scalars(
            select(User)
            .where(User.network_id == network_id, User.active.is_(True))
            .options(selectinload(User.role_rows))
            .order_by(User.id)
        )
        if user.has_role(Role.COORDINATOR)
    ]


def hr_officers(organisation_id: int) -> list[User]:
    """The active HR officers of one organisation."""
    return hr_officers_by_organisation([organisation_id]).get(organisation_id, [])
