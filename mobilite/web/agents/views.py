from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.models import Role
from mobilite.schemas.profile import ProfileSchema, profile_form_values
from mobilite.schemas.requests import flatten_errors
from mobilite.security import roles_required
from mobilite.services import homes
from mobilite.services import profile as profile_service
from mobilite.services.errors import ServiceError
from mobilite.services.requests import organisation_sites
from mobilite.services.taxonomy import themes_with_skills
from mobilite.web.agents import bp


@bp.get("/")
@roles_required(Role.AGENT)
def home():
    return render_template("agents/home.html", **homes.agent_home(current_user))


def _profile_errors(messages: dict) -> dict:
    """Skill rows are named skill-<i> and level-<i> in the form."""
    errors = {}
    for key, value in flatten_errors(messages).items():
        if key.startswith("skills-"):
            _, index, field = key.split("-", 2)
            key = f"{'skill' if field == 'skill_id' else 'level'}-{index}"
        errors[key] = value
    return errors


@bp.route("/profil", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def profile():
    sites = organisation_sites(current_user)
    errors: dict = {}
    if request.method == "POST":
        schema = ProfileSchema()
        values = profile_form_values(request.form)
        try:
            profile_service.update_profile(current_user, schema.load(values))
        except ValidationError as exc:
            errors = _profile_errors(exc.messages)
        except ServiceError as exc:
            errors = exc.errors
        else:
            flash(_("Votre profil est enregistré."), "success")
            return redirect(url_for("agents.profile"))
    else:
        user = current_user
        values = {
            "interests": [str(t.id) for t in user.interests],
            "skills": [{"skill_id": str(s.skill_id), "level": str(s.level)} for s in user.skills],
            "work_site": profile_service.current_site(user, sites),
            "work_city": user.work_city,
            "work_latitude": "" if user.work_latitude is None else str(user.work_latitude),
            "work_longitude": "" if user.work_longitude is None else str(user.work_longitude),
        }
    return render_template(
        "agents/profile.html", values=values, errors=errors, sites=sites, themes=themes_with_skills(),
        skill_rows=max(len(values.get("skills", [])) + 3, 5),
    ), 400 if errors else 200
