"""Pages of a list: the page argument from the URL, and one page of a query or list with its figures."""
from dataclasses import dataclass, field

from flask import request

PER_PAGE = 50
# Far beyond any real list, and small enough that page * per_page stays an
# ordinary integer offset on every database.
MAX_PAGE = 100_000


def parse_page(text) -> int:
    """`text` as a page number from 1 to MAX_PAGE: junk, zero or negatives give 1, huge values MAX_PAGE."""
    text = text.strip() if isinstance(text, str) else ""
    # ASCII digits only: int() would also take "²", Arabic-Indic digits or "1_000".
    if not (text.isascii() and text.isdigit()):
        return 1
    digits = text.lstrip("0")
    if len(digits) > len(str(MAX_PAGE)):  # never hand int() thousands of digits
        return MAX_PAGE
    return max(1, min(int(digits or 0), MAX_PAGE))


def page_arg(name: str = "page") -> int:
    """The current request's page number (see parse_page)."""
    return parse_page(request.args.get(name))


@dataclass
class Page:
    """One page of a list: its rows and, when counted, the total; everything the pager needs."""

    rows: list
    page: int
    per_page: int = PER_PAGE
    total: int | None = None  # None when the list was not counted (then only has_next is known)
    more: bool = field(default=False, repr=False)

    @property
    def pages(self) -> int | None:
        """How many pages there are (at least 1), or None when uncounted."""
        return None if self.total is None else max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        """True after the first page."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """True when another page follows."""
        return self.more if self.total is None else self.page < self.pages

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def paginate(query, page: int, per_page: int = PER_PAGE, count: bool = True, count_query=None) -> Page:
    """One page of `query` (a peewee select or a plain list).

    With `count` the total is counted (on `count_query` when a cheaper query gives the
    same number); without, one extra row is read to learn whether a next page exists.
    """
    page = max(1, min(int(page), MAX_PAGE))
    start = (page - 1) * per_page
    if isinstance(query, (list, tuple)):
        return Page(list(query[start:start + per_page]), page, per_page, len(query) if count else None,
                    more=len(query) > start + per_page)
    if not count:
        # limit/offset, not paginate(page, per_page + 1): that would move the offset by one row per page.
        rows = list(query.limit(per_page + 1).offset(start))
        return Page(rows[:per_page], page, per_page, None, more=len(rows) > per_page)
    total = (count_query if count_query is not None else query).count()
    return Page(list(query.paginate(page, per_page)), page, per_page, total)
