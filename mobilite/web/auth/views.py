from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from mobilite.models import Role, TokenPurpose, User
from mobilite.schemas.auth import (
    ChangePasswordSchema,
    ForgotPasswordSchema,
    LanguageSchema,
    LoginSchema,
    NewPasswordSchema,
    ResetPasswordSchema,
)
from mobilite.schemas.base import form_data
from mobilite.security import login_required, public
from mobilite.services import auth as auth_service
from mobilite.services import oidc
from mobilite.web.auth import bp
from mobilite.web.forms import Rejection, submit_form
from mobilite.web.public import views as public_pages


def home_endpoint(user) -> str:
    """The page a user lands on: their main working space."""
    for role, endpoint in (
        (Role.RH, "rh.home"),
        (Role.COORDINATOR, "coordination.home"),
        (Role.ADMIN, "admin.home"),
    ):
        if user.has_role(role):
            return endpoint
    return "agents.home"


def safe_next(target: str | None) -> str | None:
    """Only same-site paths, so the sign-in page cannot bounce users elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    return public_pages.home_page()  # visitors first read what the service is for


@bp.route("/connexion", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(home_endpoint(current_user)))
    if request.method != "POST":
        return _render_login({})
    schema = LoginSchema()
    values = form_data(schema, request.form)

    def sign_in(data: dict[str, Any]) -> ResponseReturnValue:
        user = auth_service.authenticate(
            data["email"], data["password"], request.remote_addr or "unknown", current_app.config
        )
        chosen = session.get("lang")
        _start_session(user, remember=data["remember"])
        # A language picked on the sign-in page wins and becomes the account's.
        if chosen and chosen != user.locale:
            auth_service.set_locale(user, chosen)
        session["lang"] = user.locale
        return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))

    return submit_form(
        schema, values, sign_in, done=lambda response: response, again=lambda rejected: _render_login(values, rejected)
    )


def _render_login(values: dict[str, Any], rejected: Rejection | None = None) -> ResponseReturnValue:
    shown = {name: value for name, value in values.items() if name != "password"}  # never sent back
    rejected = rejected or Rejection({}, 200)
    return render_template("auth/login.html", errors=rejected.errors, values=shown), rejected.status, rejected.headers


def _start_session(user, remember: bool) -> None:
    """A fresh session (and remember-me cookie) naming this sign-in: see User.get_id."""
    session.clear()
    login_user(user, remember=remember)


def _end_session() -> None:
    """Forget the sign-in in this browser (session and remember-me cookie), keeping the chosen language."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


@bp.post("/deconnexion")
@login_required
def logout():
    # Ends every session of the account, not only this one: a copied session or remember-me cookie is
    # worth nothing once its owner has signed out.
    id_token = session.get(oidc.SESSION_ID_TOKEN)
    auth_service.end_sessions(current_user, "auth.logout")
    _end_session()
    flash(_("Vous êtes déconnecté·e."), "success")
    # Signed in with ProConnect: its session ends too, and it sends the browser back to the sign-in page.
    provider = oidc.Provider.from_config(current_app.config)
    back = url_for("auth.login", _external=True)
    target = oidc.logout_url(provider, id_token, back) if provider is not None and id_token else None
    return redirect(target or url_for("auth.login"))


@bp.get("/compte")
@login_required
def account():
    return _render_account()


def _render_account(rejected: Rejection | None = None) -> ResponseReturnValue:
    rejected = rejected or Rejection({}, 200)
    return render_template("auth/account.html", errors=rejected.errors), rejected.status


@bp.post("/compte/mot-de-passe")
@login_required
def change_password():
    schema = ChangePasswordSchema()

    def change(data: dict[str, Any]) -> User:
        # The user itself, not the current_user proxy: login_user below must not store a proxy to itself.
        return auth_service.change_password(current_user._get_current_object(), data["current"], data["password"])

    def changed(user: User) -> ResponseReturnValue:
        # Every other session has ended; this browser, where the person just proved the password, stays in.
        lang = session.get("lang")
        _start_session(user, remember=False)
        if lang:
            session["lang"] = lang
        flash(_("Votre mot de passe est changé. Vos autres sessions sont fermées."), "success")
        return redirect(url_for("auth.account"))

    return submit_form(schema, form_data(schema, request.form), change, done=changed, again=_render_account)


@bp.post("/compte/deconnexion-partout")
@login_required
def sign_out_everywhere():
    auth_service.end_sessions(current_user, "auth.sign_out_everywhere")
    _end_session()
    flash(_("Vous êtes déconnecté·e sur tous vos appareils."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@public
def forgot_password():
    schema = ForgotPasswordSchema()
    values = form_data(schema, request.form) if request.method == "POST" else {}

    def render(rejected: Rejection) -> ResponseReturnValue:
        page = render_template("auth/forgot.html", errors=rejected.errors, values=values)
        return page, rejected.status, rejected.headers

    def sent(_result: None) -> ResponseReturnValue:
        flash(
            _("Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y être envoyé."), "success"
        )
        return redirect(url_for("auth.login"))

    if request.method != "POST":
        return render(Rejection({}, 200))
    return submit_form(
        schema,
        values,
        lambda data: auth_service.request_password_reset(
            data["email"], request.remote_addr or "unknown", current_app.config
        ),
        done=sent,
        again=render,
    )


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    link = auth_service.find_valid_token(token)
    if link is None:
        return render_template("auth/link_expired.html"), 404
    is_reset = link.purpose == TokenPurpose.RESET_PASSWORD

    def render(rejected: Rejection) -> ResponseReturnValue:
        return render_template("auth/set_password.html", errors=rejected.errors, is_reset=is_reset), rejected.status

    def saved(_user: object) -> ResponseReturnValue:
        # Whoever was signed in here (possibly someone else) is signed out with every other session.
        _end_session()
        flash(_("Votre mot de passe est enregistré. Vous pouvez vous connecter."), "success")
        return redirect(url_for("auth.login"))

    if request.method != "POST":
        return render(Rejection({}, 200))
    schema = ResetPasswordSchema() if is_reset else NewPasswordSchema()
    return submit_form(
        schema,
        form_data(schema, request.form),
        lambda data: auth_service.set_password_with_token(
            token, data["password"], keep_api_tokens=data.get("keep_api_tokens", False)
        ),
        done=saved,
        again=render,
    )


@bp.post("/langue")
@public
def set_language():
    def choose(data: dict[str, Any]) -> ResponseReturnValue:
        session["lang"] = data["lang"]
        if current_user.is_authenticated:
            auth_service.set_locale(current_user, data["lang"])
        return redirect(safe_next(data["next"]) or url_for("auth.index"))

    # An unknown language is no form to show again: back to the home page, as before.
    schema = LanguageSchema()
    return submit_form(
        schema,
        form_data(schema, request.form),
        choose,
        done=lambda response: response,
        again=lambda _rejected: redirect(url_for("auth.index")),
    )
