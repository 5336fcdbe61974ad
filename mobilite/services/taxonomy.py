"""The controlled vocabulary, as forms and filters offer it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import Skill, Theme


def themes_with_skills() -> list[Theme]:
    """Every theme with its skills loaded, in label order: two queries whatever the size."""
    return list(db.session.scalars(select(Theme).options(selectinload(Theme.skills)).order_by(Theme.label_fr)))


def skills_by_code() -> dict[str, Skill]:
    return {skill.code: skill for skill in db.session.scalars(select(Skill))}


def themes_by_code() -> dict[str, Theme]:
    return {theme.code: theme for theme in db.session.scalars(select(Theme))}
