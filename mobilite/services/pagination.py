"""One page of a query's results, with the total, for lists that may hold thousands of rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from mobilite.extensions import db


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total - 1) // self.per_page + 1, 1)


def paginate(query: Select, page: int, per_page: int = 50, total: int | None = None) -> Page:
    """`total`: the query's count when the caller already has it (saves counting twice)."""
    page = max(page, 1)
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if (page - 1) * per_page >= total:
        # Past the last page: nothing to fetch (and no offset too large for the database's integers).
        return Page([], total, page, per_page)
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total, page, per_page)
