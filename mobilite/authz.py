"""The one place that answers "may this user do this to that record".

Views and API operations ask `require(user, action, record)`, which answers 404 for anything the user may
not touch, so that another organisation's records never hint that they exist.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from mobilite.i18n import N_
from mobilite.lifecycles import proposal as proposal_lifecycle
from mobilite.lifecycles import request as request_lifecycle
from mobilite.models import (
    ApiToken,
    Immersion,
    ImmersionRequest,
    Network,
    Offer,
    OfferStatus,
    Organisation,
    Proposal,
    Role,
    Round,
    Site,
    User,
)
from mobilite.services.errors import ServiceError
from mobilite.services.offer_records import OfferRecord


class Action(enum.StrEnum):
    VIEW = "view"
    EDIT = "edit"
    DECIDE = "decide"
    VALIDATE = "validate"
    MANAGE = "manage"
    REVIEW = "review"
    OPINE = "opine"  # the line manager named on a request gives their opinion
    ADMINISTER = "administer"  # run an organisation or a network: the admin, the network's coordination


def _offer(user: User, action: Action, offer: Offer | OfferRecord) -> bool:
    network_id = offer.organisation.network_id
    if action == Action.VIEW:
        if user.is_hr_of(offer.organisation_id) or user.coordinates(network_id) or user.has_role(Role.ADMIN):
            return True
        return offer.status == OfferStatus.PUBLISHED and user.home_network_id == network_id
    if action == Action.EDIT:
        return offer.is_managed_by(user)
    if action == Action.VALIDATE:
        return user.coordinates(network_id)
    return False


def _request(user: User, action: Action, immersion_request: ImmersionRequest) -> bool:
    shared = immersion_request.is_shared()
    if action == Action.VIEW:  # the line manager named on it reads it too (OPINE)
        return (
            immersion_request.is_owned_by(user)
            or shared
            and (immersion_request.is_decided_by(user) or user.coordinates(immersion_request.organisation.network_id))
            or _request(user, Action.OPINE, immersion_request)
        )
    if action == Action.MANAGE:  # the agent's own request, in the agent space (see, withdraw)
        return immersion_request.is_owned_by(user)
    if action == Action.REVIEW:  # the home employer's HR, in the HR space
        return shared and immersion_request.is_decided_by(user)
    if action == Action.EDIT:
        return immersion_request.is_owned_by(user) and immersion_request.status in request_lifecycle.EDITABLE
    if action == Action.OPINE:  # the line manager the agent named, still of the agent's organisation
        return (
            shared
            and immersion_request.line_manager_id == user.id
            and user.organisation_id == immersion_request.organisation_id
            and not immersion_request.is_owned_by(user)
        )
    if action == Action.DECIDE:  # never on one's own request, even as HR
        return (
            immersion_request.is_decided_by(user)
            and not immersion_request.is_owned_by(user)
            and immersion_request.status in request_lifecycle.WAITING
        )
    return False


def _organisation(user: User, action: Action, organisation: Organisation) -> bool:
    if user.has_role(Role.ADMIN) or user.coordinates(organisation.network_id):
        return True
    if action == Action.VIEW:
        return user.home_network_id == organisation.network_id
    if action == Action.MANAGE:
        return user.is_hr_of(organisation.id)
    return False


def _network(user: User, action: Action, network: Network) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    if action == Action.VIEW:
        return user.home_network_id == network.id
    return user.coordinates(network.id)


def _account(user: User, action: Action, account: User) -> bool:
    if account.id == user.id and action == Action.VIEW:
        return True
    if user.has_role(Role.ADMIN):
        return True
    if account.has_role(Role.ADMIN):
        return False
    if action == Action.MANAGE and not account.roles <= set(assignable_roles(user)):
        return False  # an HR officer never manages a coordinator, whatever their organisation
    if account.organisation_id is not None and user.is_hr_of(account.organisation_id):
        return True
    network_id = account.home_network_id
    return user.coordinates(network_id)


def _round(user: User, action: Action, item: Round) -> bool:
    return user.has_role(Role.ADMIN) or user.coordinates(item.network_id)


def _proposal(user: User, action: Action, item: Proposal) -> bool:
    host_id = item.session.offer.organisation_id
    # A proposal reaches the agent and the HR of both sides only once the coordination has published it.
    shown = item.status in proposal_lifecycle.SHOWN
    if action == Action.VIEW:
        return (
            user.coordinates(item.round.network_id)
            or shown
            and (item.request.is_owned_by(user) or user.is_hr_of(host_id) or item.request.is_decided_by(user))
        )
    if action == Action.MANAGE:  # the agent's own proposal, in the agent space
        return shown and item.request.is_owned_by(user)
    if action == Action.REVIEW:  # HR of the host or of the home employer, in the HR space
        return shown and (user.is_hr_of(host_id) or item.request.is_decided_by(user))
    if action == Action.VALIDATE:  # the coordination's review of its network's round (approve, pin, replace)
        return _round(user, Action.MANAGE, item.round)
    return False


def proposal_side(user: User, item: Proposal) -> str | None:
    """The part a user plays in a published proposal, as the agent and HR spaces give it: "agent" for its
    agent, "host" for an HR officer of the host or home organisation (the service then refuses a home
    employer's answer: only the host answers); None for anybody else."""
    if user.has_role(Role.AGENT) and can(user, Action.MANAGE, item):
        return "agent"
    if user.has_role(Role.RH) and can(user, Action.REVIEW, item):
        return "host"
    return None


def may_answer(user: User, item: Proposal, side: str) -> bool:
    """The agent answers their own proposal; HR of the host organisation answers for the host.

    Whether the proposal still waits for that answer (status, deadline) is the service's business."""
    if side == "agent":
        return item.request.is_owned_by(user)
    if side == "host":
        return user.is_hr_of(item.session.offer.organisation_id) and not item.request.is_owned_by(user)
    return False


def _immersion(user: User, action: Action, item: Immersion) -> bool:
    owner = item.agent_id == user.id
    hr = user.is_hr_of(item.host_organisation_id) or user.is_hr_of(item.home_organisation_id)
    if action == Action.VIEW:
        return owner or hr or user.coordinates(item.proposal.round.network_id)
    if action == Action.MANAGE:  # the agent's own immersion, in the agent space
        return owner
    if action == Action.REVIEW:  # HR of the host or of the home employer, in the HR space
        return hr
    return False


def may_give_feedback(user: User, item: Immersion, side: str) -> bool:
    """The agent gives the agent's feedback; HR of the host organisation gives the host's."""
    if side == "agent":
        return item.agent_id == user.id
    if side == "host":
        return user.is_hr_of(item.host_organisation_id) and item.agent_id != user.id
    return False


class Scope(enum.StrEnum):
    """Whose records a list shows: the caller's own, their organisation's (HR), their network's
    (coordination). `can(user, Action.VIEW, scope)` says whether the caller may list it."""

    MINE = "mine"
    ORGANISATION = "organisation"
    NETWORK = "network"


_SCOPE_ROLES = {Scope.ORGANISATION: Role.RH, Scope.NETWORK: Role.COORDINATOR}
_SCOPE_REFUSALS = {
    Scope.ORGANISATION: N_("Réservé aux RH de l'organisation."),
    Scope.NETWORK: N_("Réservé à la coordination du réseau."),
}


def _scope(user: User, action: Action, scope: Scope) -> bool:
    role = _SCOPE_ROLES.get(scope)
    return action == Action.VIEW and (role is None or user.has_role(role))


def default_scope(user: User, *offered: Scope) -> Scope:
    """The widest of the `offered` scopes the user may list (network, then organisation), else their own."""
    for scope in (Scope.NETWORK, Scope.ORGANISATION):
        if scope in offered and can(user, Action.VIEW, scope):
            return scope
    return Scope.MINE


def require_scope(user: User, scope: str) -> Scope:
    """The scope, when the user may list it. Otherwise a 422 naming `scope`: it is a filter the caller chose,
    not a record, so there is nothing to hide behind a 404."""
    scope = Scope(scope)
    if not can(user, Action.VIEW, scope):
        raise ServiceError({"scope": [_(_SCOPE_REFUSALS[scope])]})
    return scope


def _site(user: User, action: Action, site: Site) -> bool:
    """A site is seen and managed by those who manage its organisation (its HR, its coordination, the admin)."""
    return action in (Action.VIEW, Action.MANAGE) and site.is_managed_by(user)


def _api_token(user: User, action: Action, token: ApiToken) -> bool:
    """A personal API token is its owner's alone: nobody else sees or revokes it, not even an admin."""
    return token.user_id == user.id


# One rule per record type: (user, action, record) -> allowed.
_RULES: dict[type, Callable[[User, Action, Any], bool]] = {
    ApiToken: _api_token,
    Offer: _offer,
    OfferRecord: _offer,  # an offer read for display (services.offer_records): the same rule on the same columns
    ImmersionRequest: _request,
    Organisation: _organisation,
    Network: _network,
    User: _account,
    Round: _round,
    Proposal: _proposal,
    Immersion: _immersion,
    Scope: _scope,
    Site: _site,
}


def can(user, action: Action, record) -> bool:
    if record is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    rule = _RULES.get(type(record))
    if rule is None:
        raise TypeError(f"no authorization rule for {type(record).__name__}")
    return rule(user, Action(action), record)


def require(user, action: Action, record):
    """The record if the user may act on it; otherwise 404, exactly as if it did not exist."""
    if not can(user, action, record):
        raise NotFound()
    return record


def assignable_roles(user: User) -> list[Role]:
    """Roles this user may give to accounts they create."""
    if user.has_role(Role.ADMIN):
        return [Role.AGENT, Role.RH, Role.COORDINATOR, Role.ADMIN]
    if user.has_role(Role.COORDINATOR):
        return [Role.AGENT, Role.RH, Role.COORDINATOR]
    if user.has_role(Role.RH):
        return [Role.AGENT, Role.RH]
    return []


def may_create_account_in(user: User, organisation: Organisation | None, network: Network | None) -> bool:
    """Admins anywhere, coordinators in their network, HR in their own organisation."""
    if user.has_role(Role.ADMIN):
        return True
    if organisation is not None:
        return user.coordinates(organisation.network_id) or user.is_hr_of(organisation.id)
    return network is not None and user.coordinates(network.id)
