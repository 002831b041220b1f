"""Date buckets, medians and prepared lookups in SQL: the one place (besides db.py and search)
that knows SQLite from PostgreSQL."""
import datetime

from peewee import SQL, EnclosedNodeList, NodeList, fn

from portal.db import is_sqlite


def month_of(column):
    """SQL for 'YYYY-MM' of a date or timestamp column, with each database's native function.

    SQLite keeps dates and timestamps as ISO text ('YYYY-MM-DD…'), so the month is the first seven
    characters: the same as strftime('%Y-%m'), at a fraction of its cost over thousands of rows."""
    return fn.SUBSTR(column, 1, 7).coerce(False) if is_sqlite() else fn.to_char(column, "YYYY-MM")


def day_of(column):
    """SQL for the calendar day of a timestamp, comparable with a DateField on either database."""
    return fn.DATE(column) if is_sqlite() else column.cast("date")


def median_by(key, *columns, where=None) -> dict:
    """{key value: (median of each column, …)} over the rows matching `where`, NULLs left out; a group
    whose values are all NULL gets None for that column.

    PostgreSQL computes them with percentile_cont. SQLite has no percentile aggregate:
    it counts each distinct value per group (one query per column, read from an index
    when one holds the columns) and Python finds the middle of those counts, the same
    figure statistics.median gives over the values, without handing every row to Python.
    """
    model = columns[0].model
    if not is_sqlite():
        medians = [NodeList((fn.percentile_cont(0.5), SQL("WITHIN GROUP"),
                             EnclosedNodeList([NodeList((SQL("ORDER BY"), column))]))) for column in columns]
        query = model.select(key, *medians).group_by(key)
        if where is not None:
            query = query.where(where)
        return {row[0]: tuple(None if v is None else float(v) for v in row[1:]) for row in query.tuples()}
    per_column = []
    for column in columns:
        query = model.select(key, column, fn.COUNT(SQL("*"))).group_by(key, column)
        if where is not None:
            query = query.where(where)
        counts: dict = {}
        for group, value, n in query.tuples():
            pairs = counts.setdefault(group, [])  # a group whose values are all NULL is still a group
            if value is not None:
                pairs.append((value, n))
        per_column.append({group: _median_of_counts(pairs) if pairs else None for group, pairs in counts.items()})
    groups = set().union(*per_column)
    return {group: tuple(medians.get(group) for medians in per_column) for group in groups}


def _median_of_counts(pairs: list[tuple]) -> float | int:
    """The median of values given as (value, how many times), exactly as statistics.median of the values."""
    pairs = sorted(pairs)
    total = sum(n for _, n in pairs)
    wanted = [total // 2] if total % 2 else [total // 2 - 1, total // 2]  # 0-based positions of the middle
    found, seen = [], 0
    for value, n in pairs:
        while wanted and wanted[0] < seen + n:
            found.append(value)
            wanted.pop(0)
        seen += n
    return found[0] if len(found) == 1 else (found[0] + found[1]) / 2


def months_back(today: datetime.date, months: int) -> datetime.date:
    """The first day of the window of `months` calendar months that ends with `today`'s month."""
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return first


def month_keys(first: datetime.date, months: int) -> list[str]:
    """`months` labels 'YYYY-MM' from `first`'s month on, oldest first (what month_of returns)."""
    labels, day = [], first.replace(day=1)
    for _ in range(months):
        labels.append(day.strftime("%Y-%m"))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return labels


class PreparedQuery:
    """A SELECT whose SQL is built once per kind of database and shape; each call binds new values.

    Peewee takes 0.1–0.5 ms to turn a query into SQL, several times what SQLite takes to
    run a lookup by key, and a record page runs the same few lookups on every view. The
    query is built once with placeholder values standing in for the arguments, and each
    call runs its SQL with the real ones in their places, read back into models (joined
    ones too) as the query itself would be.

    `build(*args, *shape)` must use each argument only as a compared value (ints,
    strings and dates), so that any values give the same SQL; whatever else changes the query (a
    role, a flag) is passed in `shape`, a tuple: one SQL is kept for each.
    """

    def __init__(self, build):
        self.build = build
        self._prepared = {}

    def __call__(self, *args, shape=()):
        """The query's rows (an iterator of models) for these values."""
        query, cursor = self._run(args, shape)
        return iter(query._get_cursor_wrapper(cursor))

    def execute(self, *args, shape=()):
        """Run a write (an INSERT, UPDATE or DELETE built the same way) for these values; its cursor."""
        return self._run(args, shape)[1]

    def _run(self, args, shape):
        """(the built query, the cursor of its SQL run with these values)."""
        from portal.db import db

        key = (type(db.obj), shape)
        if key not in self._prepared:
            self._prepared[key] = self._prepare(args, shape)
        query, sql, slots = self._prepared[key]
        return query, db.execute_sql(sql, [args[slot] if isinstance(slot, int) else slot[0] for slot in slots])

    def first(self, *args, shape=()):
        """The first row for these values, or None (build the query with `.limit(1)`)."""
        return next(self(*args, shape=shape), None)

    def _prepare(self, args, shape):
        built = []
        # Built twice, with other placeholders: a query whose SQL follows its values is refused
        # (a guard against misuse, not a proof: pass whatever changes the SQL in `shape`).
        for variant in (0, 1):
            placeholders = [_placeholder(n, value, variant) for n, value in enumerate(args)]
            query = self.build(*placeholders, *shape)
            sql, params = query.sql()
            # Each parameter is either an argument's slot or a constant of the query, kept as (value,).
            built.append((query, sql, [placeholders.index(p) if _is_placeholder(p, placeholders) else (p,)
                                       for p in params]))
        if built[0][1:] != built[1][1:]:
            raise ValueError("PreparedQuery: the query's SQL changes with its arguments; pass what changes it in shape")
        return built[0]


_BINDABLE = (int, str, datetime.date)


def _placeholder(n: int, value, variant: int):
    """A value of the argument's type that no query holds by chance."""
    if type(value) not in _BINDABLE:
        raise TypeError(f"PreparedQuery binds ints, strings and dates, not {type(value).__name__}")
    if isinstance(value, int):  # the two variants differ in parity, length and ending
        return -2_000_000_017 - 101 * variant - n
    if isinstance(value, datetime.date):
        return datetime.date(1111 + 111 * variant, 1 + variant, 1) + datetime.timedelta(days=n)
    return f"\x1fprepared-{n}\x1f" if variant == 0 else f"\x1fprepared, second build, argument {n}"


def _is_placeholder(param, placeholders) -> bool:
    return type(param) in _BINDABLE and param in placeholders
