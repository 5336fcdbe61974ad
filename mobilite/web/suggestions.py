"""Suggestion lists for the forms' autocomplete (mobilite/static/combobox.js): communes of the gazetteer and
skills of the taxonomy, as JSON, for signed-in users. Without JavaScript the forms take the same text or
choice, so these only speed typing up."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from marshmallow import ValidationError

from mobilite.schemas.suggestions import SuggestionQuerySchema
from mobilite.security import login_required
from mobilite.services import communes, taxonomy
from mobilite.web.forms import field_errors

bp = Blueprint("suggestions", __name__, url_prefix="/suggestions")


def _query() -> dict:
    return SuggestionQuerySchema().load(request.args.to_dict())


@bp.errorhandler(ValidationError)
def _bad_query(error: ValidationError) -> ResponseReturnValue:
    return jsonify(errors=field_errors(error)), 400


@bp.get("/communes")
@login_required
def communes_list() -> ResponseReturnValue:
    query = _query()
    matches = communes.search(query["q"], query["limit"])
    return jsonify(
        suggestions=[
            {"value": m.label, "label": m.label, "hint": f"{m.commune.departement_name} ({m.commune.departement})"}
            for m in matches
        ]
    )


@bp.get("/competences")
@login_required
def skills_list() -> ResponseReturnValue:
    query = _query()
    locale = str(get_locale())
    found = taxonomy.suggest_skills(query["q"], locale, query["limit"])
    return jsonify(
        suggestions=[
            {"value": str(skill.id), "label": skill.label(locale), "hint": theme.label(locale)}
            for skill, theme in found
        ]
    )
