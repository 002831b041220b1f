"""Importing people from a CSV file: a preview with each row's problems, then all rows in one transaction.

Columns: email, name, department, role and, optionally, manager (the manager's
e-mail). A person already in the portal (same e-mail, case and spaces ignored)
is updated, never duplicated. Lookups are one query per concern, not per row.
"""
import csv
import io
import json
from dataclasses import dataclass, field

from peewee import chunked

from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.auth.models import User
from portal.auth.services import normalise_email, unknown_password_hash
from portal.config import ROLES
from portal.db import db, utcnow
from portal.errors import InvalidInput
from portal.logs import current_request_id, security_event

REQUIRED = ("email", "name", "role")
KNOWN = ("email", "name", "department", "role", "manager")
ALIASES = {"e-mail": "email", "mail": "email", "full name": "name", "manager email": "manager",
           "manager e-mail": "manager", "manager_email": "manager"}
FIELDS = ("name", "department", "role", "manager")
BATCH = 500


def email_problem(value: str) -> str | None:
    """Why `value` is not an e-mail address (plain `local@domain`, intranet domains allowed), or None."""
    local, _, domain = value.rpartition("@")
    if (not local or not domain or "." not in domain.strip(".") or any(c.isspace() for c in value)
            or domain.startswith(".") or domain.endswith(".") or ".." in domain):
        return "Enter an e-mail address such as name@example.org."
    if len(value) > 254:
        return "Use at most 254 characters for an e-mail address."
    return None


@dataclass
class Row:
    """One line of the file, what it will do and what is wrong with it."""

    line: int
    email: str
    name: str
    department: str
    role: str
    manager: str
    errors: list = field(default_factory=list)
    action: str = "create"  # create, update, unchanged
    changes: dict = field(default_factory=dict)  # field: (before, after) for an update


@dataclass
class Preview:
    """What importing the file would do; `problems` are about the file as a whole."""

    rows: list
    problems: list

    @property
    def bad_rows(self):
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.bad_rows and bool(self.rows)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a byte-order mark), else Windows-1252 as spreadsheets save it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read(text: str, max_rows: int) -> tuple[list, list]:
    """Rows and file problems from the CSV text (header line first)."""
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [f"The file is not readable as CSV: {exc}."]
    if not header:
        return [], ["The file is empty. The first line names the columns: email, name, department, role, manager."]
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        return [], [f"The first line must name the columns; missing: {', '.join(missing)} "
                    f"(found: {', '.join(h.strip() for h in header) or 'nothing'})."]
    problems = []
    unknown = [h for h in names if h not in KNOWN]
    if unknown:
        problems.append(f"Unknown column(s) {', '.join(unknown)}: use email, name, department, role, manager.")
    index = {n: names.index(n) for n in KNOWN if n in names}
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                problems.append(f"The file has more than {max_rows:,} people; split it into smaller files.")
                break
            value = {n: (cells[i].strip() if i < len(cells) else "") for n, i in index.items()}
            rows.append(Row(reader.line_num, normalise_email(value.get("email", "")), value.get("name", ""),
                            value.get("department", ""), value.get("role", "").lower(),
                            normalise_email(value.get("manager", ""))))
    except csv.Error as exc:
        problems.append(f"Line {reader.line_num} is not readable as CSV: {exc}.")
    if not rows and not problems:
        problems.append("The file names its columns but lists nobody.")
    return rows, problems


def _check_cells(row: Row, first_line: dict) -> None:
    for name in ("email", "name", "department", "role", "manager"):
        value = getattr(row, name)
        if any(not ch.isprintable() for ch in value):
            row.errors.append(f"The {name} contains a control character.")
    if not row.email:
        row.errors.append("The e-mail is missing.")
    elif problem := email_problem(row.email):
        row.errors.append(f"E-mail {row.email!r}: {problem}")
    elif row.email in first_line:
        row.errors.append(f"{row.email} is listed twice (first on line {first_line[row.email]}).")
    else:
        first_line[row.email] = row.line
    if not row.name:
        row.errors.append("The name is missing.")
    elif len(row.name) > 120:
        row.errors.append("The name is longer than 120 characters.")
    if len(row.department) > 120:
        row.errors.append("The department is longer than 120 characters.")
    if row.role not in ROLES:
        row.errors.append(f"Unknown role {row.role!r}: use one of {', '.join(ROLES)}." if row.role
                          else f"The role is missing: use one of {', '.join(ROLES)}.")
    if row.manager:
        if problem := email_problem(row.manager):
            row.errors.append(f"Manager {row.manager!r}: {problem}")
        elif row.manager == row.email:
            row.errors.append("A person cannot be their own manager.")


def _existing(emails) -> dict:
    """{e-mail: User} for the accounts among `emails`, a few queries whatever their number."""
    found = {}
    for batch in chunked(list(emails), BATCH):
        for user in User.select().where(User.email.in_(batch)):
            found[user.email] = user
    return found


def preview(text: str, config) -> Preview:
    """Read and check the whole file against the accounts in the database; changes nothing."""
    rows, problems = _read(text, config["IMPORT_MAX_ROWS"])
    first_line = {}
    for row in rows:
        _check_cells(row, first_line)
    emails = {r.email for r in rows} | {r.manager for r in rows if r.manager}
    existing = _existing(e for e in emails if e)
    managers_by_id = {u.id: u.email for u in existing.values()}
    others = {u.manager_id for u in existing.values() if u.manager_id and u.manager_id not in managers_by_id}
    for batch in chunked(list(others), BATCH):  # managers the file does not name: one query, not one a row
        managers_by_id.update(User.select(User.id, User.email).where(User.id.in_(batch)).tuples())
    for row in rows:
        if row.manager and row.manager not in existing and row.manager not in first_line:
            row.errors.append(f"Manager {row.manager} has no account and is not in this file.")
        user = existing.get(row.email)
        if user is None:
            continue
        current = {"name": user.name, "department": user.department, "role": user.role,
                   "manager": managers_by_id.get(user.manager_id, "")}
        wanted = {"name": row.name, "department": row.department, "role": row.role, "manager": row.manager}
        row.changes = {k: (current[k], wanted[k]) for k in FIELDS if current[k] != wanted[k]}
        row.action = "update" if row.changes else "unchanged"
    _check_admins_remain(rows, existing, problems)
    return Preview(rows, problems)


def _check_admins_remain(rows, existing, problems) -> None:
    demoted = {r.email for r in rows if r.email in existing and existing[r.email].role == "admin"
               and existing[r.email].active and r.role != "admin"}
    if not demoted:
        return
    admins = User.select(User.email).where((User.role == "admin") & (User.active == True))  # noqa: E712
    if not {email for (email,) in admins.tuples()} - demoted:
        problems.append("The file would leave no active admin: keep the role admin for at least one of "
                        f"{', '.join(sorted(demoted))}.")


def import_people(text: str, actor, config) -> Preview:
    """Apply the file in one transaction: all rows or none. Raises InvalidInput when any row is wrong."""
    with db.atomic():
        result = preview(text, config)
        if not result.ok:
            bad = len(result.bad_rows)
            raise InvalidInput(f"Nothing was imported: {bad} row(s) need correcting." if bad
                               else " ".join(result.problems) or "Nothing was imported: the file lists nobody.")
        now = utcnow()
        creates = [r for r in result.rows if r.action == "create"]
        updates = [r for r in result.rows if r.action == "update"]
        # One hash of a random secret nobody keeps, shared by the new accounts: argon2 is slow on purpose,
        # and each person sets their own password through an invitation or "Forgot password?".
        placeholder = unknown_password_hash() if creates else ""
        ids = {email: user.id for email, user in
               _existing({r.email for r in result.rows} | {r.manager for r in result.rows if r.manager}).items()}
        _insert_new(creates, ids, placeholder, now)
        _update_existing(updates, ids)
        new_roles = [ids[r.email] for r in updates if "role" in r.changes]
        for batch in chunked(new_roles, BATCH):  # a new role applies at once: end their sessions
            User.update(session_version=User.session_version + 1).where(User.id.in_(batch)).execute()
        _audit_rows(actor, creates, updates, ids, now)
        summary = (f"Imported people: {len(creates)} created, {len(updates)} updated, "
                   f"{result.count('unchanged')} unchanged")
        record(actor, "user.import", "user", "import", summary,
               after={"created": len(creates), "updated": len(updates), "unchanged": result.count("unchanged")})
    security_event("users_imported", summary, actor_id=getattr(actor, "id", None), accounts_created=len(creates),
                   accounts_updated=len(updates))
    return result


def _insert_new(creates, ids: dict, placeholder: str, now) -> None:
    """Insert new accounts in a few multi-row INSERTs, managers before the people who report to them.

    `ids` ({e-mail: user id}) gains the new accounts. A manager chain that never resolves
    (two new people naming each other) is inserted without managers, then set by one UPDATE per manager.
    """
    pending = list(creates)
    while pending:
        ready = [r for r in pending if not r.manager or r.manager in ids]
        late = not ready
        if late:
            ready = pending
        for batch in chunked(ready, BATCH):
            User.insert_many([(r.email, r.name, r.department, r.role, placeholder, now,
                               None if late or not r.manager else ids[r.manager]) for r in batch],
                             fields=[User.email, User.name, User.department, User.role, User.password_hash,
                                     User.created_at, User.manager]).execute()
            ids.update(User.select(User.email, User.id).where(User.email.in_([r.email for r in batch])).tuples())
        if late:
            by_manager = {}
            for r in ready:
                if r.manager:
                    by_manager.setdefault(ids[r.manager], []).append(r.email)
            for manager_id, emails in by_manager.items():
                User.update(manager=manager_id).where(User.email.in_(emails)).execute()
        done = {r.email for r in ready}
        pending = [r for r in pending if r.email not in done]


def _update_existing(updates, ids: dict) -> None:
    """Apply each changed row's values with one UPDATE … FROM (VALUES …) per 200 rows (SQLite 3.33+, PostgreSQL)."""
    param = db.param
    for batch in chunked(updates, 200):
        values, params = [], []
        for r in batch:
            values.append(f"({param}, {param}, {param}, {param}, {param})")
            params += [ids[r.email], r.name, r.department, r.role, ids[r.manager] if r.manager else None]
        db.execute_sql(
            'UPDATE "user" SET "name" = v.column2, "department" = v.column3, "role" = v.column4, '
            '"manager_id" = CAST(v.column5 AS INTEGER), "version" = "user"."version" + 1 '
            f'FROM (VALUES {", ".join(values)}) AS v WHERE "user"."id" = CAST(v.column1 AS INTEGER)', params)


def _audit_rows(actor, creates, updates, ids, now) -> None:
    """One audit event per created or changed account, written in batches."""
    request_id, actor_id = current_request_id(), getattr(actor, "id", None)

    def event(row, action, summary, before, after):
        return {"at": now, "actor": actor_id, "action": action, "object_type": "user",
                "object_id": str(ids[row.email]), "summary": summary[:255],
                "before": json.dumps(before, sort_keys=True) if before is not None else None,
                "after": json.dumps(after, sort_keys=True), "request_id": request_id}

    events = [event(r, "user.create", f"Imported {r.email} as {r.role}", None,
                    {"email": r.email, "name": r.name, "role": r.role, "department": r.department,
                     "manager": r.manager, "active": True}) for r in creates]
    events += [event(r, "user.update", f"Updated {r.email} by import",
                     {k: v[0] for k, v in r.changes.items()}, {k: v[1] for k, v in r.changes.items()})
               for r in updates]
    columns = [AuditEvent.at, AuditEvent.actor, AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id,
               AuditEvent.summary, AuditEvent.before, AuditEvent.after, AuditEvent.request_id]
    for batch in chunked(events, BATCH):
        AuditEvent.insert_many([tuple(e[c.name] for c in columns) for e in batch], fields=columns).execute()


def sample_csv() -> str:
    """A file an admin can start from."""
    return ("email,name,department,role,manager\n"
            "ada.admin@example.org,Ada Admin,PMO,admin,\n"
            "max.manager@example.org,Max Manager,Finance,manager,ada.admin@example.org\n")
