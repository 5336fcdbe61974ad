"""The coordinator's review forms."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from mobilite.i18n import N_
from mobilite.lifecycles.proposal import ReviewDecision
from mobilite.limits import MAX_REASON_LENGTH, REJECT_REASON_REQUIRED
from mobilite.models import ProposalStatus, PublicationScope
from mobilite.schemas.base import FormSchema
from mobilite.schemas.choices import choice_of
from mobilite.schemas.ids import MAX_ID, Id
from mobilite.services.review_table import Band, Flag, Sort


class ProposalDecisionSchema(FormSchema):
    decision = choice_of(ReviewDecision, required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH))

    @validates_schema
    def reason_when_rejected(self, data, **_kwargs):
        if data.get("decision") == ReviewDecision.REJECT and not data.get("reason"):
            raise ValidationError(REJECT_REASON_REQUIRED, "reason")


class ReplaceSchema(FormSchema):
    session_id = Id(required=True)


class PinSchema(FormSchema):
    pinned = fields.Boolean(required=True, truthy={"1", "true", "on"}, falsy={"0", "false", "off"})


# --- the review at any size: the proposals table's filter, bulk decisions, publication ---------------------


class ReviewQuerySchema(FormSchema):
    """The proposals table's filter, sort and page, as the page's query string names them."""

    home = Id(data_key="origine", load_default=None)
    host = Id(data_key="accueil", load_default=None)
    status = choice_of(ProposalStatus, data_key="statut", load_default=None, error=N_("Statut inconnu."))
    band = choice_of(Band, data_key="score", load_default=None, error=N_("Niveau de score inconnu."))
    flags = fields.List(
        choice_of(Flag, error=N_("Signal inconnu.")),
        data_key="signal",
        load_default=list,
        validate=validate.Length(max=6),
    )
    sort = choice_of(Sort, data_key="tri", load_default=Sort.SCORE, error=N_("Tri inconnu."))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000, error=N_("Page inconnue.")))


class SelectedProposal(fields.String):
    """A checked row of the table: "<proposal id>:<version read>" (the decision applies to that version)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        proposal_id, _sep, version = text.partition(":")
        if not (proposal_id.isdigit() and version.isdigit()) or not 0 < int(proposal_id) <= MAX_ID:
            raise ValidationError(N_("Proposition inconnue."))
        return int(proposal_id), int(version)


class BulkDecisionSchema(ReviewQuerySchema):
    """Approve or reject (one reason) the checked proposals, or every proposal of the current filter."""

    decision = choice_of(ReviewDecision, required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=MAX_REASON_LENGTH))
    target = fields.String(load_default="selection", validate=validate.OneOf(["selection", "filter"]))
    selected = fields.List(SelectedProposal(), data_key="proposition", load_default=list)
    token = fields.String(load_default=None, validate=validate.Length(max=64))

    @validates_schema
    def what_and_why(self, data, **_kwargs):
        if data.get("decision") == ReviewDecision.REJECT and not data.get("reason"):
            raise ValidationError(REJECT_REASON_REQUIRED, "reason")
        if data.get("target") == "selection" and not data.get("selected"):
            raise ValidationError(N_("Cochez au moins une proposition."), "proposition")
        if data.get("target") == "filter" and not data.get("token"):
            raise ValidationError(N_("Rechargez la page : le filtre n'a pas pu être vérifié."), "token")


class PublishSchema(FormSchema):
    token = fields.String(required=True, validate=validate.Length(max=64))


class PublicationScopeSchema(FormSchema):
    publication_scope = choice_of(PublicationScope, required=True, error=N_("Choix inconnu."))
