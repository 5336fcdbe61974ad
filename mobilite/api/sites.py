"""An organisation's sites, over the API: for its HR officers, its network's coordinators and the admin.

The same SiteSchema as the sites form, the same services (sites.create_site, update_site, archive_site,
restore_site). An offer names one of them with `site_id` (OfferIn)."""

from __future__ import annotations

from mobilite.api.core import Blueprint, api_user, api_view, etag_of, etagged_change, json_errors
from mobilite.api.schemas import SiteOut, SiteQuery
from mobilite.authz import Action
from mobilite.models import Organisation, Role, Site
from mobilite.schemas.sites import SiteSchema
from mobilite.services import sites as site_service

blp = json_errors(
    Blueprint(
        "api_sites",
        __name__,
        url_prefix="/api/v1",
        description="Sites of an organisation (where its offers happen): its HR officers, its network's "
        "coordination and the admin list, add, change, archive and restore them.",
    )
)

MANAGERS = (Role.RH, Role.COORDINATOR, Role.ADMIN)
MANAGED_ORGANISATION = (Organisation, Action.MANAGE, "organisation_id", "organisation")
MANAGED_SITE = (Site, Action.MANAGE, "site_id", "site")


def _with_etag(site: Site, status: int = 200):
    return site, status, {"ETag": etag_of(SiteOut(), site)}


@blp.route("/organisations/<int:organisation_id>/sites", methods=["GET"])
@api_view(*MANAGERS, load=MANAGED_ORGANISATION)
@blp.arguments(SiteQuery, location="query", as_kwargs=True)
@blp.response(200, SiteOut(many=True))
@blp.alt_response(404, response="NOT_FOUND")
def list_sites(organisation, archived=True):
    """The organisation's sites by name, the archived ones last (archived=false: the active ones only,
    those a new offer may name)."""
    return site_service.organisation_sites(organisation.id, active_only=not archived)


@blp.route("/organisations/<int:organisation_id>/sites", methods=["POST"])
@api_view(*MANAGERS, load=MANAGED_ORGANISATION)
@blp.arguments(SiteSchema)
@blp.response(201, SiteOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def create_site(data, organisation):
    """Add a site. Its commune is found in the gazetteer from `commune` (a name, a postcode or « Name
    (postcode) »), which gives its postcode, city and coordinates; 422 naming `commune` when none or
    several match."""
    return _with_etag(site_service.create_site(api_user(), organisation, data), 201)


@blp.route("/sites/<int:site_id>", methods=["GET"])
@api_view(*MANAGERS, load=MANAGED_SITE)
@blp.response(200, SiteOut, headers={"ETag": {"schema": {"type": "string"}}})
@blp.alt_response(404, response="NOT_FOUND")
def get_site(site):
    """One site of an organisation the caller manages; the ETag to send back with PUT."""
    return _with_etag(site)


@blp.route("/sites/<int:site_id>", methods=["PUT"])
@api_view(*MANAGERS, load=MANAGED_SITE)
@blp.arguments(SiteSchema)
@etagged_change(blp, SiteOut, record="site", if_match="required")
def update_site(data, site):
    """Replace a site's name, address, commune and access notes; the offers at it follow. Requires If-Match
    with the ETag read by GET: 428 without it, 412 when it changed since (another manager's change is not
    overwritten)."""
    # The version the If-Match named, checked again under the row lock: a save between the two is not lost.
    return _with_etag(site_service.update_site(api_user(), site, data, site_service.fingerprint(site)))


@blp.route("/sites/<int:site_id>/archive", methods=["POST"])
@api_view(*MANAGERS, load=MANAGED_SITE)
@blp.response(200, SiteOut)
@blp.alt_response(404, response="NOT_FOUND")
def archive_site(site):
    """Archive a site: no new offer may name it; the offers at it keep it as their place. 422 if archived."""
    return site_service.archive_site(api_user(), site)


@blp.route("/sites/<int:site_id>/restore", methods=["POST"])
@api_view(*MANAGERS, load=MANAGED_SITE)
@blp.response(200, SiteOut)
@blp.alt_response(404, response="NOT_FOUND")
def restore_site(site):
    """Offer an archived site to new offers again. 422 if it is not archived."""
    return site_service.restore_site(api_user(), site)
