"""The phase model as data (validated, versioned) and where each project stands in it: no compliance import here,
so the compliance checks may read phases while gate criteria read compliance."""
import datetime
import json

from portal.audit.services import record
from portal.db import db, utcnow
from portal.gates.models import PhaseModel, ProjectPhase
from portal.projects.models import Project
from portal.projects.rules import FIELD_LABELS

DEFAULT_MODEL = {
    "phases": [
        {"key": "initiate", "name": "Initiate", "max_days": 60},
        {"key": "plan", "name": "Plan", "max_days": 90},
        {"key": "execute", "name": "Execute", "max_days": 540},
        {"key": "close", "name": "Close", "max_days": 60},
    ],
    # Keyed by the phase the gate leads into.
    "gates": {
        "plan": {"checklist": ["Sponsor confirmed the objectives", "Stakeholders identified"],
                 "documents": ["management"], "fields": ["business_case", "sponsor"],
                 "compliance": ["business_case"], "sponsor_decides": True},
        "execute": {"checklist": ["Plan and schedule agreed", "Team booked"], "documents": ["plans"],
                    "fields": ["budget", "end_date"], "compliance": ["risk_review"], "sponsor_decides": False},
        "close": {"checklist": ["Deliverables accepted by the sponsor"], "documents": ["deliverables"],
                  "fields": ["benefits"], "compliance": [], "sponsor_decides": True},
    },
}
DOCUMENT_FOLDERS = ("management", "plans", "deliverables", "meetings", "other")
COMPLIANCE_KEYS = ("business_case", "report_on_time", "risk_review", "high_risks_handled", "standards_ack",
                   "allocations")


class ModelError(ValueError):
    """A phase model that cannot be accepted; `messages` lists each problem."""

    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = messages


def _names(value, allowed, where, problems):
    if not isinstance(value, list) or any(not isinstance(v, str) or v not in allowed for v in value):
        problems.append(f"{where} may list only: {', '.join(allowed)}.")
        return []
    return list(dict.fromkeys(value))


def validate_model(data) -> dict:
    """The model in canonical form, or ModelError listing every problem."""
    problems = []
    if not isinstance(data, dict):
        raise ModelError(["The phase model must be an object with 'phases' and 'gates'."])
    phases_in = data.get("phases")
    if not isinstance(phases_in, list) or len(phases_in) < 2 or len(phases_in) > 12:
        raise ModelError(["'phases' must list 2 to 12 phases in order."])
    phases, keys = [], []
    for i, p in enumerate(phases_in, 1):
        p = p if isinstance(p, dict) else {}
        key, name, days = p.get("key"), p.get("name"), p.get("max_days")
        if not isinstance(key, str) or not key.isidentifier() or len(key) > 32 or key in keys:
            problems.append(f"phase {i}: 'key' must be a unique short name of letters, digits and _.")
            continue
        if not isinstance(name, str) or not 0 < len(name.strip()) <= 60:
            problems.append(f"phase {i}: 'name' must be 1 to 60 characters.")
            continue
        if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3650):
            problems.append(f"phase {i}: 'max_days' must be a number of days from 1 to 3650, or left out.")
            days = None
        keys.append(key)
        phases.append({"key": key, "name": name.strip(), "max_days": days})
    gates_in = data.get("gates", {})
    gates = {}
    if not isinstance(gates_in, dict):
        problems.append("'gates' must map a phase key to its gate's criteria.")
        gates_in = {}
    for key, spec in gates_in.items():
        if key not in keys[1:]:
            problems.append(f"gate {key!r}: a gate leads into a phase after the first; known: {', '.join(keys[1:])}.")
            continue
        spec = spec if isinstance(spec, dict) else {}
        checklist = spec.get("checklist", [])
        if not isinstance(checklist, list) or any(not isinstance(c, str) or not 0 < len(c) <= 200 for c in checklist):
            problems.append(f"gate {key}: 'checklist' must be a list of items of 1 to 200 characters.")
            checklist = []
        gates[key] = {"checklist": checklist[:30],
                      "documents": _names(spec.get("documents", []), DOCUMENT_FOLDERS, f"gate {key} documents", problems),
                      "fields": _names(spec.get("fields", []), tuple(FIELD_LABELS), f"gate {key} fields", problems),
                      "compliance": _names(spec.get("compliance", []), COMPLIANCE_KEYS, f"gate {key} compliance",
                                           problems),
                      "sponsor_decides": bool(spec.get("sponsor_decides", False))}
    if problems:
        raise ModelError(problems)
    return {"phases": phases, "gates": {k: gates.get(k, {"checklist": [], "documents": [], "fields": [],
                                                          "compliance": [], "sponsor_decides": False})
                                         for k in keys[1:]}}


def current_model() -> tuple[int, dict]:
    """(version number, model) in force: the newest saved, or version 0 = the defaults."""
    row = PhaseModel.select().order_by(PhaseModel.number.desc()).first()
    return (row.number, json.loads(row.body)) if row else (0, validate_model(DEFAULT_MODEL))


def save_model(data, actor, comment: str = "") -> PhaseModel:
    """Store a new version of the phase model; projects keep the phase names they were in (history is copied)."""
    model = validate_model(data)
    with db.atomic():
        number, _ = current_model()
        row = PhaseModel.create(number=number + 1, body=json.dumps(model), comment=comment[:255],
                                saved_by=actor.id if actor else None)
        record(actor, "phase_model.save", "phase_model", row.id, comment or f"Saved phase model {row.number}",
               after=model)
    return row


def phase_of(model: dict, key: str) -> dict | None:
    return next((p for p in model["phases"] if p["key"] == key), None)


def next_phase(model: dict, key: str) -> dict | None:
    """The phase after `key` in `model`, or None at the last phase (or a key the model no longer has)."""
    keys = [p["key"] for p in model["phases"]]
    return model["phases"][keys.index(key) + 1] if key in keys and keys.index(key) + 1 < len(keys) else None


def current_phases(project_ids, model=None) -> dict:
    """{project id: {key, name, entered, max_days}} for each project (one query); a project without history is in
    the model's first phase since its start."""
    model = model or current_model()[1]
    ids = list(project_ids)
    out = {}
    if not ids:
        return out
    for pid, key, name, entered, days in (ProjectPhase.select(ProjectPhase.project, ProjectPhase.phase_key,
                                                              ProjectPhase.phase_name, ProjectPhase.entered_at,
                                                              ProjectPhase.max_days)
                                          .where(ProjectPhase.project.in_(ids) & ProjectPhase.left_at.is_null())
                                          .tuples()):
        out[pid] = {"key": key, "name": name, "entered": entered.date() if entered else None, "max_days": days}
    first = model["phases"][0]
    missing = [i for i in ids if i not in out]
    if missing:
        for pid, start, submitted in (Project.select(Project.id, Project.start_date, Project.submitted_at)
                                      .where(Project.id.in_(missing)).tuples()):
            out[pid] = {"key": first["key"], "name": first["name"], "max_days": first["max_days"],
                        "entered": start or (submitted.date() if submitted else None)}
    return out


def days_in_phase(phase: dict, today: datetime.date) -> int | None:
    return (today - phase["entered"]).days if phase.get("entered") else None


def enter_phase(project_id: int, model_number: int, model: dict, from_key: str, to: dict, when=None) -> None:
    """Close the open phase row (writing the first one when the project had none) and open `to` (in a transaction)."""
    when = when or utcnow()
    open_row = ProjectPhase.get_or_none((ProjectPhase.project == project_id) & ProjectPhase.left_at.is_null())
    if open_row is None:
        start = Project.select(Project.start_date).where(Project.id == project_id).scalar()
        first = phase_of(model, from_key) or model["phases"][0]
        entered = datetime.datetime.combine(start, datetime.time()) if start else when
        ProjectPhase.create(project=project_id, phase_key=first["key"], phase_name=first["name"],
                            max_days=first["max_days"], model_number=model_number, entered_at=min(entered, when),
                            left_at=when)
    else:
        ProjectPhase.update(left_at=when).where(ProjectPhase.id == open_row.id).execute()
    ProjectPhase.create(project=project_id, phase_key=to["key"], phase_name=to["name"], max_days=to["max_days"],
                        model_number=model_number, entered_at=when)


def history(project) -> list[ProjectPhase]:
    """The project's phases, first to current."""
    return list(ProjectPhase.select().where(ProjectPhase.project == project.id)
                .order_by(ProjectPhase.entered_at, ProjectPhase.id))
