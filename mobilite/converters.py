"""URL converters."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from mobilite.schemas.ids import MAX_ID


class RecordIdConverter(IntegerConverter):
    """`<int:…>` in every URL names a record: 1 to the largest id the database's integers hold. Any other
    number names no record (404), and never reaches a query it would overflow."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(
            map, fixed_digits, min=1 if min is None else min, max=MAX_ID if max is None else max, signed=signed
        )
