"""Importing projects, and risks and issues per project, from a spreadsheet: plan (every row checked, nothing
written), then run the whole plan in one transaction. A re-import with the same codes updates."""
import re
from dataclasses import dataclass, field

from peewee import fn

from portal.audit.services import record
from portal.auth.models import User
from portal.db import Counter, db, is_sqlite, utcnow
from portal.errors import InvalidInput, NotFound
from portal.imports.fields import FIELDS, CellError, convert, guess_mapping
from portal.imports.models import ImportUpload
from portal.imports.reading import read_table
from portal.permissions import permission
from portal.projects.models import Project, Transition
from portal.projects.rules import current_rules
from portal.projects.services import MANAGER_ROLES
from portal.risks.models import ISSUE_STATUSES, RISK_STATUSES, Issue, Risk

CHUNK = 400  # rows per INSERT: well inside SQLite's limit on bound parameters
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
GENERATED_CODE = re.compile(r"PRJ-(\d{4})-(\d+)")
REF = re.compile(r"([RI])-(\d{1,9})", re.IGNORECASE)
KEEP_UPLOADS = 24 * 3600  # seconds an unconfirmed upload is kept


@permission("imports.run", "Importing from spreadsheets is for PMO staff and admins.")
def _may_import(user, obj):
    return user.role in ("pmo", "admin")


@dataclass
class Plan:
    """What an import would do: the rows as values, and every problem found, by spreadsheet row."""

    kind: str
    headers: list
    mapping: dict
    records: list = field(default_factory=list)  # (row number, values)
    errors: list = field(default_factory=list)  # (row number or 0, message)
    creates: int = 0
    updates: int = 0

    def error(self, row: int, message: str) -> None:
        self.errors.append((row, message))


def people_index() -> dict:
    """{lower-cased e-mail or full name: (id, role)} of active people; a name two people share is "ambiguous"."""
    found = {}
    for uid, email, name, role in User.select(User.id, User.email, User.name, User.role).where(User.active).tuples():
        found[email.lower()] = (uid, role)
        key = name.strip().lower()
        found[key] = "ambiguous" if key in found and found[key] != (uid, role) else (uid, role)
    return found


def _mapping_problems(plan: Plan) -> bool:
    columns = len(plan.headers)
    for f in FIELDS[plan.kind]:
        column = plan.mapping.get(f.name)
        if column is not None and not 0 <= column < columns:
            plan.mapping[f.name] = None
        if f.required and plan.mapping.get(f.name) is None:
            plan.error(0, f"Choose the column that holds “{f.label}”.")
    return bool(plan.errors)


def _values(plan: Plan, number: int, row: list, people: dict) -> dict | None:
    """One row's values by field (only mapped fields), or None when a cell is wrong (errors recorded)."""
    out, ok = {}, True
    for f in FIELDS[plan.kind]:
        column = plan.mapping.get(f.name)
        if column is None:
            continue
        cell = row[column] if column < len(row) else None
        try:
            value = convert(f, cell, people)
        except CellError as exc:
            plan.error(number, f"{f.label}: {exc}.")
            ok = False
            continue
        if f.required and value in (None, ""):
            plan.error(number, f"{f.label} is empty.")
            ok = False
        out[f.name] = value
    return out if ok else None


def bulk_insert(model, rows: list[dict]) -> None:
    """INSERT `rows` (dicts with the same keys) through the driver's executemany: peewee builds SQL per row,
    which for ten thousand rows costs seconds; values still pass through each field's db_value."""
    if not rows:
        return
    given = [model._meta.fields[name] for name in rows[0]]
    defaults = [f for f in model._meta.sorted_fields
                if f.name not in rows[0] and f.default is not None and not f.primary_key]
    fields = given + defaults
    table = model._meta.table_name
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    fixed = [f.default() if callable(f.default) else f.default for f in defaults]
    values = [tuple([f.db_value(row[f.name]) for f in given] + [f.db_value(v) for f, v in zip(defaults, fixed,
                                                                                             strict=True)])
              for row in rows]
    cursor = db.cursor()
    if is_sqlite():
        marks = ", ".join("?" for _ in fields)
        cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', values)
    else:
        from psycopg2.extras import execute_values
        execute_values(cursor, f'INSERT INTO "{table}" ({columns}) VALUES %s', values, page_size=500)


def bulk_update(model, rows: list[dict]) -> None:
    """UPDATE each row (dicts with `id` and the same other keys) through the driver, version bumped."""
    if not rows:
        return
    fields = [model._meta.fields[name] for name in rows[0] if name != "id"]
    mark = "?" if is_sqlite() else "%s"
    sets = ", ".join([f'"{f.column_name}" = {mark}' for f in fields] + ['"version" = "version" + 1'])
    sql = f'UPDATE "{model._meta.table_name}" SET {sets} WHERE "id" = {mark}'
    values = [tuple(f.db_value(row[f.name]) for f in fields) + (row["id"],) for row in rows]
    cursor = db.cursor()
    if is_sqlite():
        cursor.executemany(sql, values)
    else:
        from psycopg2.extras import execute_batch
        execute_batch(cursor, sql, values, page_size=200)


def _chunks(items, size=CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- projects ------------------------------------------------------------------

def plan_projects(headers, rows, mapping, people=None) -> Plan:
    """Check every row of a projects file; nothing is written."""
    plan = Plan("projects", headers, dict(mapping))
    if _mapping_problems(plan):
        return plan
    people = people if people is not None else people_index()
    categories = set(current_rules()["categories"])
    seen = {}
    for number, row in rows:
        values = _values(plan, number, row, people)
        if values is None:
            continue
        code, problems = values["code"], []
        if not CODE.fullmatch(code):
            problems.append(f"Code “{code[:30]}” may hold only letters, digits and . _ / -.")
        elif code.upper() in seen:
            problems.append(f"Code {code} is also on row {seen[code.upper()]}; each project once per file.")
        seen.setdefault(code.upper(), number)
        if values.get("manager") and values["manager"][1] not in MANAGER_ROLES:
            problems.append("Manager must hold the manager, PMO or admin role in the portal.")
        if values.get("category") and values["category"] not in categories:
            problems.append(f"Category “{values['category'][:40]}” is not one the PMO has set "
                            f"({', '.join(sorted(categories))}).")
        if values.get("start_date") and values.get("end_date") and values["end_date"] < values["start_date"]:
            problems.append("End date is before the start date.")
        for message in problems:
            plan.error(number, message)
        if not problems:
            plan.records.append((number, values))
    existing = _existing_codes([v["code"] for _, v in plan.records])
    plan.updates = sum(1 for _, v in plan.records if v["code"].upper() in existing)
    plan.creates = len(plan.records) - plan.updates
    return plan


def _existing_codes(codes) -> dict:
    """{upper-cased code: project id} for the codes already in the portal."""
    found = {}
    for chunk in _chunks(list(codes)):
        for pid, code in Project.select(Project.id, Project.code).where(Project.code.in_(chunk)).tuples():
            found[code.upper()] = pid
    # Codes differing only in case are the same project to a spreadsheet.
    upper = [c.upper() for c in codes if c.upper() not in found]
    for chunk in _chunks(upper):
        for pid, code in (Project.select(Project.id, Project.code)
                          .where(Project.code.is_null(False) & fn.UPPER(Project.code).in_(chunk)).tuples()):
            found[code.upper()] = pid
    return found


def _project_columns(values: dict) -> dict:
    out = {k: v for k, v in values.items() if k not in ("manager", "sponsor", "state", "code")}
    for person in ("manager", "sponsor"):
        if person in values:
            out[person] = values[person][0] if values[person] else None
    return out


def run_projects(plan: Plan, actor, filename: str = "") -> tuple[int, int]:
    """Create and update every project of a checked plan in one transaction; returns (created, updated)."""
    if plan.errors:
        raise InvalidInput("The file has problems; nothing was imported.")
    now, actor_id = utcnow(), getattr(actor, "id", None)
    with db.atomic():
        existing = _existing_codes([v["code"] for _, v in plan.records])
        new_rows, updated = [], 0
        for _, values in plan.records:
            columns = _project_columns(values)
            pid = existing.get(values["code"].upper())
            if pid is None:
                manager = columns["manager"]
                new_rows.append({"code": values["code"], "name": columns["name"], "manager": manager,
                                 "requester": manager, "sponsor": columns.get("sponsor"),
                                 "department": columns.get("department") or "",
                                 "category": columns.get("category") or "", "start_date": columns.get("start_date"),
                                 "end_date": columns.get("end_date"), "budget": columns.get("budget"),
                                 "summary": columns.get("summary") or "",
                                 "reporting_cadence": columns.get("reporting_cadence") or "monthly",
                                 "state": values.get("state") or "active", "review_round": 1, "submitted_at": now,
                                 "created_at": now, "updated_at": now, "updated_by": actor_id})
                continue
            changes = {getattr(Project, k): ("" if v is None and k in ("department", "category", "summary") else v)
                       for k, v in columns.items() if not (k == "reporting_cadence" and v is None)}
            changes.update({Project.version: Project.version + 1, Project.updated_at: now,
                            Project.updated_by: actor_id})
            Project.update(changes).where(Project.id == pid).execute()
            updated += 1
        bulk_insert(Project, new_rows)
        created_ids = _existing_codes([r["code"] for r in new_rows])
        history = [{"project": created_ids[r["code"].upper()], "actor": actor_id, "at": now, "from_state": "approved",
                    "to_state": r["state"], "comment": f"Imported from {filename or 'a spreadsheet'}"[:255]}
                   for r in new_rows]
        bulk_insert(Transition, history)
        _advance_code_counters([r["code"] for r in new_rows])
        record(actor, "import.projects", "import", filename[:60] or "file",
               f"Imported projects from {filename or 'a spreadsheet'}: {len(new_rows)} created, {updated} updated")
    return len(new_rows), updated


def _advance_code_counters(codes) -> None:
    """Codes shaped like the portal's own (PRJ-2026-014) move the year's counter past them, so a later
    request is never given a code an import already took."""
    highest = {}
    for code in codes:
        match = GENERATED_CODE.fullmatch(code)
        if match:
            name = f"project-{match.group(1)}"
            highest[name] = max(highest.get(name, 0), int(match.group(2)))
    for name, value in highest.items():
        Counter.insert(name=name, value=0).on_conflict_ignore().execute()
        Counter.update(value=value).where((Counter.name == name) & (Counter.value < value)).execute()


# --- risks and issues ----------------------------------------------------------------

def _risk_problems(values: dict, is_issue: bool, current) -> list[str]:
    problems = []
    statuses = ISSUE_STATUSES if is_issue else RISK_STATUSES
    if values.get("status") and values["status"] not in statuses:
        problems.append(f"Status {values['status'].replace('_', ' ')} does not apply to "
                        f"{'an issue' if is_issue else 'a risk'} ({', '.join(s.replace('_', ' ') for s in statuses)}).")
    if not is_issue and current is None:
        for name, label in (("probability", "Probability"), ("impact", "Impact")):
            if values.get(name) is None:
                problems.append(f"{label} is empty; a new risk needs a probability and an impact from 1 to 5.")
    return problems


def plan_risks(headers, rows, mapping, people=None) -> Plan:
    """Check every row of a risks-and-issues file; nothing is written."""
    plan = Plan("risks", headers, dict(mapping))
    if _mapping_problems(plan):
        return plan
    people = people if people is not None else people_index()
    checked = []
    for number, row in rows:
        values = _values(plan, number, row, people)
        if values is not None:
            checked.append((number, values))
    codes = {v["project"].upper() for _, v in checked}
    projects = {}
    for chunk in _chunks(list(codes)):
        for pid, code, manager in (Project.select(Project.id, Project.code, Project.manager)
                                   .where(Project.code.is_null(False) & fn.UPPER(Project.code).in_(chunk)).tuples()):
            projects[code.upper()] = (pid, manager)
    known = _existing_risks([p for p, _ in projects.values()])
    seen = {}
    for number, values in checked:
        project = projects.get(values["project"].upper())
        if project is None:
            plan.error(number, f"There is no project with the code {values['project'][:30]} "
                               "(import the projects first).")
            continue
        is_issue = values.get("type") == "issue"
        kind = "I" if is_issue else "R"
        current, problems = None, []
        if values.get("ref"):
            match = REF.fullmatch(values["ref"])
            current = known["ids"].get((kind, int(match.group(2)))) if match and match.group(1).upper() == kind \
                else None
            if current is None or current[0] != project[0]:
                problems.append(f"{'Issue' if is_issue else 'Risk'} {values['ref'][:20]} is not one of "
                                f"{values['project']}'s {'issues' if is_issue else 'risks'}.")
        else:
            found = known["titles"].get((kind, project[0], values["title"].strip().lower()))
            current = (project[0], found) if found else None
        key = (kind, project[0], current[1] if current else values["title"].strip().lower())
        if key in seen:
            problems.append(f"The same {'issue' if is_issue else 'risk'} is also on row {seen[key]}.")
        seen.setdefault(key, number)
        problems += _risk_problems(values, is_issue, current)
        for message in problems:
            plan.error(number, message)
        if not problems:
            values.update(_project_id=project[0], _manager=project[1], _id=current[1] if current else None,
                          _issue=is_issue)
            plan.records.append((number, values))
    plan.updates = sum(1 for _, v in plan.records if v["_id"])
    plan.creates = len(plan.records) - plan.updates
    return plan


def _existing_risks(project_ids) -> dict:
    """Risks and issues of these projects: by (kind, id) -> (project id, id), and by (kind, project, title)."""
    ids, titles = {}, {}
    for chunk in _chunks(project_ids):
        for model, kind in ((Risk, "R"), (Issue, "I")):
            for rid, pid, title in model.select(model.id, model.project, model.title).where(
                    model.project.in_(chunk)).tuples():
                ids[(kind, rid)] = (pid, rid)
                titles.setdefault((kind, pid, title.strip().lower()), rid)
    return {"ids": ids, "titles": titles}


RISK_COLUMNS = ("title", "description", "category", "probability", "impact", "owner", "response", "mitigation",
                "contingency", "trigger", "review_date", "status")
ISSUE_COLUMNS = ("title", "description", "priority", "owner", "due_date", "status", "resolution")
TEXT_COLUMNS = {"description", "mitigation", "contingency", "trigger", "resolution"}


def run_risks(plan: Plan, actor, filename: str = "") -> tuple[int, int]:
    """Create and update every risk and issue of a checked plan in one transaction; returns (created, updated)."""
    if plan.errors:
        raise InvalidInput("The file has problems; nothing was imported.")
    now, actor_id = utcnow(), getattr(actor, "id", None)
    new_risks, new_issues, risk_updates, issue_updates, updated = [], [], [], [], 0
    with db.atomic():
        for _, values in plan.records:
            is_issue = values["_issue"]
            model, columns = (Issue, ISSUE_COLUMNS) if is_issue else (Risk, RISK_COLUMNS)
            given = {k: values[k] for k in columns if k in values}
            if "owner" in given:
                given["owner"] = given["owner"][0] if given["owner"] else None  # new: the manager; else: kept
            given.update({k: "" for k in TEXT_COLUMNS if k in given and given[k] is None})
            if values["_id"]:
                (issue_updates if is_issue else risk_updates).append({"id": values["_id"], **given})
                updated += 1
                continue
            row = {"project": values["_project_id"], "owner": given.get("owner") or values["_manager"],
                   "title": given["title"], "description": given.get("description") or "",
                   "status": given.get("status") or "open", "created_at": now, "created_by": actor_id,
                   "updated_at": now, "updated_by": actor_id}
            if is_issue:
                row.update(priority=given.get("priority") or 3, due_date=given.get("due_date"),
                           resolution=given.get("resolution") or "")
                new_issues.append(row)
            else:
                row.update(category=given.get("category") or "other", probability=given["probability"],
                           impact=given["impact"], score=given["probability"] * given["impact"],
                           response=given.get("response") or "mitigate", mitigation=given.get("mitigation") or "",
                           contingency=given.get("contingency") or "", trigger=given.get("trigger") or "",
                           review_date=given.get("review_date"))
                new_risks.append(row)
        bulk_insert(Risk, new_risks)
        bulk_insert(Issue, new_issues)
        bulk_update(Risk, _complete(Risk, risk_updates, now, actor_id))
        bulk_update(Issue, _complete(Issue, issue_updates, now, actor_id))
        record(actor, "import.risks", "import", filename[:60] or "file",
               f"Imported risks and issues from {filename or 'a spreadsheet'}: {len(new_risks)} risk(s) and "
               f"{len(new_issues)} issue(s) created, {updated} updated")
    return len(new_risks) + len(new_issues), updated


# Blank cells keep what the record has for these; other blank cells clear the field.
KEEP_WHEN_BLANK = {"category", "probability", "impact", "response", "status", "priority", "owner"}


def _complete(model, updates: list[dict], now, actor_id) -> list[dict]:
    """Update rows with the same keys each: blanks in KEEP_WHEN_BLANK filled from the record, a risk's
    score worked out again, who and when stamped."""
    if not updates:
        return []
    keys = sorted({k for row in updates for k in row})
    wanted = [k for k in keys if k in KEEP_WHEN_BLANK] + (["probability", "impact"] if model is Risk else [])
    current = {}
    for chunk in _chunks([row["id"] for row in updates]):
        columns = [model.id] + [getattr(model, k) for k in dict.fromkeys(wanted)]
        for found in model.select(*columns).where(model.id.in_(chunk)).dicts():
            current[found["id"]] = found
    out = []
    for row in updates:
        full = {k: row.get(k) for k in keys}
        for k in keys:
            if k in KEEP_WHEN_BLANK and full[k] is None:
                full[k] = current[row["id"]][k]
        if model is Risk:
            full["score"] = ((full.get("probability") or current[row["id"]]["probability"])
                             * (full.get("impact") or current[row["id"]]["impact"]))
        full.update(updated_at=now, updated_by=actor_id)
        out.append(full)
    return out


PLANNERS = {"projects": plan_projects, "risks": plan_risks}
RUNNERS = {"projects": run_projects, "risks": run_risks}


def plan_file(kind: str, filename: str, data: bytes, mapping: dict | None = None) -> Plan:
    """Read and check a file; `mapping` None guesses the columns from the headers."""
    headers, rows = read_table(filename, data)
    return PLANNERS[kind](headers, rows, mapping if mapping is not None else guess_mapping(kind, headers))


def import_file(kind: str, filename: str, data: bytes, actor, mapping: dict | None = None):
    """Plan and, when every row is right, run; returns (plan, created, updated) — nothing written on problems."""
    plan = plan_file(kind, filename, data, mapping)
    if plan.errors:
        return plan, 0, 0
    created, updated = RUNNERS[kind](plan, actor, filename)
    return plan, created, updated


# --- uploads kept between preview and confirmation ---------------------------------

def store_upload(kind: str, filename: str, data: bytes, user) -> ImportUpload:
    """Keep the file in the database (any worker can read it back); older unconfirmed uploads are dropped."""
    import datetime
    with db.atomic():
        ImportUpload.delete().where(ImportUpload.created_at < utcnow() - datetime.timedelta(seconds=KEEP_UPLOADS)) \
            .execute()
        return ImportUpload.create(kind=kind, filename=filename[:255], data=data, size=len(data),
                                   uploaded_by=user.id)


def load_upload(upload_id: int, user) -> ImportUpload:
    """The upload if `user` made it (404 for anyone else's: no existence oracle)."""
    upload = ImportUpload.get_or_none((ImportUpload.id == upload_id) & (ImportUpload.uploaded_by == user.id))
    if upload is None:
        raise NotFound("This upload is gone (imported, or older than a day); upload the file again.")
    return upload


def discard_upload(upload: ImportUpload) -> None:
    with db.atomic():
        ImportUpload.delete().where(ImportUpload.id == upload.id).execute()
