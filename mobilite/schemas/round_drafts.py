"""The form of "Essayer d'autres réglages": a round's settings, changed for a draft (services.round_drafts)."""

from __future__ import annotations

from marshmallow import fields, post_load, validate

from mobilite.models import MatchingMode
from mobilite.schemas.base import N_, FormSchema
from mobilite.schemas.choices import choice_of
from mobilite.services.round_drafts import MAX_LIMIT, MAX_WEIGHT, WEIGHT_TERMS


def _weight(term: str) -> fields.Integer:
    return fields.Integer(
        required=True,
        data_key=f"poids_{term}",
        validate=validate.Range(min=0, max=MAX_WEIGHT, error=N_("Un poids entre 0 et 20.")),
    )


class DraftSettingsSchema(FormSchema):
    """Each field's name is the form input's; loads as start_draft's overrides."""

    weight_base = _weight("base")
    weight_interest = _weight("interest")
    weight_skill_fit = _weight("skill_fit")
    weight_wish = _weight("wish")
    weight_distance = _weight("distance")
    weight_waiting = _weight("waiting")
    weight_fairness = _weight("fairness")
    weight_reciprocity = _weight("reciprocity")

    fairness_floor_percent = fields.Integer(
        required=True, data_key="plancher", validate=validate.Range(min=0, max=100, error=N_("Entre 0 et 100 %."))
    )
    mode = choice_of(MatchingMode, required=True, data_key="mode", error=N_("Choix inconnu."))
    diversity = fields.Integer(
        required=True,
        data_key="diversite",
        validate=validate.Range(min=1, max=MAX_LIMIT, error=N_("Entre 1 et 50 agents.")),
    )
    # Empty: no limit.
    continuity = fields.Integer(
        load_default=None,
        allow_none=True,
        data_key="continuite",
        validate=validate.Range(min=1, max=MAX_LIMIT, error=N_("Entre 1 et 50 agents, ou vide pour aucune limite.")),
    )

    @post_load
    def overrides(self, data, **_kwargs):
        weights = {term: data.pop(f"weight_{term}") for term in WEIGHT_TERMS}
        return {**data, "mode": str(data["mode"]), "weights": weights}
