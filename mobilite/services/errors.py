"""Errors raised by services, turned into pages or JSON by the views."""

from __future__ import annotations


class ServiceError(Exception):
    """A business rule said no; `errors` maps each field (or "_schema") to its reasons."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"_schema": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in errors.items()))


class Throttled(ServiceError):
    def __init__(self, message: str, retry_after_minutes: int, retry_after_seconds: int | None = None):
        super().__init__(message)
        self.retry_after_minutes = retry_after_minutes
        # The exact wait when it is known (sign-in throttles), else the minutes'.
        self.retry_after_seconds = 60 * retry_after_minutes if retry_after_seconds is None else retry_after_seconds


class StaleRecord(ServiceError):
    """Someone saved the record between our read and our write: the version column caught it."""
