"""The agent's profile: skills with a level, interests (themes) and work place.

The work place is stored as a city and coordinates on the account. By default it is the agent's own
organisation; the agent may pick the site of another organisation of the network (the coordinates are
copied from it) or give another place by its city and coordinates.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from mobilite.extensions import db
from mobilite.models import Organisation, Skill, Theme, User, UserSkill
from mobilite.schemas.profile import OTHER_SITE
from mobilite.services import audit
from mobilite.services.errors import ServiceError


def current_site(user: User, sites: list[Organisation]) -> str:
    """Which choice of the form the stored work place is: a site's id, or "other"."""
    if user.work_latitude is None:
        return str(user.organisation_id or OTHER_SITE)
    for site in sorted(sites, key=lambda s: s.id != user.organisation_id):  # own organisation first
        if (site.latitude, site.longitude, site.city) == (user.work_latitude, user.work_longitude, user.work_city):
            return str(site.id)
    return OTHER_SITE


def update_profile(user: User, data: dict) -> User:
    themes = []
    if data["interests"]:
        themes = list(db.session.scalars(select(Theme).where(Theme.id.in_(set(data["interests"])))))
        if len(themes) != len(set(data["interests"])):
            raise ServiceError({"interests": [_("Valeur inconnue dans la liste.")]})
    wanted = {row["skill_id"]: row["level"] for row in data["skills"]}
    if wanted:
        known = set(db.session.scalars(select(Skill.id).where(Skill.id.in_(wanted))))
        for index, row in enumerate(data["skills"]):
            if row["skill_id"] not in known:
                raise ServiceError({f"skill-{index}": [_("Compétence inconnue.")]})

    if data["work_site"] == OTHER_SITE:
        city, latitude, longitude = data["work_city"], data["work_latitude"], data["work_longitude"]
    else:
        site = db.session.get(Organisation, int(data["work_site"]))
        if site is None or site.network_id != user.home_network_id:
            raise ServiceError({"work_site": [_("Ce site n'appartient pas à votre réseau.")]})
        if site.latitude is None or site.longitude is None:
            raise ServiceError({"work_site": [_("Ce site n'a pas de coordonnées : choisissez « autre lieu ».")]})
        city, latitude, longitude = site.city, site.latitude, site.longitude

    user.interests = themes
    kept = []
    for row in user.skills:
        if row.skill_id in wanted:
            row.level = wanted.pop(row.skill_id)
            kept.append(row)
    kept += [UserSkill(skill_id=skill_id, level=level) for skill_id, level in wanted.items()]
    user.skills = kept
    user.work_city, user.work_latitude, user.work_longitude = city, latitude, longitude
    audit.record(user, "profile.update", user, organisation_id=user.organisation_id)
    db.session.commit()
    return user
