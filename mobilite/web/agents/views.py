from __future__ import annotations

from typing import TypedDict, cast

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.models import Role
from mobilite.schemas.profile import ProfileSchema, profile_form_values
from mobilite.security import roles_required
from mobilite.services import career, first_use, homes, outlook
from mobilite.services import profile as profile_service
from mobilite.services.taxonomy import themes_with_skills
from mobilite.web.agents import bp
from mobilite.web.forms import Rejection, submit_form


@bp.get("/")
@roles_required(Role.AGENT)
def home():
    home_data = homes.agent_home(current_user)
    return render_template(
        "agents/home.html",
        **home_data,
        gaps=first_use.profile_gaps(current_user),
        outlooks=outlook.texts_for(home_data["requests"]),  # requests a published round left unmatched
    )


class SkillRow(TypedDict):
    skill_id: str
    level: str


class ProfileValues(TypedDict, total=False):
    """What the profile form shows: the stored profile, or the person's own input after an error."""

    interests: list[str]
    skills: list[SkillRow]
    work_place: str


def _profile_input(key: str) -> str:
    """Skill rows are named skill-<i> and level-<i> in the form (the schema says skills-<i>-skill_id)."""
    if key.startswith("skills-") and key.count("-") == 2:
        _, index, name = key.split("-")
        return f"{'skill' if name == 'skill_id' else 'level'}-{index}"
    return key


@bp.route("/profil", methods=["GET", "POST"])
@roles_required(Role.AGENT)
def profile():
    if request.method == "POST":
        values = cast(ProfileValues, profile_form_values(request.form))
    else:
        user = current_user
        values = ProfileValues(
            interests=[str(t.id) for t in user.interests],
            skills=[SkillRow(skill_id=str(s.skill_id), level=str(s.level)) for s in user.skills],
            work_place=profile_service.work_place_label(user),
        )

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "agents/profile.html",
            values=values,
            errors=rejected.errors,
            themes=themes_with_skills(),
            skill_rows=max(len(values.get("skills", [])) + 3, 5),
            gaps=first_use.profile_gaps(current_user),
            first_request=not first_use.has_requests(current_user),  # then the page leads to the first request
            career=career.entries(current_user),
        ), rejected.status

    def saved(_result: object) -> ResponseReturnValue:
        flash(_("Votre profil est enregistré."), "success")
        return redirect(url_for("agents.profile"))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        ProfileSchema(),
        dict(values),
        lambda data: profile_service.update_profile(current_user, data),
        done=saved,
        again=render,
        input_name=_profile_input,
        also_check=profile_service.check_profile,
    )
