"""The agent's profile: skills with a level, interests (themes) and work place.

The work place is a commune of the gazetteer (mobilite.services.communes), found from what the agent typed:
its name, its postcode, or "Name (postcode)" as the suggestions write it. Its name and coordinates are
copied on the account, so distances never depend on anyone typing a latitude.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Skill, Theme, User, UserSkill
from mobilite.services import audit, communes
from mobilite.services.errors import ServiceError

AMBIGUOUS_SHOWN = 5


def work_place_label(user: User) -> str:
    """What the work place field shows: the commune picked, else the one of the stored city (an account made
    from its organisation's address), else the stored city as it is."""
    commune = communes.by_code(user.work_commune_code)
    if commune is not None:
        return commune.label(user.work_postcode)
    if not user.work_city:
        return ""
    organisation = user.organisation
    postcode = organisation.postcode if organisation and organisation.city == user.work_city else ""
    found = communes.locate(user.work_city, postcode)
    return found.label if found is not None else user.work_city


def find_work_place(text: str) -> communes.Match:
    """The commune `text` names, or an error on the work place field that says why none could be chosen."""
    found = communes.resolve(text)
    if isinstance(found, communes.Match):
        return found
    if not found:
        raise ServiceError(
            {
                "work_place": [
                    _(
                        "Aucune commune ne correspond à « %(text)s » : tapez le début de son nom ou son code postal, "
                        "puis choisissez-la dans la liste.",
                        text=text,
                    )
                ]
            }
        )
    shown = ", ".join(match.label for match in found[:AMBIGUOUS_SHOWN])
    raise ServiceError(
        {
            "work_place": [
                _(
                    "Plusieurs communes correspondent à « %(text)s » (%(communes)s) : "
                    "précisez le code postal, par exemple « %(example)s ».",
                    text=text,
                    communes=shown + ("…" if len(found) > AMBIGUOUS_SHOWN else ""),
                    example=found[0].label,
                )
            ]
        }
    )


def _checked(data: dict) -> tuple[dict[str, list[str]], list[Theme], communes.Match | None]:
    """Every error of the fields present in `data`, with the themes and the commune they name."""
    errors: dict[str, list[str]] = {}
    themes: list[Theme] = []
    if data.get("interests"):
        themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(set(data["interests"])))))
        if len(themes) != len(set(data["interests"])):
            errors["interests"] = [_("Valeur inconnue dans la liste.")]
    rows = data.get("skills") or []
    if rows:
        known = set(db.session.scalars(select(Skill.id).where(Skill.id.in_({row["skill_id"] for row in rows}))))
        for index, row in enumerate(rows):
            if row["skill_id"] not in known:
                errors[f"skill-{index}"] = [_("Compétence inconnue.")]
    place = None
    if "work_place" in data:
        try:
            place = find_work_place(data["work_place"])
        except ServiceError as exc:
            errors.update(exc.errors)
    return errors, themes, place


def check_profile(data: dict) -> dict[str, list[str]]:
    """The service's checks on the fields that loaded, so a form with a typo also shows the rest's errors."""
    return _checked(data)[0]


def update_profile(user: User, data: dict) -> User:
    """Save the whole profile, or nothing: every wrong field is reported at once."""
    errors, themes, place = _checked(data)
    if errors or place is None:
        raise ServiceError(errors)
    wanted = {row["skill_id"]: row["level"] for row in data["skills"]}

    user.interests = themes
    kept = []
    for row in user.skills:
        if row.skill_id in wanted:
            row.level = wanted.pop(row.skill_id)
            kept.append(row)
    kept += [UserSkill(skill_id=skill_id, level=level) for skill_id, level in wanted.items()]
    user.skills = kept
    commune = place.commune
    user.work_commune_code, user.work_postcode = commune.code, place.postcode
    user.work_city, user.work_latitude, user.work_longitude = commune.name, commune.latitude, commune.longitude
    audit.record(user, "profile.update", user, organisation_id=user.organisation_id)
    db.session.commit()
    return user
