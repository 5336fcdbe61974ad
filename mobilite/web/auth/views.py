from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from mobilite.models import Role, TokenPurpose
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
from mobilite.services.errors import ServiceError, Throttled
from mobilite.web.auth import bp


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
    return redirect(url_for("auth.login"))


@bp.route("/connexion", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(home_endpoint(current_user)))
    errors: dict = {}
    values = {}
    status = 200
    headers: dict = {}
    if request.method == "POST":
        schema = LoginSchema()
        values = form_data(schema, request.form)
        try:
            data = schema.load(values)
            user = auth_service.authenticate(
                data["email"], data["password"], request.remote_addr or "unknown", current_app.config
            )
        except ValidationError as exc:
            errors, status = exc.messages, 400
        except Throttled as exc:
            errors, status = exc.errors, 429
            headers = {"Retry-After": str(getattr(exc, "retry_after_seconds", 60 * exc.retry_after_minutes))}
        except ServiceError as exc:
            errors, status = exc.errors, 400
        else:
            chosen = session.get("lang")
            _start_session(user, remember=data["remember"])
            # A language picked on the sign-in page wins and becomes the account's.
            if chosen and chosen != user.locale:
                auth_service.set_locale(user, chosen)
            session["lang"] = user.locale
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    values.pop("password", None)
    return render_template("auth/login.html", errors=errors, values=values), status, headers


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
    auth_service.end_sessions(current_user, "auth.logout")
    _end_session()
    flash(_("Vous êtes déconnecté·e."), "success")
    return redirect(url_for("auth.login"))


@bp.get("/compte")
@login_required
def account():
    return _render_account()


def _render_account(errors: dict | None = None, status: int = 200):
    return render_template("auth/account.html", errors=errors or {}), status


@bp.post("/compte/mot-de-passe")
@login_required
def change_password():
    schema = ChangePasswordSchema()
    try:
        data = schema.load(form_data(schema, request.form))
        # The user itself, not the current_user proxy: login_user below must not store a proxy to itself.
        user = auth_service.change_password(current_user._get_current_object(), data["current"], data["password"])
    except ValidationError as exc:
        return _render_account(exc.messages, 400)
    except ServiceError as exc:
        return _render_account(exc.errors, 400)
    # Every other session has ended; this browser, where the person just proved the password, stays in.
    lang = session.get("lang")
    _start_session(user, remember=False)
    if lang:
        session["lang"] = lang
    flash(_("Votre mot de passe est changé. Vos autres sessions sont fermées."), "success")
    return redirect(url_for("auth.account"))


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
    errors: dict = {}
    values = {}
    status, headers = 200, {}
    if request.method == "POST":
        schema = ForgotPasswordSchema()
        values = form_data(schema, request.form)
        try:
            data = schema.load(values)
            auth_service.request_password_reset(data["email"], request.remote_addr or "unknown", current_app.config)
        except ValidationError as exc:
            errors, status = exc.messages, 400
        except Throttled as exc:
            errors, status = exc.errors, 429
            headers = {"Retry-After": str(getattr(exc, "retry_after_seconds", 60 * exc.retry_after_minutes))}
        else:
            flash(
                _("Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y être envoyé."),
                "success",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", errors=errors, values=values), status, headers


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    link = auth_service.find_valid_token(token)
    if link is None:
        return render_template("auth/link_expired.html"), 404
    is_reset = link.purpose == TokenPurpose.RESET_PASSWORD
    errors: dict = {}
    if request.method == "POST":
        schema = ResetPasswordSchema() if is_reset else NewPasswordSchema()
        try:
            data = schema.load(form_data(schema, request.form))
            auth_service.set_password_with_token(
                token, data["password"], keep_api_tokens=data.get("keep_api_tokens", False)
            )
        except ValidationError as exc:
            errors = exc.messages
        except ServiceError as exc:
            errors = exc.errors
        else:
            # Whoever was signed in here (possibly someone else) is signed out with every other session.
            _end_session()
            flash(_("Votre mot de passe est enregistré. Vous pouvez vous connecter."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", errors=errors, is_reset=is_reset), 400 if errors else 200


@bp.post("/langue")
@public
def set_language():
    try:
        data = LanguageSchema().load(form_data(LanguageSchema(), request.form))
    except ValidationError:
        return redirect(url_for("auth.index"))
    session["lang"] = data["lang"]
    if current_user.is_authenticated:
        auth_service.set_locale(current_user, data["lang"])
    return redirect(safe_next(data["next"]) or url_for("auth.index"))
