"""The HTML forms' pipeline, as `api_view` is the API's: load the form with its schema, call the service
(which commits), then either flash and redirect, or render the form again with every error at once.

Errors found by the schema (ValidationError) and by the service (ServiceError) come out the same way: one
flat mapping from the input's name (the `id` the form macros give it, so each message sits next to its
input with aria-describedby) to its messages; "_schema" is the whole form. A stale version goes to the
form's own conflict view (409) when it has one, else to the conflict page (409); too many attempts answer
429 with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from marshmallow import Schema, ValidationError

from mobilite.schemas.base import form_data
from mobilite.services.errors import ServiceError, StaleRecord, Throttled

FieldErrors: TypeAlias = dict[str, list[str]]
Result = TypeVar("Result")


@dataclass(frozen=True)
class Rejection:
    """Why a form was not saved, and how to answer: the form is rendered again with these errors."""

    errors: FieldErrors
    status: int = 400
    headers: dict[str, str] = field(default_factory=dict)
    # The stale-version error, for forms that show what changed since they were opened (its `changes`).
    conflict: StaleRecord | None = None


def _flat(messages: Any, name: str, into: FieldErrors) -> None:
    """Nested errors ({"windows": {0: {"end": [...]}}}) named as the form names its inputs ("windows-0-end").
    A row's own error ("_schema") and a list item's error ({"themes": {0: [...]}}) belong to the list."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            if key == "_schema":
                _flat(value, name, into)
            elif isinstance(key, int) and isinstance(value, Mapping):
                for inner, reasons in value.items():
                    _flat(reasons, name if inner == "_schema" else f"{name}-{key}-{inner}", into)
            elif isinstance(key, int):
                _flat(value, name, into)
            else:
                _flat(value, f"{name}-{key}" if name else str(key), into)
    elif isinstance(messages, list | tuple):
        for message in messages:
            _flat(message, name, into)
    else:
        reasons = into.setdefault(name or "_schema", [])
        if str(messages) not in reasons:
            reasons.append(str(messages))


def field_errors(error: ValidationError | ServiceError, input_name: Callable[[str], str] | None = None) -> FieldErrors:
    """Every message of a schema or service error, keyed by the form input it belongs to.

    `input_name` renames keys whose input the form names differently (a profile's "skills-0-level" is the
    select "level-0")."""
    messages = error.messages if isinstance(error, ValidationError) else error.errors
    flat: FieldErrors = {}
    _flat(messages, "", flat)
    if input_name is None:
        return flat
    renamed: FieldErrors = {}
    for key, reasons in flat.items():
        renamed.setdefault(input_name(key), []).extend(reasons)
    return renamed


def merge_errors(first: FieldErrors, *others: FieldErrors) -> FieldErrors:
    """Several sources of errors for one form, each message once, in order."""
    merged = {key: list(reasons) for key, reasons in first.items()}
    for errors in others:
        for key, reasons in errors.items():
            kept = merged.setdefault(key, [])
            kept.extend(r for r in reasons if r not in kept)
    return merged


def _one_line(errors: FieldErrors) -> str:
    return " ".join(reason for reasons in errors.values() for reason in reasons)


def error_text(error: ValidationError | ServiceError) -> str:
    """All the messages on one line, for an action without a form of its own (a flash message)."""
    return _one_line(field_errors(error))


def flash_errors(error: ValidationError | ServiceError) -> None:
    flash(error_text(error), "error")


def flash_and_return(target: str) -> Callable[[Rejection], ResponseReturnValue]:
    """The `again` of a button without a page of its own: every reason in one message, back to `target`
    (pass shows_conflicts=True: a conflict is one more reason there)."""

    def answer(rejected: Rejection) -> ResponseReturnValue:
        flash(_one_line(rejected.errors), "error")
        return redirect(target)

    return answer


def is_conflict(error: ServiceError) -> bool:
    """A stale version: someone saved the record since the form was opened (a Conflict says what changed)."""
    return isinstance(error, StaleRecord)


def rejection(
    error: ValidationError | ServiceError, input_name: Callable[[str], str] | None = None, shows_conflicts: bool = False
) -> Rejection:
    """The answer to a refused form. A conflict the form cannot show goes to the conflict page (409)."""
    errors = field_errors(error, input_name)
    if isinstance(error, ValidationError):
        return Rejection(errors)
    if isinstance(error, Throttled):
        seconds = getattr(error, "retry_after_seconds", 60 * error.retry_after_minutes)
        return Rejection(errors, 429, {"Retry-After": str(seconds)})
    if isinstance(error, StaleRecord):
        if not shows_conflicts:
            raise error  # the conflict page (mobilite.errors maps StaleRecord once for the web)
        return Rejection(errors, 409, conflict=error)
    return Rejection(errors)


def submit_form(
    schema: Schema,
    values: Mapping[str, Any],
    save: Callable[[dict[str, Any]], Result],
    *,
    done: Callable[[Result], ResponseReturnValue],
    again: Callable[[Rejection], ResponseReturnValue],
    input_name: Callable[[str], str] | None = None,
    shows_conflicts: bool = False,
    also_check: Callable[[dict[str, Any]], FieldErrors] | None = None,
) -> ResponseReturnValue:
    """Load `values` with `schema`, `save` the data through the service, answer `done(result)` (flash and
    redirect), or `again(rejection)`: the form rendered with every error and the rejection's status.

    `also_check` runs the service's own checks on the fields that did load when others did not, so a form
    with a typo also shows what the rules say about the rest, all at once."""
    try:
        data = schema.load(values)
    except ValidationError as exc:
        found = rejection(exc, input_name)
        if also_check is not None:
            valid = exc.valid_data if isinstance(exc.valid_data, dict) else {}  # a dict: one record was loaded
            loaded = {key: value for key, value in valid.items() if key not in exc.messages_dict}
            found = Rejection(merge_errors(found.errors, _renamed(also_check(loaded), input_name)), found.status)
        return again(found)
    try:
        result = save(data)
    except ServiceError as exc:
        return again(rejection(exc, input_name, shows_conflicts))
    return done(result)


def _renamed(errors: FieldErrors, input_name: Callable[[str], str] | None) -> FieldErrors:
    if input_name is None:
        return errors
    return merge_errors({}, *({input_name(key): reasons} for key, reasons in errors.items()))


def hidden_fields(schema: Schema, form: Mapping[str, Any]) -> dict[str, Any]:
    """The hidden inputs of an action button's form (a version, an id). When one does not load (an old or
    tampered page), all count as missing, and the service refuses with its own message."""
    try:
        return schema.load(form_data(schema, form))
    except ValidationError:
        return dict.fromkeys(schema.load_fields)
