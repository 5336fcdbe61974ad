"""The controlled vocabulary, as forms and filters offer it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from mobilite.extensions import db
from mobilite.models import Skill, Theme
from mobilite.services.communes import normalise  # the same folding as the communes' names
from mobilite.services.errors import ServiceError


def themes_with_skills() -> list[Theme]:
    """Every theme with its skills loaded, in label order: two queries whatever the size."""
    return list(db.session.scalars(select(Theme).options(selectinload(Theme.skills)).order_by(Theme.label_fr)))


def skills_by_code() -> dict[str, Skill]:
    return {skill.code: skill for skill in db.session.scalars(select(Skill))}


def themes_by_code() -> dict[str, Theme]:
    return {theme.code: theme for theme in db.session.scalars(select(Theme))}


def vocabulary(model: type[Theme] | type[Skill], ids: list[int], field: str) -> list:
    """The themes or skills with these ids; an unknown id is an error on `field`, never silently dropped."""
    if not ids:
        return []
    rows = db.session.scalars(select(model).where(model.id.in_(set(ids)))).all()
    if len(rows) != len(set(ids)):
        raise ServiceError({field: [_("Valeur inconnue dans la liste.")]})
    return sorted(rows, key=lambda row: row.id)


def suggest_skills(query: str, locale: str, limit: int) -> list[tuple[Skill, Theme]]:
    """Skills whose label (in `locale`) has a word starting with each word of `query`, whatever the accents
    and case; labels that start with the query first, then in label order."""
    words = normalise(query).split()
    if not words:
        return []
    found = []
    for theme in themes_with_skills():
        for skill in theme.skills:
            label = normalise(skill.label(locale))
            label_words = label.split()
            if all(any(word.startswith(w) for word in label_words) for w in words):
                found.append((not label.startswith(" ".join(words)), label, skill, theme))
    found.sort(key=lambda item: item[:2])
    return [(skill, theme) for _rank, _label, skill, theme in found[:limit]]
