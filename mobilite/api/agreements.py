"""The agreement of an immersion: where it stands (GET) and a party's signature (POST). The same access
as the pages: the three parties and the network's coordination read it; each party signs in turn."""

from __future__ import annotations

from flask import g, request
from werkzeug.exceptions import NotFound

from mobilite.api.core import Blueprint, api_user, api_view, json_errors
from mobilite.authz import Action
from mobilite.models import AuthMethod, Immersion
from mobilite.schemas.agreement import AgreementStateOut, SignatureOut, SignatureSchema
from mobilite.services import agreement as agreement_service
from mobilite.web.agreement import sign_in_method

blp = json_errors(
    Blueprint(
        "api_agreements",
        __name__,
        url_prefix="/api/v1",
        description="The three-party agreement of an immersion: its state, its signatures.",
    )
)


def _state(immersion: Immersion) -> dict:
    agreement = agreement_service.of(immersion)
    found = agreement_service.status(agreement)
    return {
        "immersion_id": immersion.id,
        "state": agreement.state.value,
        "version": agreement.version,
        "waiting_for": found["waiting_for"].value if found["waiting_for"] else None,
        "since": found["since"],
        "signing_order": [p.value for p in found["order"]],
        "document_sha256": agreement.document_sha256,
        "signed_sha256": agreement.signed_sha256,
        "functions_observed": agreement.functions_observed,
        "objectives": agreement.objectives,
        "daily_hours": agreement.daily_hours,
        "travel_costs_by": agreement.travel_costs_by.value,
        "signatures": [_signature(s) for s in found["signatures"]],
    }


def _signature(signature) -> dict:
    return {
        "party": signature.party.value,
        "signer_name": signature.signer_name,
        "signer_email": signature.signer_email,
        "signed_at": signature.signed_at,
        "ip_address": signature.ip_address,
        "document_sha256": signature.document_sha256,
        "auth_method": signature.auth_method.value,
        "version": signature.version,
    }


@blp.route("/immersions/<int:immersion_id>/agreement", methods=["GET"])
@api_view(load=(Immersion, Action.VIEW, "immersion_id", "immersion"))
@blp.response(200, AgreementStateOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_agreement(immersion):
    """The agreement's state, whom it waits for and since when, the hash of the document to sign, and the
    signatures of its current version with their evidence (the three parties and the coordination)."""
    return _state(immersion)


@blp.route("/immersions/<int:immersion_id>/agreement/signatures", methods=["POST"])
@api_view(load=(Immersion, Action.VIEW, "immersion_id", "immersion"))
@blp.arguments(SignatureSchema)
@blp.response(201, SignatureOut)
@blp.alt_response(404, response="NOT_FOUND")
def sign_agreement(data, immersion):
    """Sign the agreement for the caller's party (the agent, or HR of the home or host organisation), in the
    network's order, giving the SHA-256 of the document read (`document_sha256` of the state). 422 out of
    turn, before the check, or when the document changed; 404 for anybody else."""
    user = api_user()
    parties = agreement_service.parties_of(user, immersion)
    if not parties:
        raise NotFound()
    agreement = agreement_service.of(immersion)
    waiting = agreement_service.next_party(agreement)
    party = waiting if waiting in parties else sorted(parties)[0]
    method = AuthMethod.API_TOKEN if g.api_token_auth else sign_in_method()
    signature = agreement_service.sign(user, immersion, party, data["sha256"], request.remote_addr or "", method)
    return _signature(signature)
