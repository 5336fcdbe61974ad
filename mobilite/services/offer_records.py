"""Offers read as plain records, for the pages that show them: a search's cards, the API's list, an offer's page.

A record holds what the ORM would load: every mapped column of the offer, its organisation and its site,
under the models' attribute names and with the same Python values (the same column types read them), and
its themes, skills, prerequisites (each with its skill) and sessions, in the relationships' orders. Its
properties are the models' own (an offer's location, a theme's label). So whatever reads a loaded offer's
attributes, a card template or a marshmallow schema, reads a record the same way; a test compares both for
every kind of offer.

Why: a search page whose offers the worker has not kept loads twenty of them with their collections, and
building ORM objects for those rows cost about twice the CPU of reading them as records (on the load
benchmark's 2-core machine, a page of twenty: 4.0 against 2.3 ms for cards, 9.7 against 4.9 ms with the
API's details). Records are never added to the session: nothing is written through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Mapper
from sqlalchemy.sql.elements import BindParameter

from mobilite.extensions import db
from mobilite.models import (
    Offer,
    OfferPrerequisite,
    OfferSession,
    OfferSkill,
    OfferTheme,
    Organisation,
    Site,
    Skill,
    Theme,
)
from mobilite.models.site import Location

IDS: BindParameter[Any] = bindparam("ids", expanding=True)


class Record:
    """A row's values under its model's attribute names, and the relationships loaded beside it."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.__dict__.get('id')}>"

    def __getattr__(self, name: str) -> Any:
        # Called only for a name the record lacks: it fails as usual. (Declared so that the type checker
        # takes a record's columns, which it cannot list, as Any.)
        raise AttributeError(name)


class OrganisationRecord(Record):
    @property
    def is_active(self) -> bool:
        return bool(_IS_ACTIVE.fget(self))  # (the model's hybrid, its Python side)


_IS_ACTIVE = vars(Organisation)["is_active"]


class OfferRecord(Record):
    organisation: OrganisationRecord
    site: Record | None
    themes: list[ThemeRecord]
    skills: list[SkillRecord]
    prerequisites: list[Record]
    sessions: list[Record]

    @property
    def location(self) -> Location:
        return Offer.location.fget(self)  # type: ignore[attr-defined]  # (the model's rule, on the record)

    def is_managed_by(self, user: Any) -> bool:
        return Offer.is_managed_by(self, user)  # type: ignore[arg-type]  # (authz's rule for EDIT)


class ThemeRecord(Record):
    def label(self, locale: str) -> str:
        return Theme.label(self, locale)  # type: ignore[arg-type]  # (the model's rule, on the record)


class SkillRecord(Record):
    def label(self, locale: str) -> str:
        return Skill.label(self, locale)  # type: ignore[arg-type]


def _keys(model: type) -> list[str]:
    mapper: Mapper[Any] = inspect(model)
    return [prop.key for prop in mapper.column_attrs]


def _columns(model: type) -> list[Any]:
    return [getattr(model, key) for key in _keys(model)]


def _order(relationship: Any, *then: Any) -> list[Any]:
    """The relationship's own order (the ORM's), then `then` for ties."""
    return [*(relationship.property.order_by or ()), *then]


# Built once each: every page that is not kept runs them.
_OFFERS = (
    select(*_columns(Offer), *_columns(Organisation), *_columns(Site))
    .join(Organisation, Offer.organisation_id == Organisation.id)
    .outerjoin(Site, Offer.site_id == Site.id)
    .where(Offer.id.in_(IDS))
)
_THEMES = (
    select(OfferTheme.offer_id, *_columns(Theme))
    .join(Theme, OfferTheme.theme_id == Theme.id)
    .where(OfferTheme.offer_id.in_(IDS))
    .order_by(*_order(Offer.themes, Theme.id))
)
_SKILLS = (
    select(OfferSkill.offer_id, *_columns(Skill))
    .join(Skill, OfferSkill.skill_id == Skill.id)
    .where(OfferSkill.offer_id.in_(IDS))
    .order_by(*_order(Offer.skills, Skill.id))
)
_PREREQUISITES = (
    select(*_columns(OfferPrerequisite), *_columns(Skill))
    .join(Skill, OfferPrerequisite.skill_id == Skill.id)
    .where(OfferPrerequisite.offer_id.in_(IDS))
    .order_by(OfferPrerequisite.offer_id, OfferPrerequisite.skill_id)
)
_SESSIONS = (
    select(*_columns(OfferSession))
    .where(OfferSession.offer_id.in_(IDS))
    .order_by(*_order(Offer.sessions, OfferSession.id))
)


_OFFER_KEYS, _ORGANISATION_KEYS, _SITE_KEYS = _keys(Offer), _keys(Organisation), _keys(Site)
_THEME_KEYS, _SKILL_KEYS, _PREREQUISITE_KEYS, _SESSION_KEYS = (
    _keys(Theme),
    _keys(Skill),
    _keys(OfferPrerequisite),
    _keys(OfferSession),
)


def load(ids: Sequence[int], *, sessions: bool, details: bool) -> dict[int, OfferRecord]:
    """These offers (those that exist) with their organisation, site and themes; with `sessions`, their
    sessions; with `details`, their skills and prerequisites. A collection not asked for is not there at all
    (reading it fails, where the ORM would quietly load it). One query each; as the database has them now,
    in the caller's transaction (the session's pending changes flushed first)."""
    if not ids:
        return {}
    a, b = len(_OFFER_KEYS), len(_OFFER_KEYS) + len(_ORGANISATION_KEYS)
    found: dict[int, OfferRecord] = {}
    for row in db.session.execute(_OFFERS, {"ids": list(ids)}):
        offer = OfferRecord(dict(zip(_OFFER_KEYS, row[:a], strict=True)))
        offer.organisation = OrganisationRecord(dict(zip(_ORGANISATION_KEYS, row[a:b], strict=True)))
        site = dict(zip(_SITE_KEYS, row[b:], strict=True))
        offer.site = Record(site) if site["id"] is not None else None
        offer.themes = []
        if details:
            offer.skills, offer.prerequisites = [], []
        if sessions:
            offer.sessions = []
        found[offer.id] = offer
    if not found:
        return found
    parameters = {"ids": list(found)}
    for row in db.session.execute(_THEMES, parameters):
        found[row[0]].themes.append(ThemeRecord(dict(zip(_THEME_KEYS, row[1:], strict=True))))
    if details:
        for row in db.session.execute(_SKILLS, parameters):
            found[row[0]].skills.append(SkillRecord(dict(zip(_SKILL_KEYS, row[1:], strict=True))))
        p = len(_PREREQUISITE_KEYS)
        for row in db.session.execute(_PREREQUISITES, parameters):
            values = dict(zip(_PREREQUISITE_KEYS, row[:p], strict=True))
            values["skill"] = SkillRecord(dict(zip(_SKILL_KEYS, row[p:], strict=True)))
            found[values["offer_id"]].prerequisites.append(Record(values))
    if sessions:
        for row in db.session.execute(_SESSIONS, parameters):
            values = dict(zip(_SESSION_KEYS, row, strict=True))
            found[values["offer_id"]].sessions.append(Record(values))
    return found
