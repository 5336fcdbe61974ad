"""Accounts for their whole life, over the API: read, deactivate and reactivate an account one manages
(HR their organisation's, coordination their network's, the admin all), and download one's own data."""

from __future__ import annotations

from marshmallow import fields

from mobilite.api.core import Blueprint, api_user, api_view, json_errors
from mobilite.authz import Action
from mobilite.models import Role, User
from mobilite.schemas.base import BaseSchema
from mobilite.services import account_lifecycle, personal_data

blp = json_errors(
    Blueprint(
        "api_accounts",
        __name__,
        url_prefix="/api/v1",
        description="Accounts one manages (deactivate, reactivate) and one's own personal data.",
    )
)

MANAGED = (User, Action.MANAGE, "user_id", "account")


class AccountOut(BaseSchema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    first_name = fields.String(dump_only=True)
    last_name = fields.String(dump_only=True)
    organisation_id = fields.Integer(dump_only=True, allow_none=True)
    network_id = fields.Integer(dump_only=True, allow_none=True)
    roles = fields.Method("role_values", dump_only=True)
    active = fields.Boolean(dump_only=True)
    deactivated_at = fields.DateTime(dump_only=True, allow_none=True)
    erased_at = fields.DateTime(dump_only=True, allow_none=True)

    def role_values(self, user: User) -> list[str]:
        return sorted(role.value for role in user.roles)


class PersonalDataOut(BaseSchema):
    generated_at = fields.String(dump_only=True)
    profile = fields.Dict(dump_only=True)
    requests = fields.List(fields.Dict(), dump_only=True)
    proposals = fields.List(fields.Dict(), dump_only=True)
    immersions = fields.List(fields.Dict(), dump_only=True)
    feedback = fields.List(fields.Dict(), dump_only=True)
    sign_ins = fields.List(fields.Dict(), dump_only=True)


@blp.route("/accounts/<int:user_id>", methods=["GET"])
@api_view(Role.RH, Role.COORDINATOR, Role.ADMIN, load=MANAGED)
@blp.response(200, AccountOut)
@blp.alt_response(404, response="NOT_FOUND")
def get_account(account):
    """An account the caller manages: of their organisation (HR), of their network (coordination), any
    (admin); never one holding a role the caller may not give."""
    return account


@blp.route("/accounts/<int:user_id>/deactivate", methods=["POST"])
@api_view(Role.RH, Role.COORDINATOR, Role.ADMIN, load=MANAGED)
@blp.response(200, AccountOut)
@blp.alt_response(404, response="NOT_FOUND")
def deactivate_account(account):
    """Switch an account off: it can no longer sign in (password, token, ProConnect), its sessions end, its
    waiting requests are withdrawn (its HR told), HR of both sides are told of its coming immersions. Its
    history stays. 422 for one's own account or one already deactivated."""
    return account_lifecycle.deactivate(api_user(), account)


@blp.route("/accounts/<int:user_id>/reactivate", methods=["POST"])
@api_view(Role.RH, Role.COORDINATOR, Role.ADMIN, load=MANAGED)
@blp.response(200, AccountOut)
@blp.alt_response(404, response="NOT_FOUND")
def reactivate_account(account):
    """Switch a deactivated account on again (not an erased one: 422). Its old sessions stay closed."""
    return account_lifecycle.reactivate(api_user(), account)


@blp.route("/me/data", methods=["GET"])
@api_view()
@blp.response(200, PersonalDataOut)
def my_data():
    """Everything the service keeps about the caller: profile, requests, proposals, immersions, the
    feedback they wrote and their sign-in history. The download is written to the audit log."""
    return personal_data.export(api_user(), "api")
