"""Reference data, read-only: the caller's network's organisations and the controlled vocabulary."""

from __future__ import annotations

from mobilite.api.core import Blueprint, api_user, api_view, json_errors, page_of
from mobilite.api.schemas import OrganisationOut, SkillOut, SkillQuery, ThemeOut
from mobilite.services import listings

blp = json_errors(
    Blueprint(
        "api_reference",
        __name__,
        url_prefix="/api/v1",
        description="Organisations of the caller's network, themes and skills (read-only).",
    )
)


@blp.route("/organisations", methods=["GET"])
@api_view()
@blp.response(200, OrganisationOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def organisations(pagination_parameters):
    """The organisations of the caller's network, by name."""
    return page_of(listings.network_organisations(api_user().home_network_id), pagination_parameters)


@blp.route("/themes", methods=["GET"])
@api_view()
@blp.response(200, ThemeOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def themes(pagination_parameters):
    """The themes (job families of the public sector), by French label."""
    return page_of(listings.themes(), pagination_parameters)


@blp.route("/skills", methods=["GET"])
@api_view()
@blp.arguments(SkillQuery, location="query", as_kwargs=True)
@blp.response(200, SkillOut(many=True))
@blp.paginate(page_size=50, max_page_size=200)
def skills(pagination_parameters, theme_id=None):
    """The skills of the vocabulary, by French label; optionally those of one theme."""
    return page_of(listings.skills(theme_id), pagination_parameters)
