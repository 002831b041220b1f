"""Gate reviews: the criteria evaluated, the request, and the decision that alone moves a project on a phase."""
import datetime
import json

from peewee import JOIN

from portal.audit.services import record
from portal.auth.models import User
from portal.compliance.services import evaluate, load_check
from portal.db import db, utcnow
from portal.documents.models import FOLDERS, Document
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.gates.models import GateReview
from portal.gates.phases import current_model, current_phases, enter_phase, next_phase
from portal.notify.services import notify
from portal.permissions import can
from portal.projects.models import Project
from portal.projects.rules import FIELD_LABELS
from portal.projects.workflow import lock

Requester = User.alias("requester")
PERSON_FIELDS = ("sponsor", "manager", "compliance_owner")


def next_gate(project) -> dict | None:
    """{model_number, model, from (phase), to (phase), gate (criteria)} for the project's next gate, or None."""
    number, model = current_model()
    phase = current_phases([project.id], model)[project.id]
    to = next_phase(model, phase["key"])
    if to is None:
        return None
    return {"model_number": number, "model": model, "from": phase, "to": to, "gate": model["gates"][to["key"]]}


def evaluate_criteria(project, gate: dict, ticked=(), today=None) -> list[dict]:
    """Each criterion of `gate` for `project`: {kind, label, met, detail}; the checklist is what the manager ticked."""
    today = today or datetime.date.today()
    out = [{"kind": "checklist", "label": item, "met": item in ticked, "detail": "confirmed" if item in ticked
            else "not confirmed"} for item in gate["checklist"]]
    if gate["documents"]:
        present = {f for (f,) in Document.select(Document.folder).where(
            (Document.project == project.id) & Document.deleted_at.is_null()
            & Document.folder.in_(gate["documents"])).distinct().tuples()}
        out += [{"kind": "document", "label": f"A document in {FOLDERS.get(f, f)}", "met": f in present,
                 "detail": "present" if f in present else "missing"} for f in gate["documents"]]
    for name in gate["fields"]:
        value = getattr(project, name + "_id" if name in PERSON_FIELDS else name)
        filled = value is not None and (not isinstance(value, str) or value.strip() != "")
        out.append({"kind": "field", "label": f"{FIELD_LABELS[name]} filled in", "met": filled,
                    "detail": "filled" if filled else "empty"})
    if gate["compliance"]:
        [facts] = evaluate(Project.select().where(Project.id == project.id), today) or [{"results": []}]
        results = {c.key: (passed, reason) for c, passed, reason in facts["results"]}
        for key in gate["compliance"]:
            check = load_check(key)
            passed, reason = results.get(key, (True, "This check is switched off."))
            out.append({"kind": "compliance", "label": check.label if check else key, "met": passed,
                        "detail": reason})
    return out


def request_review(project, actor, ticked, note: str = "") -> GateReview:
    """Ask for the next gate's review; refused while a criterion is unmet or a review is already open."""
    if not can(actor, "gates.request", project):
        raise NotAllowed("Only the project's manager, a deputy and the PMO ask for a gate review.")
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput({"note": "Use at most 2,000 characters."})
    gate = next_gate(project)
    if gate is None:
        raise InvalidInput({"note": "The project is in the last phase: there is no gate left."})
    ticked = [t for t in ticked if t in gate["gate"]["checklist"]]
    results = evaluate_criteria(project, gate["gate"], ticked)
    unmet = [r["label"] for r in results if not r["met"]]
    if unmet:
        raise InvalidInput({"note": "Not ready for the gate: " + "; ".join(unmet) + "."})
    with db.atomic():
        lock(project.id)
        if GateReview.select().where((GateReview.project == project.id) & (GateReview.state == "requested")).exists():
            raise Conflict("A review of this gate is already waiting for a decision.")
        review = GateReview.create(
            project=project.id, model_number=gate["model_number"], from_key=gate["from"]["key"],
            from_name=gate["from"]["name"], to_key=gate["to"]["key"], to_name=gate["to"]["name"],
            sponsor_decides=gate["gate"]["sponsor_decides"], note=note, results=json.dumps(results),
            requested_by=actor.id)
        record(actor, "gate.request", "gate", review.id, f"Gate review asked: {review.from_name} → {review.to_name}",
               after={"to": review.to_key, "note": note}, project=project)
        deciders = [u for (u,) in User.select(User.id).where(User.role.in_(("pmo", "admin")) & User.active).tuples()]
        if review.sponsor_decides and project.sponsor_id:
            deciders.append(project.sponsor_id)
        notify([d for d in deciders if d != actor.id], f"{project.ref} asks to pass the gate into {review.to_name}.",
               f"/projects/{project.ref}/gates/")
    return review


DECISIONS = {"pass": "passed", "return": "returned", "reject": "rejected"}


def decide(project, actor, review_id: int, decision: str, comment: str, expected_version: int) -> GateReview:
    """Pass (the project enters the next phase), return or reject a gate review; a comment is required but to pass."""
    state = DECISIONS.get(decision)
    if state is None:
        raise InvalidInput({"comment": "Choose pass, return or reject."})
    comment = (comment or "").strip()
    if state != "passed" and not comment:
        raise InvalidInput({"comment": "Say what is missing or why the gate is refused."})
    if len(comment) > 2000:
        raise InvalidInput({"comment": "Use at most 2,000 characters."})
    with db.atomic():
        fresh = lock(project.id)
        review = load_review(fresh, review_id)
        if review.state != "requested":
            raise Conflict(f"This gate review was {review.state} already.")
        if not can(actor, "gates.decide", review):
            raise NotAllowed("Gate reviews are decided by the PMO, and by the sponsor where the phase model says so.")
        now = utcnow()
        if not review.save_if_current(expected_version, state=state, decided_by=actor.id, decided_at=now,
                                      comment=comment):
            raise Conflict("Someone decided this review after you opened it; reload to see it.")
        if state == "passed":
            number, model = current_model()
            to = {"key": review.to_key, "name": review.to_name,
                  "max_days": next((p["max_days"] for p in model["phases"] if p["key"] == review.to_key), None)}
            enter_phase(fresh.id, number, model, review.from_key, to, now)
        record(actor, f"gate.{state}", "gate", review.id, f"Gate into {review.to_name} {state}"
               + (f": {comment}" if comment else ""), before={"state": "requested"}, after={"state": state},
               project=fresh)
        notify([u for u in (review.requested_by_id, fresh.manager_id) if u != actor.id],
               f"{fresh.ref}: the gate into {review.to_name} was {state}.", f"/projects/{fresh.ref}/gates/")
    return GateReview.get_by_id(review_id)


def load_review(project, review_id: int) -> GateReview:
    review = GateReview.get_or_none((GateReview.id == review_id) & (GateReview.project == project.id))
    if review is None:
        raise NotFound("No such gate review on this project.")
    review.project = project
    return review


def reviews(project) -> list[GateReview]:
    """The project's gate reviews, newest first, with who asked (one query)."""
    rows = list(GateReview.select(GateReview, Requester).join(Requester, on=(GateReview.requested_by == Requester.id))
                .where(GateReview.project == project.id).order_by(GateReview.requested_at.desc(), GateReview.id.desc()))
    for r in rows:
        r.project = project
        r.criteria = json.loads(r.results or "[]")
    return rows


def waiting(user, limit: int = 100) -> list:
    """Gate reviews awaiting a decision on the projects `user` may see, oldest first."""
    return list(GateReview.select(GateReview, Project.code, Project.name.alias("project_name"),
                                  Requester.name.alias("requester_name"))
                .join(Project, on=(GateReview.project == Project.id))
                .join(Requester, JOIN.LEFT_OUTER, on=(GateReview.requested_by == Requester.id), src=GateReview)
                .where((GateReview.state == "requested")
                       & GateReview.project.in_(Project.visible_to(user).select(Project.id)))
                .order_by(GateReview.requested_at, GateReview.id).limit(limit).objects())
