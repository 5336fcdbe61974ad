"""Optimistic concurrency, in one place: the records that carry a version column (offers, requests,
proposals) are saved through `versioned_commit`, and a stale version raises `Conflict`.

A version goes stale in two ways, both caught here: the caller read an older version (the form, the body's
`version`, the ETag the If-Match named), or another worker saved between our check and our UPDATE (the
version column makes that UPDATE match no row: StaleDataError). The web shows the conflict page, the API
answers 409 or 412 (api.core): the services only say that it happened, and what differs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

from mobilite.extensions import db
from mobilite.services.errors import ServiceError, StaleRecord


class Versioned(Protocol):
    version: int


class Conflict(StaleRecord):
    """Someone saved the record since it was read. `changes` are (field label, yours, stored) when the
    caller's data can be compared; `current_version` is the stored version (saving again on it applies the
    caller's data knowingly); `editor` who saved last, when known. The message goes on `field`: the
    version the caller sent, or "_schema" when they sent none."""

    def __init__(
        self,
        message: str,
        *,
        changes: list[tuple[str, str, str]] | None = None,
        current_version: int | None = None,
        editor: str | None = None,
        field: str = "version",
    ):
        super().__init__({field: [message]})
        self.changes = changes or []
        self.current_version = current_version
        self.editor = editor


def stale(record: Versioned, message: str) -> Callable[[], Conflict]:
    """The plain conflict of `record`, for a change the caller sent no version with: its message (on no
    field in particular) and the stored version, no field diffs."""

    def build() -> Conflict:
        try:
            current = record.version  # read again after the rollback
        except ObjectDeletedError:
            current = None
        return Conflict(message, current_version=current, field="_schema")

    return build


def check_version(
    record: Versioned, expected: int | None, *, conflict: Callable[[], Conflict], required: bool = False
) -> None:
    """The first half of versioned_commit, for a service that answers a stale version before anything else
    and commits later, through versioned_commit without `expected`."""
    if expected is None and required:
        raise ServiceError({"version": [_("Version du formulaire manquante : rechargez la page.")]})
    if expected is not None and expected != record.version:
        db.session.rollback()
        raise conflict()


@contextmanager
def versioned_commit(
    record: Versioned,
    expected: int | None = None,
    *,
    conflict: Callable[[], Conflict],
    required: bool = False,
) -> Iterator[None]:
    """Check that `expected` is still the record's version, run the changes made inside, then commit.

    A stale version, now or at the commit, rolls back and raises `conflict()` (called after the rollback, so
    it reads the stored record). `expected=None` skips the first check (the commit's still holds), unless
    `required`, when it is a form that lost its version field."""
    check_version(record, expected, conflict=conflict, required=required)
    try:
        yield
    except StaleDataError:  # an autoflush inside, after another worker saved the record first
        db.session.rollback()
        raise conflict() from None
    commit_versioned(conflict)


def commit_versioned(conflict: Callable[[], Conflict]) -> None:
    """The second half of versioned_commit: commit; when another worker saved one of the versioned records
    first, roll back and raise `conflict()`."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise conflict() from None


def refuse_if_changed(record: object, opened_on: str | None, fingerprint: Callable[[Any], str], message: str) -> None:
    """In the caller's write: lock the record's row and refuse (Conflict on "_schema", nothing written) when
    it is no longer as a form or an If-Match saw it (`opened_on`, its `fingerprint`; None: no check)."""
    if opened_on is None:
        return
    db.session.refresh(record, with_for_update=True)  # PostgreSQL's row lock; SQLite's write lock is held
    if fingerprint(record) != opened_on:
        db.session.rollback()
        raise Conflict(message, field="_schema")
