"""A real OpenID Connect provider for the tests: oidc-provider-mock (PyPI), served on 127.0.0.1 on a free
port by a thread, once per test process, with nonces required.

The tests drive the whole flow through it: the app redirects to its authorization page, `authorize` posts
the page's form for a subject whose claims `set_user` chose, and the provider redirects to the app's
callback with a code that the app exchanges at its token endpoint.

Refusal tests need tokens the provider would never issue (another issuer, an expired one, a wrong nonce,
`alg: none`). `tamper` rewrites the ID token of the next token responses: it receives the real token's
claims and returns the token to send instead, built with `sign` (the provider's own key, or another) or
`unsigned`. Everything else goes through the provider untouched, so each refusal is the app's own check.
`signed_userinfo` makes the userinfo endpoint answer a signed JWT, as ProConnect does.
"""

from __future__ import annotations

import base64
import io
import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "mobilite-tests"
CLIENT_SECRET = "mobilite-tests-secret"
SCOPES = "openid email profile given_name usual_name siret uid"  # "profile" releases given_name at the mock

Tamper = Callable[[dict[str, Any]], str]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class TestProvider:
    """oidc-provider-mock behind a thin WSGI layer that can rewrite the token and userinfo answers."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self) -> None:
        # The mock is an Authlib authorization server: plain http is for loopback tests only.
        os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
        import flask
        import oidc_provider_mock

        self.mock = oidc_provider_mock.app(require_nonce=True)
        with self.mock.test_request_context():
            self.mock.preprocess_request()  # its before_request hook exposes its storage (and signing key)
            mock_key = flask.g.oidc_provider_mock_storage.jwk
        self.key = RSAKey.import_key(mock_key.as_dict(is_private=True))
        self.kid = mock_key.as_dict().get("kid")
        self.tamper: Tamper | None = None
        self.signed_userinfo = False
        self.token_requests: list[dict[str, list[str]]] = []
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # --- What the tests call ---

    def set_user(self, sub: str, **claims: Any) -> None:
        """The claims the provider gives for `sub` from now on."""
        response = requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10)
        response.raise_for_status()

    def authorize(self, authorization_url: str, sub: str) -> str:
        """Sign `sub` in on the provider's page; the URL it sends the browser back to (the app's callback)."""
        assert authorization_url.startswith(self.issuer), authorization_url
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None, kid: str | None = None) -> str:
        """A token with these claims, signed RS256 by the provider's key (or `key`)."""
        header = {"alg": "RS256", "kid": kid or (self.kid if key is None else key.kid)}
        return jwt.encode({k: v for k, v in header.items() if v}, claims, key or self.key)

    @staticmethod
    def unsigned(claims: dict[str, Any]) -> str:
        """The same claims with `alg: none` and no signature."""
        return f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{_b64(json.dumps(claims).encode())}."

    def reset(self) -> None:
        self.tamper = None
        self.signed_userinfo = False
        self.token_requests.clear()

    # --- The WSGI layer ---

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/oauth2/token":
            return self._rewritten(environ, start_response, self._token_answer)
        if path == "/userinfo" and self.signed_userinfo:
            return self._rewritten(environ, start_response, self._userinfo_answer)
        return self.mock(environ, start_response)

    def _rewritten(self, environ, start_response, rewrite) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        if environ.get("PATH_INFO") == "/oauth2/token":  # kept, so tests can see the PKCE verifier
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            self.token_requests.append(parse_qs(body.decode()))
            environ["wsgi.input"] = io.BytesIO(body)
        chunks = self.mock(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
        status, headers = captured["status"], captured["headers"]
        if status.startswith("200"):
            body, content_type = rewrite(body)
            headers = [(k, v) for k, v in headers if k.lower() not in {"content-length", "content-type"}]
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]

    def _token_answer(self, body: bytes) -> tuple[bytes, str]:
        answer = json.loads(body)
        if self.tamper is not None and "id_token" in answer:
            answer["id_token"] = self.tamper(_claims_of(answer["id_token"]))
        return json.dumps(answer).encode(), "application/json"

    def _userinfo_answer(self, body: bytes) -> tuple[bytes, str]:
        claims = {**json.loads(body), "iss": self.issuer, "aud": CLIENT_ID}
        return self.sign(claims).encode(), "application/jwt"


_running: TestProvider | None = None
_lock = threading.Lock()


def running_provider() -> TestProvider:
    """The test process's provider, started on first use (a daemon thread: it ends with the process)."""
    global _running
    with _lock:
        if _running is None:
            _running = TestProvider()
        return _running


# --- The app's side -----------------------------------------------------------------------------------------


def use_provider(app, monkeypatch, provider: TestProvider | None = None, **settings: str) -> TestProvider:
    """Point the app at the test provider for one test (settings as MOBILITE_OIDC_* would give them)."""
    from mobilite.services import oidc

    provider = provider or running_provider()
    provider.reset()
    values = {
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_SCOPES": SCOPES,
        "OIDC_ACR_VALUES": "",
        **settings,
    }
    for name, value in values.items():
        monkeypatch.setitem(app.config, name, value)
    oidc.forget_discovery()
    return provider


def siret(n: int) -> str:
    """A valid SIRET (14 digits, Luhn key) made from `n`."""
    from mobilite.sirets import luhn_holds

    body = f"{n:013d}"
    return next(body + d for d in "0123456789" if luhn_holds(body + d))


def start(client, next_url: str | None = None) -> str:
    """Click the ProConnect button on the sign-in page; the provider's authorization URL."""
    from tests.fixtures import csrf_token

    page = client.get("/connexion")
    action = "/connexion/proconnect" + (f"?next={next_url}" if next_url else "")
    response = client.post(action, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def callback_path(location: str) -> str:
    """The app's callback as the test client requests it (path and query)."""
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def sign_in(client, provider: TestProvider, sub: str, next_url: str | None = None):
    """The whole flow for `sub` (whose claims set_user chose): the callback's response."""
    location = provider.authorize(start(client, next_url), sub)
    return client.get(callback_path(location))
