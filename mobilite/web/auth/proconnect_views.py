"""Sign in with ProConnect: the button's start, the provider's callback, the unknown-SIRET page.

Only there when ProConnect is configured (MOBILITE_OIDC_ISSUER): otherwise these pages answer 404 and the
sign-in page shows no button.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from mobilite.security import public
from mobilite.services import auth as auth_service
from mobilite.services import oidc, proconnect
from mobilite.services.errors import Throttled
from mobilite.web.auth import bp
from mobilite.web.auth.views import _start_session, home_endpoint, safe_next

PENDING = "proconnect_pending"  # the session's pending sign-in: state, nonce, PKCE verifier, next page


def _provider() -> oidc.Provider:
    provider = oidc.Provider.from_config(current_app.config)
    if provider is None:
        abort(404)
    return provider


def _callback_url() -> str:
    return url_for("auth.proconnect_callback", _external=True)


def _unavailable(exc: oidc.ProviderUnavailable) -> ResponseReturnValue:
    current_app.logger.warning("ProConnect unreachable: %s", exc)
    page = render_template(
        "error.html",
        title=_("ProConnect ne répond pas"),
        message=_(
            "ProConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec "
            "votre adresse e-mail et votre mot de passe si votre organisation le permet."
        ),
    )
    return page, 503


def _refused(message: str, status: int, headers: dict[str, str] | None = None) -> ResponseReturnValue:
    page = render_template("auth/login.html", errors={}, values={}, proconnect_error=message)
    return page, status, headers or {}


@bp.post("/connexion/proconnect")
@public
def proconnect_start():
    """The button: off to the provider, with a fresh state, nonce and PKCE verifier kept in the session."""
    provider = _provider()
    if current_user.is_authenticated:
        return redirect(url_for(home_endpoint(current_user)))
    try:
        url, pending = oidc.start(provider, _callback_url(), safe_next(request.args.get("next")))
    except oidc.ProviderUnavailable as exc:
        return _unavailable(exc)
    session[PENDING] = pending
    return redirect(url)


@bp.get("/connexion/proconnect/retour")
@public
def proconnect_callback():
    """Where the provider sends the browser back: checks, account, then the same session as a password's."""
    provider = _provider()
    pending = session.pop(PENDING, None)  # one callback per start, whatever its outcome
    chosen = session.get("lang")
    try:
        done = proconnect.sign_in(
            provider,
            pending,
            request.args,
            _callback_url(),
            request.remote_addr or "unknown",
            current_app.config,
            locale=chosen or current_app.config["BABEL_DEFAULT_LOCALE"],
        )
    except Throttled as exc:
        message = " ".join(str(m) for messages in exc.errors.values() for m in messages)
        return _refused(message, 429, {"Retry-After": str(exc.retry_after_seconds)})
    except proconnect.UnknownSiret as exc:
        contact = current_app.config.get("CONTACT_EMAIL") or ""
        return render_template("auth/unknown_siret.html", siret=exc.siret, contact=contact), 403
    except proconnect.SignInRefused as exc:
        return _refused(" ".join(exc.errors["_schema"]), 403)
    except oidc.ProviderUnavailable as exc:
        return _unavailable(exc)
    user = done.user
    _start_session(user, remember=False)  # ProConnect keeps the long session; one click signs in again
    if chosen and chosen != user.locale:
        auth_service.set_locale(user, chosen)
    session["lang"] = user.locale
    session[oidc.SESSION_ID_TOKEN] = done.id_token
    return redirect(safe_next(done.next_url) or url_for(home_endpoint(user)))
