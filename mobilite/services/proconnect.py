"""Signing in with ProConnect: the callback's checks (mobilite.services.oidc), then who the person is here.

- An account already linked to the ProConnect subject (`sub`) signs in, whatever its e-mail has become.
- Otherwise an account with the same e-mail is linked to the subject, then signs in.
- Otherwise the `siret` claim names the organisation, and an agent account is created there. An unknown
  SIRET creates nothing and gets its own page.
- A deactivated account is refused. No role but agent ever comes from claims.

The sign-in goes through the same path as a password's: the address's throttle is counted first, a refusal
is logged as a failed sign-in, a success takes it back and is audited as `auth.login`. Every account event
(linked, created, unknown SIRET, refused) is in the audit log, without personal data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from mobilite.extensions import db
from mobilite.models import OrganisationSiret, Role, UsedSignInState, User, utcnow
from mobilite.services import audit, oidc
from mobilite.services import auth as auth_service
from mobilite.services.errors import ServiceError
from mobilite.sirets import is_siret, normalise_siret


class ProConnectAttempt:
    """The audit log's target for a refused attempt that names no account."""

    id = None


class SignInRefused(ServiceError):
    """No sign-in; `reason` names why for the audit log, the message says it to the person."""

    def __init__(self, message: str, reason: str, user: User | None = None, **details: Any):
        super().__init__(message)
        self.reason = reason
        self.user = user
        self.details = details


class UnknownSiret(SignInRefused):
    """The claims name an organisation that is in no network of the service: no account is created."""

    def __init__(self, siret: str):
        super().__init__(_("Votre organisation n'est pas encore dans un réseau du service."), "unknown_siret")
        self.siret = siret


@dataclass(frozen=True)
class Completed:
    user: User
    id_token: str  # kept for the provider's logout (id_token_hint)
    next_url: str | None


def _refusal_text(reason: str) -> str:
    if reason == "cancelled":
        return _("La connexion avec ProConnect a été annulée.")
    if reason.startswith("state"):
        return _(
            "Cette connexion ProConnect n'est plus valable (déjà utilisée ou commencée il y a trop longtemps). "
            "Recommencez depuis la page de connexion."
        )
    return _(
        "La réponse de ProConnect n'a pas pu être vérifiée : vous n'êtes pas connecté·e. Recommencez ; si "
        "cela se reproduit, prévenez l'équipe du service."
    )


def _consume_state(state: str, now: datetime) -> None:
    """Mark the callback's state as used, once: a second callback with it (a replay) is refused."""
    db.begin_write()
    # States older than twice a pending sign-in's life are refused by their age already: forget them.
    db.session.execute(
        delete(UsedSignInState).where(UsedSignInState.used_at < now - timedelta(seconds=2 * oidc.PENDING_SECONDS))
    )
    db.session.add(UsedSignInState(state_hash=oidc.state_hash(state), used_at=now))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise oidc.TokenRefused("state_replayed") from None


def _text_claim(claims: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _linked(sub: str, email: str, claims: Mapping[str, Any]) -> User | None:
    """The account for this subject: linked already, or linked now through its e-mail."""
    user = db.session.scalar(select(User).where(User.proconnect_sub == sub))
    if user is not None:
        return user
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if user is None:
        return None
    if user.proconnect_sub is not None:
        raise SignInRefused(
            _(
                "Un compte existe déjà pour cette adresse e-mail, relié à une autre identité ProConnect. "
                "Adressez-vous au service RH de votre organisation."
            ),
            "email_linked_elsewhere",
            user,
        )
    if claims.get("email_verified") is False:
        raise SignInRefused(
            _("ProConnect n'a pas confirmé votre adresse e-mail : votre compte n'a pas été relié."),
            "email_unverified",
            user,
        )
    if not user.active:
        raise SignInRefused(_inactive_text(), "inactive", user)
    user.proconnect_sub = sub
    audit.record(user, "auth.proconnect_linked", user, organisation_id=user.organisation_id)
    return user


def _inactive_text() -> str:
    return _("Ce compte est désactivé. Adressez-vous au service RH de votre organisation.")


def _new_agent(sub: str, email: str, claims: Mapping[str, Any], locale: str) -> User:
    """An agent account in the organisation of the `siret` claim (never any other role)."""
    siret = normalise_siret(_text_claim(claims, "siret"))
    found = (
        db.session.scalar(select(OrganisationSiret).where(OrganisationSiret.siret == siret))
        if is_siret(siret)
        else None
    )
    if found is None:
        raise UnknownSiret(siret)
    first_name = _text_claim(claims, "given_name")
    last_name = _text_claim(claims, "usual_name", "family_name")
    if not email or not first_name or not last_name:
        missing = [
            label
            for label, value in ((_("adresse e-mail"), email), (_("prénom"), first_name), (_("nom"), last_name))
            if not value
        ]
        raise SignInRefused(
            _("ProConnect n'a pas transmis : %(missing)s. Le compte n'a pas été créé.", missing=", ".join(missing)),
            "missing_claims",
        )
    user = User(
        email=email[:254],
        first_name=first_name[:100],
        last_name=last_name[:100],
        organisation=found.organisation,
        password_hash=None,  # signs in with ProConnect; may set a password later through "Mot de passe oublié ?"
        proconnect_sub=sub,
        locale=locale,
    )
    user.add_role(Role.AGENT)
    db.session.add(user)
    db.session.flush()
    audit.record(user, "auth.proconnect_account_created", user, organisation_id=found.organisation_id)
    return user


def _account_for(claims: Mapping[str, Any], locale: str) -> User:
    """The active account these verified claims name, linked or created (in the caller's unit of work)."""
    sub = claims["sub"]
    email = auth_service.normalise_email(_text_claim(claims, "email"))
    user = _linked(sub, email, claims)
    if user is None:
        return _new_agent(sub, email, claims, locale)
    if not user.active:
        raise SignInRefused(_inactive_text(), "inactive", user)
    # The address changed at the provider: follow it, unless another account has it.
    follows = email and email != user.email and claims.get("email_verified") is not False
    if follows and db.session.scalar(select(User.id).where(User.email == email)) is None:
        user.email = email
        audit.record(user, "auth.proconnect_email_updated", user, organisation_id=user.organisation_id)
    return user


def _failed(exc: SignInRefused, ip: str, sub: str | None, now: datetime) -> None:
    """Log the refused attempt (failed sign-in and audit event) in a unit of work of its own."""
    db.session.rollback()
    db.begin_write()
    key = hashlib.sha256(f"proconnect:{sub or ''}".encode()).hexdigest()
    auth_service.record_failed_sign_in(key, ip, now)
    user = exc.user
    if isinstance(exc, UnknownSiret):
        audit.record(None, "auth.proconnect_unknown_siret", ProConnectAttempt(), siret=exc.siret)
    else:
        audit.record(
            user,
            "auth.proconnect_refused",
            user or ProConnectAttempt(),
            organisation_id=user.organisation_id if user else None,
            reason=exc.reason,
        )
    db.session.commit()


def sign_in(
    provider: oidc.Provider,
    pending: Mapping[str, Any] | None,
    params: Mapping[str, str],
    redirect_uri: str,
    ip: str,
    settings,
    locale: str = "fr",
    now: datetime | None = None,
) -> Completed:
    """Complete a ProConnect sign-in from the callback's query `params` and the session's `pending` sign-in.

    Raises Throttled (too many attempts from the address), SignInRefused / UnknownSiret (logged), or
    oidc.ProviderUnavailable (the provider could not be reached)."""
    now = now or utcnow()
    db.begin_write()
    auth_service.admit_from_address(ip, settings, now)
    db.session.commit()
    sub: str | None = None
    try:
        if params.get("error"):  # cancelled at the provider (or refused there): nothing to check, no sign-in
            raise oidc.TokenRefused("cancelled")
        state = oidc.check_state(pending, params.get("state"))
        assert pending is not None  # check_state refuses a missing pending sign-in
        _consume_state(state, now)
        if not params.get("code"):
            raise oidc.TokenRefused("code")
        token = oidc.exchange_code(provider, pending, params["code"], redirect_uri)
        claims = oidc.id_token_claims(provider, token, pending["nonce"])
        sub = claims["sub"]
        claims.update(oidc.userinfo(provider, token, claims["sub"]))
        db.begin_write()
        try:
            user = _account_for(claims, locale)
        except IntegrityError:
            # The same person's first sign-in in another tab won the race: theirs is the account.
            db.session.rollback()
            db.begin_write()
            user = _account_for(claims, locale)
        auth_service.record_sign_in(user, ip, now, method="proconnect")
        db.session.commit()
        return Completed(user, token["id_token"], pending.get("next"))
    except oidc.TokenRefused as exc:
        refused = SignInRefused(_refusal_text(exc.reason), exc.reason)
        _failed(refused, ip, sub, now)
        raise refused from exc
    except SignInRefused as exc:
        _failed(exc, ip, sub, now)
        raise
