"""The agent's profile: skills with a level, interests, work place."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.limits import MAX_SKILL_LEVEL, MIN_SKILL_LEVEL
from mobilite.schemas.base import N_, FormSchema, form_data
from mobilite.schemas.ids import Id

MAX_SKILL_ROWS = 40
OTHER_SITE = "other"


class SkillLevelSchema(FormSchema):
    skill_id = Id(required=True)
    level = fields.Integer(
        required=True,
        validate=validate.Range(
            min=MIN_SKILL_LEVEL, max=MAX_SKILL_LEVEL, error=N_("Niveau de 1 (notions) à 4 (expertise).")
        ),
    )


class ProfileSchema(FormSchema):
    interests = fields.List(fields.Integer(), load_default=list)
    skills = fields.List(
        fields.Nested(SkillLevelSchema),
        load_default=list,
        validate=validate.Length(max=MAX_SKILL_ROWS, error=N_("Quarante compétences au plus.")),
    )
    work_site = fields.String(required=True)
    work_city = fields.String(load_default="", validate=validate.Length(max=120, error=N_("120 caractères au plus.")))
    work_latitude = fields.Float(
        load_default=None,
        validate=validate.Range(min=-90, max=90, error=N_("Latitude entre -90 et 90 (par exemple 45.764).")),
    )
    work_longitude = fields.Float(
        load_default=None,
        validate=validate.Range(min=-180, max=180, error=N_("Longitude entre -180 et 180 (par exemple 4.836).")),
    )

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def work_place_and_skills(self, data, original, **_kwargs):
        errors: dict = {}
        site = data.get("work_site")
        if site is not None and site != OTHER_SITE and not site.isdigit():
            errors["work_site"] = [N_("Choisissez un site de la liste, ou « autre lieu ».")]
        if site == OTHER_SITE:
            if not data.get("work_city"):
                errors["work_city"] = [N_("Indiquez la commune de votre lieu de travail.")]
            for name in ("work_latitude", "work_longitude"):
                if data.get(name) is None and not original.get(name):  # (a wrong value has its own error)
                    errors[name] = [
                        N_(
                            "Indiquez les coordonnées de votre lieu de travail : elles servent à "
                            "calculer les distances."
                        )
                    ]
        seen = set()
        for index, row in enumerate(data.get("skills", [])):
            if row.get("skill_id") in seen:  # every repeated row, not only the last one
                errors.setdefault("skills", {})[index] = {"skill_id": [N_("Compétence déjà indiquée plus haut.")]}
            seen.add(row.get("skill_id"))
        if errors:
            raise ValidationError(errors)


def profile_form_values(form) -> dict:
    """Raw values, with the skill rows (skill-<i> and level-<i>) gathered; rows without a skill are dropped."""
    values = form_data(ProfileSchema(), form)
    rows = []
    for i in range(MAX_SKILL_ROWS + 5):
        skill = form.get(f"skill-{i}", "").strip()
        if skill:
            rows.append({"skill_id": skill, "level": form.get(f"level-{i}", "").strip()})
    values["skills"] = rows
    return values
