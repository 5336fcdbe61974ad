"""The OpenID Connect client for ProConnect: the authorization code flow with PKCE, `state` and `nonce`, and
every check on what comes back (the ID token's signature and its iss, aud, exp, nonce and acr claims; the
userinfo answer, plain JSON or a signed JWT as ProConnect sends it).

Authlib drives the protocol (authorization URL with the S256 code challenge, the code exchange, the ID
token's claims); joserfc, Authlib's own JOSE library, checks signatures against the provider's published keys,
with an explicit list of asymmetric algorithms: an unsigned (`alg: none`) or HMAC token never passes.

The discovery document and the keys are fetched on first use, never at start-up, and kept for an hour: the
app starts and serves password sign-in while the provider is down; a ProConnect click then gets a clear page.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

# Asymmetric algorithms only: the keys come from the provider's JWKS. "none" and HS* are never accepted.
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
CACHE_SECONDS = 3600
CLOCK_LEEWAY_SECONDS = 60
PENDING_SECONDS = 600  # a sign-in started longer ago than this is refused at the callback
SESSION_ID_TOKEN = "proconnect_id_token"  # the browser session's ID token, for the provider's logout


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered something that is no OpenID Connect provider's."""


class TokenRefused(Exception):
    """What came back does not prove who the person is; `reason` names the check that failed (for the
    audit log and the tests, never shown as is)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    acr_values: str
    timeout: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Provider | None:
        """The configured provider, or None when ProConnect is not set up (no issuer)."""
        issuer = (config.get("OIDC_ISSUER") or "").rstrip("/")
        if not issuer:
            return None
        return cls(
            issuer=issuer,
            client_id=config.get("OIDC_CLIENT_ID") or "",
            client_secret=config.get("OIDC_CLIENT_SECRET") or "",
            scopes=config.get("OIDC_SCOPES") or "openid",
            acr_values=config.get("OIDC_ACR_VALUES") or "",
            timeout=int(config.get("OIDC_TIMEOUT_SECONDS") or 10),
        )

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    def session(self, **kwargs: Any) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self.client_secret,
            scope=self.scopes,
            token_endpoint_auth_method="client_secret_post",
            code_challenge_method="S256",
            default_timeout=self.timeout,
            **kwargs,
        )


@dataclass
class _Discovered:
    metadata: dict[str, Any]
    keys: dict[str, Any] | None
    fetched_at: float


_cache: dict[str, _Discovered] = {}
_cache_lock = threading.Lock()


def forget_discovery() -> None:
    """Drop what was fetched from every provider (tests; a provider that rotated everything)."""
    with _cache_lock:
        _cache.clear()


def redirect_origins(config: Mapping[str, Any]) -> list[str]:
    """The origins the browser is sent to by a form of ours (the button, the sign-out): the issuer's, and
    those of its endpoints once discovered. The pages' CSP form-action lets these through."""
    provider = Provider.from_config(config)
    if provider is None:
        return []
    origins = [provider.origin]
    with _cache_lock:
        found = _cache.get(provider.issuer)
        document = found.metadata if found is not None else {}
    for key in ("authorization_endpoint", "end_session_endpoint"):
        if isinstance(document.get(key), str):
            parts = urlsplit(document[key])
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


def _get_json(provider: Provider, url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=provider.timeout, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProviderUnavailable(f"{url}: not a JSON object")
    return data


def metadata(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document, fetched on first use and kept for CACHE_SECONDS."""
    with _cache_lock:
        found = _cache.get(provider.issuer)
        if found is not None and time.monotonic() - found.fetched_at < CACHE_SECONDS:
            return found.metadata
    document = _get_json(provider, f"{provider.issuer}/.well-known/openid-configuration")
    # The document must name the issuer it was fetched for (OpenID Connect Discovery, section 4.3).
    if document.get("issuer", "").rstrip("/") != provider.issuer:
        raise ProviderUnavailable(f"discovery names issuer {document.get('issuer')!r}, not {provider.issuer!r}")
    missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not document.get(key)]
    if missing:
        raise ProviderUnavailable(f"discovery lacks {', '.join(missing)}")
    with _cache_lock:
        _cache[provider.issuer] = _Discovered(document, None, time.monotonic())
    return document


def _keys(provider: Provider, refresh: bool = False) -> KeySet:
    document = metadata(provider)
    with _cache_lock:
        found = _cache.get(provider.issuer)
        keys = found.keys if found is not None and not refresh else None
    if keys is None:
        keys = _get_json(provider, document["jwks_uri"])
        with _cache_lock:
            if provider.issuer in _cache:
                _cache[provider.issuer].keys = keys
    try:
        return KeySet.import_key_set(keys)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise ProviderUnavailable(f"unreadable JWKS: {exc}") from exc


def _algorithms(provider: Provider, advertised_key: str) -> list[str]:
    advertised = metadata(provider).get(advertised_key) or list(SIGNING_ALGORITHMS)
    return [alg for alg in SIGNING_ALGORITHMS if alg in advertised]


def _verified_jwt(provider: Provider, value: str, advertised_key: str) -> jwt.Token:
    """A JWT whose signature holds under one of the provider's keys (fetched again once for an unknown
    key id: the provider may have rotated them)."""
    algorithms = _algorithms(provider, advertised_key)
    for refresh in (False, True):
        try:
            return jwt.decode(value, _keys(provider, refresh), algorithms=algorithms)
        except InvalidKeyIdError:
            if refresh:
                raise TokenRefused("signature") from None
        except JoseError as exc:
            raise TokenRefused("signature") from exc
    raise TokenRefused("signature")  # not reached: the loop returns or raises


# --- The flow ---------------------------------------------------------------------------------------------


def start(provider: Provider, redirect_uri: str, next_url: str | None) -> tuple[str, dict[str, Any]]:
    """The provider's authorization URL, and what the browser's session keeps until the callback."""
    document = metadata(provider)
    pending = {
        "state": generate_token(32),
        "nonce": generate_token(32),
        "verifier": secrets.token_urlsafe(64),  # PKCE: 86 characters, within RFC 7636's 43..128
        "next": next_url,
        "at": int(time.time()),
    }
    extra = {"nonce": pending["nonce"]}
    if provider.acr_values:
        extra["acr_values"] = provider.acr_values
    url, _state = provider.session(redirect_uri=redirect_uri).create_authorization_url(
        document["authorization_endpoint"], state=pending["state"], code_verifier=pending["verifier"], **extra
    )
    return url, pending


def state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def check_state(pending: Mapping[str, Any] | None, returned: str | None, now: float | None = None) -> str:
    """The pending sign-in's state when the callback's matches it and is recent; else TokenRefused."""
    if not pending or not returned or not isinstance(pending.get("state"), str):
        raise TokenRefused("state")
    if not secrets.compare_digest(pending["state"].encode(), returned.encode()):  # bytes: any text compares
        raise TokenRefused("state")
    if (now or time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        raise TokenRefused("state_expired")
    return pending["state"]


def exchange_code(provider: Provider, pending: Mapping[str, Any], code: str, redirect_uri: str) -> dict[str, Any]:
    """The token endpoint's answer to the code, sent with the PKCE verifier."""
    document = metadata(provider)
    try:
        token = provider.session(redirect_uri=redirect_uri).fetch_token(
            document["token_endpoint"],
            grant_type="authorization_code",
            code=code,
            code_verifier=pending["verifier"],
        )
    except OAuthError as exc:  # the provider said no (a used or unknown code, a wrong client secret)
        raise TokenRefused(f"token_endpoint:{exc.error}") from exc
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"token endpoint: {exc}") from exc
    if not isinstance(token.get("id_token"), str) or not token.get("access_token"):
        raise TokenRefused("token_response")
    return dict(token)


def id_token_claims(provider: Provider, token: Mapping[str, Any], nonce: str, now: int | None = None) -> dict:
    """The ID token's claims, once its signature, issuer, audience, expiry, nonce (and acr when asked for)
    hold."""
    decoded = _verified_jwt(provider, token["id_token"], "id_token_signing_alg_values_supported")
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        {"iss": {"essential": True, "value": provider.issuer}, "aud": {"essential": True, "value": provider.client_id}},
        {"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
    )
    try:
        claims.validate(now=now, leeway=CLOCK_LEEWAY_SECONDS)
    except ExpiredTokenError as exc:
        raise TokenRefused("exp") from exc
    except ClaimError as exc:
        raise TokenRefused(exc.claim) from exc
    if "nonce" not in claims:  # Authlib checks a nonce that is there; one that is missing is refused here
        raise TokenRefused("nonce")
    if provider.acr_values and claims.get("acr") not in provider.acr_values.split():
        raise TokenRefused("acr")
    return dict(claims)


def userinfo(provider: Provider, token: Mapping[str, Any], subject: str) -> dict[str, Any]:
    """The userinfo endpoint's claims (ProConnect signs them as a JWT), for the same subject; {} when the
    provider has no userinfo endpoint."""
    endpoint = metadata(provider).get("userinfo_endpoint")
    if not endpoint:
        return {}
    try:
        response = requests.get(
            endpoint, timeout=provider.timeout, headers={"Authorization": f"Bearer {token['access_token']}"}
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        raise ProviderUnavailable(f"userinfo: {exc}") from exc
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        decoded = _verified_jwt(provider, response.text, "userinfo_signing_alg_values_supported")
        data = dict(decoded.claims)
        if data.get("iss", provider.issuer).rstrip("/") != provider.issuer:
            raise TokenRefused("userinfo_iss")
        audience = data.get("aud", provider.client_id)
        if provider.client_id not in (audience if isinstance(audience, list) else [audience]):
            raise TokenRefused("userinfo_aud")
    else:
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderUnavailable("userinfo: not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderUnavailable("userinfo: not a JSON object")
    # The userinfo answer must be about the ID token's subject (OpenID Connect Core, section 5.3.2).
    if data.get("sub") != subject:
        raise TokenRefused("userinfo_sub")
    return data


def logout_url(provider: Provider, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send the browser so that the provider's session ends too, or None when the provider has no
    end_session_endpoint or cannot be reached (the local sign-out has happened either way)."""
    try:
        endpoint = metadata(provider).get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    params = {
        "id_token_hint": id_token,
        "state": generate_token(20),
        "post_logout_redirect_uri": post_logout_redirect_uri,
    }
    return add_params_to_uri(endpoint, list(params.items()))
