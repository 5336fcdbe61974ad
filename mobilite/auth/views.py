from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from marshmallow import ValidationError

from mobilite.auth import bp
from mobilite.models import Role
from mobilite.schemas.auth import ForgotPasswordSchema, LanguageSchema, LoginSchema, NewPasswordSchema
from mobilite.schemas.base import form_data
from mobilite.security import login_required, public
from mobilite.services import auth as auth_service
from mobilite.services.errors import ServiceError, Throttled


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
        except ServiceError as exc:
            errors, status = exc.errors, 400
        else:
            chosen = session.get("lang")
            session.clear()
            login_user(user, remember=data["remember"])
            # A language picked on the sign-in page wins and becomes the account's.
            if chosen and chosen != user.locale:
                auth_service.set_locale(user, chosen)
            session["lang"] = user.locale
            return redirect(safe_next(request.args.get("next")) or url_for(home_endpoint(user)))
    values.pop("password", None)
    return render_template("auth/login.html", errors=errors, values=values), status


@bp.post("/deconnexion")
@login_required
def logout():
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Vous êtes déconnecté·e."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@public
def forgot_password():
    errors: dict = {}
    values = {}
    if request.method == "POST":
        schema = ForgotPasswordSchema()
        values = form_data(schema, request.form)
        try:
            data = schema.load(values)
        except ValidationError as exc:
            errors = exc.messages
        else:
            auth_service.request_password_reset(
                data["email"], current_app.config["BASE_URL"], current_app.config["PASSWORD_TOKEN_HOURS"]
            )
            flash(_("Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y être "
                    "envoyé."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", errors=errors, values=values), 400 if errors else 200


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    if auth_service.find_valid_token(token) is None:
        return render_template("auth/link_expired.html"), 404
    errors: dict = {}
    if request.method == "POST":
        schema = NewPasswordSchema()
        try:
            data = schema.load(form_data(schema, request.form))
            auth_service.set_password_with_token(token, data["password"])
        except ValidationError as exc:
            errors = exc.messages
        except ServiceError as exc:
            errors = exc.errors
        else:
            flash(_("Votre mot de passe est enregistré. Vous pouvez vous connecter."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", errors=errors), 400 if errors else 200


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
