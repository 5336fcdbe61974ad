"""A field taking one value of a StrEnum (a decision, an action): loaded as the enum's member.

The lifecycle modules define the enums; the schema and the service share them, so an unknown value is a
validation error naming the field, never a default branch. The OpenAPI document shows a string enum.
"""

from __future__ import annotations

import enum
from typing import Any

from marshmallow import fields


def choice_of(choices: type[enum.StrEnum], *, error: str | None = None, **kwargs: Any) -> fields.Enum:
    """One of `choices`' values; `error` (a msgid) replaces "Must be one of: …" for an unknown one."""
    if error is not None:
        kwargs["error_messages"] = {**kwargs.get("error_messages", {}), "unknown": error}
    kwargs["metadata"] = {"type": "string", **kwargs.get("metadata", {})}
    return fields.Enum(choices, by_value=True, **kwargs)
