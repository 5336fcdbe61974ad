"""The account pages, shared by the HR, coordination and admin spaces: create, show, edit, deactivate."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError

from mobilite.authz import Action, assignable_roles, can, require
from mobilite.extensions import db
from mobilite.models import Role, User
from mobilite.schemas.accounts import AccountEditSchema, AccountSchema, ErasureSchema
from mobilite.schemas.base import form_data
from mobilite.security import roles_required
from mobilite.services import account_lifecycle as lifecycle
from mobilite.services.accounts import create_account
from mobilite.services.errors import ServiceError
from mobilite.web.forms import Rejection, flash_errors, submit_form


def account_form(*, organisations, networks, done_endpoint: str, space: str, fixed_organisation=None):
    """GET shows the form; POST validates, creates the account and sends its first-password link.

    HR officers pass `fixed_organisation`: their accounts always belong to it.
    """
    schema = AccountSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template(
            "accounts/new.html",
            errors=rejected.errors,
            values=values,
            organisations=organisations,
            networks=networks,
            fixed_organisation=fixed_organisation,
            roles=assignable_roles(current_user),
            space=space,
        ), rejected.status

    def create(data: dict[str, Any]) -> User:
        if fixed_organisation is not None and data["organisation_id"] is None:
            data["organisation_id"] = fixed_organisation.id
        return create_account(
            current_user,
            data,
            token_hours=current_app.config["PASSWORD_TOKEN_HOURS"],
        )

    def created(user: User) -> ResponseReturnValue:
        flash(
            _(
                "Compte créé pour %(name)s. Un lien pour choisir son mot de passe lui a été envoyé.",
                name=user.full_name,
            ),
            "success",
        )
        return redirect(url_for(done_endpoint))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(schema, values, create, done=created, again=render)


# --- an account for its whole life: shown, edited, deactivated, reactivated (and erased, by the admin) --------


def account_page(user_id: int, space: str) -> ResponseReturnValue:
    user = require(current_user, Action.VIEW, db.session.get(User, user_id))
    return render_template(
        "accounts/show.html",
        user=user,
        space=space,
        may_manage=can(current_user, Action.MANAGE, user) and user.id != current_user.id,
        may_erase=current_user.has_role(Role.ADMIN) and user.erased_at is None and user.id != current_user.id,
        deactivated_by=db.session.get(User, user.deactivated_by_id) if user.deactivated_by_id else None,
    )


def edit_account_page(user_id: int, space: str) -> ResponseReturnValue:
    user = require(current_user, Action.MANAGE, db.session.get(User, user_id))
    schema = AccountEditSchema()
    if request.method == "POST":
        values = form_data(schema, request.form)
    else:
        values = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "roles": [role.value for role in user.roles],
        }

    def render(rejected: Rejection) -> ResponseReturnValue:
        # Only accounts whose roles the actor may all give are theirs to manage (authz): the same list.
        return render_template(
            "accounts/edit.html",
            user=user,
            errors=rejected.errors,
            values=values,
            roles=assignable_roles(current_user),
            space=space,
        ), rejected.status

    def saved(account: User) -> ResponseReturnValue:
        flash(_("Compte de %(name)s enregistré.", name=account.full_name), "success")
        return redirect(url_for(f"{space}.account", user_id=account.id))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema, values, lambda data: lifecycle.update_account(current_user, user, data), done=saved, again=render
    )


def _account_action(user_id: int, space: str, change, message: str) -> ResponseReturnValue:
    user = require(current_user, Action.MANAGE, db.session.get(User, user_id))
    back = url_for(f"{space}.account", user_id=user.id)
    try:
        change(current_user, user)
    except ServiceError as error:
        flash_errors(error)
        return redirect(back)
    flash(message % {"name": user.full_name}, "success")
    return redirect(back)


def deactivate_account(user_id: int, space: str) -> ResponseReturnValue:
    return _account_action(
        user_id,
        space,
        lifecycle.deactivate,
        _(
            "Compte de %(name)s désactivé : ses demandes en attente sont retirées et les RH concernés "
            "sont prévenus de ses immersions à venir."
        ),
    )


def reactivate_account(user_id: int, space: str) -> ResponseReturnValue:
    return _account_action(user_id, space, lifecycle.reactivate, _("Compte de %(name)s réactivé."))


def register_account_routes(bp: Blueprint, role: Role, space: str) -> None:
    """The account pages of one space (HR, coordination, admin): same pages, each space's own role."""

    @bp.get("/comptes/<int:user_id>", endpoint="account")
    @roles_required(role)
    def account(user_id: int):
        return account_page(user_id, space)

    @bp.route("/comptes/<int:user_id>/modifier", methods=["GET", "POST"], endpoint="edit_account")
    @roles_required(role)
    def edit_account(user_id: int):
        return edit_account_page(user_id, space)

    @bp.post("/comptes/<int:user_id>/desactiver", endpoint="deactivate_account")
    @roles_required(role)
    def deactivate(user_id: int):
        return deactivate_account(user_id, space)

    @bp.post("/comptes/<int:user_id>/reactiver", endpoint="reactivate_account")
    @roles_required(role)
    def reactivate(user_id: int):
        return reactivate_account(user_id, space)


def erase_account_page(user_id: int) -> ResponseReturnValue:
    """The admin erases a person's data at their request (the person may do it from their own account)."""
    user = require(current_user, Action.VIEW, db.session.get(User, user_id))
    back = url_for("admin.account", user_id=user.id)
    try:
        ErasureSchema().load(form_data(ErasureSchema(), request.form))
        lifecycle.erase(current_user, user)
    except (ValidationError, ServiceError) as error:
        flash_errors(error)
        return redirect(back)
    flash(_("Les données personnelles de ce compte sont effacées."), "success")
    return redirect(back)
