"""The agent's profile: skills with a level, interests, work place."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.limits import MAX_SKILL_LEVEL, MIN_SKILL_LEVEL
from mobilite.schemas.base import N_, FormSchema, form_data
from mobilite.schemas.ids import Id

MAX_SKILL_ROWS = 40
MAX_WORK_PLACE_LENGTH = 160


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
    # A commune of the gazetteer, as its name, its postcode or "Name (postcode)" (what the suggestions write);
    # the service finds it (mobilite.services.communes) and copies its coordinates.
    work_place = fields.String(
        required=True,
        validate=validate.Length(max=MAX_WORK_PLACE_LENGTH, error=N_("160 caractères au plus.")),
        error_messages={"required": N_("Indiquez la commune de votre lieu de travail (nom ou code postal).")},
    )

    @validates_schema(skip_on_field_errors=False)
    def repeated_skills(self, data, **_kwargs):
        errors: dict = {}
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
