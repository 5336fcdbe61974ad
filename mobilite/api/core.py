"""The API's plumbing: who is calling (token or browser session), JSON errors, ETags.

Every API view carries `api_view`, which answers, in this order:
401 (no usable token and no session) → 429 (the token's rate limit) → 404 (a role the caller lacks, or a
record that is not theirs, through authz.require) → 400 (a browser session's unsafe request without its
CSRF token) → the view. So another organisation's record answers 404 whatever the method or the body.

Concurrent changes follow one rule (services.concurrency.Conflict, mapped here): a stale `If-Match` answers
412, a stale `version` in a body answers 409. `etagged_change` documents, per operation, which one it uses.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import cache, wraps
from typing import Any

import flask_smorest
from flask import current_app, g, jsonify, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest.error_handler import ErrorSchema
from flask_wtf.csrf import CSRFError
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import (
    BadRequest,
    Conflict,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    TooManyRequests,
    Unauthorized,
    UnprocessableEntity,
)

from mobilite.authz import require
from mobilite.extensions import csrf, db
from mobilite.schemas.base import strict_input
from mobilite.schemas.requests import flatten_errors
from mobilite.security import mark_access
from mobilite.services import api_tokens as tokens
from mobilite.services.concurrency import Conflict as StaleVersion
from mobilite.services.errors import ServiceError, StaleRecord
from mobilite.services.pagination import paginate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _default_message(exc: HTTPException) -> str:
    messages = {
        400: _("Requête non valable."),
        401: _("Authentification requise : jeton d'API manquant, inconnu, expiré ou révoqué."),
        404: _("Ressource introuvable."),
        405: _("Méthode non permise sur cette ressource."),
        409: _("La ressource a été modifiée entre-temps."),
        412: _("La ressource a changé depuis votre lecture (If-Match) : relisez-la avant de la modifier."),
        413: _("Corps de requête trop volumineux."),
        422: _("Données non valables."),
        428: _("En-tête If-Match obligatoire : envoyez l'ETag lu avec GET."),
        429: _("Trop de requêtes pour ce jeton : réessayez dans un instant."),
        500: _("Une erreur est survenue. L'équipe technique a été prévenue ; réessayez dans un instant."),
    }
    if isinstance(exc, CSRFError):
        return _("Jeton CSRF manquant ou non valable : envoyez-le dans l'en-tête X-CSRFToken.")
    return messages.get(exc.code, exc.name) if exc.code is not None else exc.name


def _field_errors(data: dict) -> dict:
    """Field errors, flat: webargs nests them by location ({"json": {...}, "query": {...}}), and list items
    by index; an item's field is named as the forms and the services name it ("windows-0-end")."""
    if data.get("errors"):
        return flatten_errors(data["errors"])
    messages = data.get("messages") or {}
    flat: dict = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            flat.update(location_errors)
    return flatten_errors(flat)


def http_error(
    cls: type[HTTPException], message: str | None = None, errors: dict | None = None, headers: dict | None = None
) -> HTTPException:
    """An HTTP error carrying the message and field errors of the JSON body (and response headers)."""
    exc = cls()
    data: dict[str, Any] = {"message": message, "errors": errors or {}}
    if headers is not None:
        data["headers"] = headers
    # flask-smorest's convention, which werkzeug's types do not declare: error_response reads it back.
    setattr(exc, "data", data)  # noqa: B010
    return exc


def error_response(exc: HTTPException, errors: dict | None = None, message: str | None = None):
    """flask-smorest's error format: {"code", "status", "message", "errors": {field: [...]}}."""
    data = getattr(exc, "data", None) or {}
    errors = errors if errors is not None else _field_errors(data)
    if message is None:
        schema_errors = errors.get("_schema") if isinstance(errors, dict) else None
        message = (
            data.get("message")
            or (" ".join(map(str, schema_errors)) if schema_errors else None)
            or _default_message(exc)
        )
    response = jsonify({"code": exc.code, "status": exc.name, "message": message, "errors": errors or {}})
    response.status_code = exc.code or 500
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if exc.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="mobilite"'
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def handle_http_error(exc: HTTPException):
    """Registered on the API blueprints: anything not caught by api_view, a 500 included (no stack trace)."""
    if (exc.code or 500) >= 500:
        db.discard_failed_work()  # the message's language is the caller's: read again after a failed flush
    return error_response(exc)


def json_errors(blp):
    """Register the JSON error handler on an API blueprint (once, when the module defines it)."""
    blp.register_error_handler(HTTPException, handle_http_error)
    # By code too: Flask prefers the app's code-specific handlers (the HTML error pages) to a class handler.
    for code in (404, 405, 409, 500):
        blp.register_error_handler(code, handle_http_error)
    return blp


def _authenticate():
    header = request.headers.get("Authorization")
    if header is not None:
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Unauthorized()
        result = tokens.authenticate(raw.strip(), current_app.config["API_RATE_LIMIT_PER_MINUTE"])
        if result.user is None:
            raise Unauthorized()
        if result.retry_after is not None:
            g.api_user = result.user  # the refusal too speaks the token owner's language
            raise http_error(TooManyRequests, headers={"Retry-After": str(result.retry_after)})
        g.api_token_auth = True
        return result.user
    if current_user.is_authenticated:
        g.api_token_auth = False
        return current_user._get_current_object()
    raise Unauthorized()


def _check_csrf() -> None:
    """Only a browser session's unsafe requests: a bearer token is not sent by the browser on its own."""
    if g.api_token_auth or request.method in SAFE_METHODS:
        return
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()  # the X-CSRFToken header (or a csrf_token form field); raises CSRFError


class _SchemaKeepingParser(FlaskParser):
    """webargs' parser, building one instance of each schema class it is given rather than one per call (a
    schema's fields are deep-copied as it is built, a tenth of a cheap API call's CPU). A schema instance
    keeps nothing of a call: its error messages are translated as it raises them (schemas.base)."""

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            return _schema_instance(argmap)
        return super()._get_schema(argmap, req)


@cache
def _schema_instance(schema_class: type[Schema]) -> Schema:
    return schema_class()


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint, parsing each call with schemas built once (its query and body schemas, its
    pagination parameters'). Every API blueprint is one."""

    ARGUMENTS_PARSER = _SchemaKeepingParser()
    PAGINATION_ARGUMENTS_PARSER = _SchemaKeepingParser()


@cache  # once per operation, not per call
def _documented_query_names(view) -> frozenset[str]:
    """The query parameters the operation documents: its query schemas' fields, and paging if it pages."""
    names: set[str] = set()
    doc = getattr(view, "_apidoc", {})
    for parameter in doc.get("arguments", {}).get("parameters", []):
        if parameter.get("in") == "query":
            schema = parameter["schema"]
            schema = _schema_instance(schema) if isinstance(schema, type) else schema
            names.update(f.data_key or n for n, f in schema.fields.items() if not f.dump_only)
    if "pagination" in doc:
        names.update(("page", "page_size"))
    return frozenset(names)


def _check_query(view) -> None:
    """An unknown query parameter is a mistake the caller should hear about (a misspelt filter)."""
    unknown = sorted(set(request.args) - _documented_query_names(view))
    if unknown:
        raise http_error(UnprocessableEntity, errors={name: [_("Paramètre inconnu.")] for name in unknown})


def _lone_surrogate_at(body) -> str | None:
    """Where the body holds text with a lone UTF-16 surrogate ("\ud800"), which JSON allows but no database
    stores and no encoder writes back: "title", or "windows-0-start" inside lists and objects."""
    stack = [("", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return path or "_schema"
        elif isinstance(value, dict):
            stack += [(f"{path}-{key}" if path else str(key), key) for key in value]
            stack += [(f"{path}-{key}" if path else str(key), item) for key, item in value.items()]
        elif isinstance(value, list):
            stack += [(f"{path}-{index}" if path else str(index), item) for index, item in enumerate(value)]
    return None


def _check_json_body() -> None:
    """Refuse with 400 the JSON bodies Python's parser chokes on, before webargs parses them: nesting deeper
    than the interpreter's recursion limit, integers longer than int()'s digit limit, bytes that are not
    UTF-8, and lone surrogates. (webargs only catches JSONDecodeError: these ones would answer 500.)"""
    if request.method in SAFE_METHODS or not request.is_json:
        return
    raw = request.get_data(cache=True)
    if not raw:
        return
    try:
        body = json.loads(raw)
    except RecursionError:
        raise http_error(BadRequest, _("Corps JSON trop profondément imbriqué.")) from None
    except json.JSONDecodeError as exc:
        raise http_error(
            BadRequest,
            _("Corps JSON non valable (ligne %(line)d, colonne %(column)d).", line=exc.lineno, column=exc.colno),
        ) from None
    except UnicodeDecodeError:
        raise http_error(BadRequest, _("Corps JSON non valable : il doit être encodé en UTF-8.")) from None
    except ValueError:  # int("…4,301 digits or more…") refuses to convert: a number nobody means
        raise http_error(BadRequest, _("Corps JSON non valable : nombre trop long.")) from None
    where = _lone_surrogate_at(body)
    if where is not None:
        raise http_error(
            BadRequest,
            _("Corps JSON non valable : caractère Unicode isolé (demi-paire UTF-16)."),
            errors={where: [_("Caractère non valable.")]},
        )


def api_user():
    return g.api_user


def api_view(*roles, load=None):
    """Access for an API view: any signed-in caller, or one holding one of `roles` (others get 404).

    `load=(Model, action, "offer_id", "offer")` fetches the record named by the URL argument and passes it
    to the view as `offer`, after authz.require: 404 when it does not exist or is not the caller's.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            try:
                g.api_user = user = _authenticate()
                if roles and not user.has_role(*roles):
                    raise NotFound()
                if load is not None:
                    model, action, arg, name = load
                    kwargs[name] = require(user, action, db.session.get(model, kwargs.pop(arg)))
                _check_csrf()
                _check_query(view)
                _check_json_body()
                strict = strict_input.set(True)
                try:
                    response = make_response(view(*args, **kwargs))
                finally:
                    strict_input.reset(strict)
            except HTTPException as exc:
                db.session.rollback()
                response = error_response(exc)
            except StaleRecord as exc:  # a stale body `version`, a record in another state (412: etagged_change)
                db.session.rollback()
                response = error_response(Conflict(), errors=exc.errors)
            except ServiceError as exc:
                db.session.rollback()
                response = error_response(UnprocessableEntity(), errors=exc.errors)
            response.headers["Cache-Control"] = "no-store"
            return response

        setattr(wrapper, "api", True)  # noqa: B010 - read by the tests that walk every API operation
        return mark_access(wrapper, ("api", *roles))

    return decorator


def etag_of(schema, record) -> str:
    """A strong ETag: the hash of the record's representation, so any change to what GET shows changes it."""
    payload = json.dumps(schema.dump(record), sort_keys=True, default=str)
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:40] + '"'


# Where If-Match is optional (checked when sent): flask-smorest's own IF_MATCH component says "required".
OPTIONAL_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "Optional: the ETag read with GET. When sent, a changed record answers 412.",
}


ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}
_ERROR_RESPONSES = {
    404: "NOT_FOUND",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    422: "UNPROCESSABLE_ENTITY",
    428: "PRECONDITION_REQUIRED",
}


_STALE_IF_MATCH = "If-Match names another version of the record than the stored one: read it again (GET)."
_STALE_BODY_VERSION = "The body's `version` is not the stored one: the record changed since it was read."
_SAVED_FIRST = "Another change of the record was saved while this one ran; send If-Match to get 412 instead."


def etagged_change(
    blp,
    schema,
    *,
    record: str,
    if_match: str,
    status: int = 200,
    body_version: bool = False,
    etag: Callable[[Any], str] | None = None,
):
    """A change to a record that has an ETag: checks If-Match ("required": 428 without it; "optional":
    checked when sent) against the `record` keyword argument before the view runs, and documents it, with
    the record and its new ETag, and 404.

    The concurrency rule, in one place: a stale If-Match answers 412, here, before the view or, when another
    worker saved between the check and the commit (the service's Conflict), after it. With `body_version`
    the body's `version` is the caller's claim instead: a stale one answers 409 (api_view), as does a
    concurrent save when no If-Match was sent. Each operation's 409 and 412 say which applies.
    `etag(record)` computes the ETag when the schema's dump needs more than the record (default: etag_of)."""
    required = if_match == "required"
    etag = etag or (lambda value: etag_of(schema(), value))
    decorators = [
        blp.response(status, schema, headers=ETAG_HEADER),
        blp.doc(parameters=["IF_MATCH" if required else OPTIONAL_IF_MATCH]),
        blp.alt_response(404, response=_ERROR_RESPONSES[404]),
    ]
    if body_version:
        decorators.append(blp.alt_response(409, schema=ErrorSchema, description=_STALE_BODY_VERSION))
    elif not required:  # with a required If-Match, a change saved first answers 412
        decorators.append(blp.alt_response(409, schema=ErrorSchema, description=_SAVED_FIRST))
    decorators.append(blp.alt_response(412, schema=ErrorSchema, description=_STALE_IF_MATCH))
    if required:
        decorators.append(blp.alt_response(428, response=_ERROR_RESPONSES[428]))

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            named = check_if_match(etag(kwargs[record]), required=required)
            try:
                return view(*args, **kwargs)
            except StaleVersion:
                if named and not body_version:
                    raise PreconditionFailed() from None  # the version the If-Match named went stale
                raise

        for apply in reversed(decorators):
            checked = apply(checked)
        return checked

    return decorator


def check_if_match(current_etag: str, *, required: bool) -> bool:
    """428 when If-Match is required and missing; 412 when it names another version of the record. True
    when it named this version (so a conflict later in the request means that version went stale).

    Where it is required, `If-Match: *` ("whatever the version") does not count: it would let a stale
    update through, which is what the header is there to stop."""
    if not request.if_match or (required and request.if_match.star_tag):
        if required:
            raise PreconditionRequired()
        return False
    if request.if_match.star_tag:
        return False
    if not request.if_match.contains(current_etag.strip('"')):
        raise PreconditionFailed()
    return True


def page_of(query, pagination_parameters) -> list:
    """One page of the query, in flask-smorest's pagination (page, page_size; X-Pagination header)."""
    page = paginate(query, pagination_parameters.page, pagination_parameters.page_size)
    pagination_parameters.item_count = page.total
    return page.items
