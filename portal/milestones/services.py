"""Milestones: keeping them, finding dependants at risk, the chains across projects, and the once-only alerts."""
from flask import abort
from peewee import IntegrityError

from portal.audit.services import record
from portal.db import db, utcnow
from portal.errors import Stale
from portal.milestones.models import Milestone, MilestoneAlert
from portal.notify.outbox import notify_and_mail
from portal.projects.models import Project
from portal.projects.services import codes_visible_to
from portal.status.models import StatusReport
from portal.webhooks.events import emit

Pred = Milestone.alias("pred")
PredProject = Project.alias("pred_project")
COLUMNS = ("id", "name", "due_date", "done", "project_id", "code", "project_name", "manager_id",
           "pred_id", "pred_name", "pred_due", "pred_forecast", "pred_done", "pred_project_id", "pred_code",
           "pred_project_name", "pred_manager_id", "pred_rag")


def _latest_rag(project_column):
    return (StatusReport.select(StatusReport.rag_overall).where(StatusReport.project == project_column)
            .order_by(StatusReport.period_end.desc()).limit(1))


def edges(where=None) -> list[dict]:
    """Every dependency (a milestone and the milestone it waits on) matching `where`, with both projects
    and the predecessor project's latest overall RAG, in one query."""
    query = (Milestone.select(Milestone.id, Milestone.name, Milestone.due_date, Milestone.done, Project.id,
                              Project.code, Project.name, Project.manager, Pred.id, Pred.name, Pred.due_date,
                              Pred.forecast_date, Pred.done, PredProject.id, PredProject.code, PredProject.name,
                              PredProject.manager, _latest_rag(PredProject.id))
             .join(Project, on=(Milestone.project == Project.id))
             .join(Pred, on=(Milestone.depends_on == Pred.id), src=Milestone)
             .join(PredProject, on=(Pred.project == PredProject.id), src=Pred))
    if where is not None:
        query = query.where(where)
    rows = [dict(zip(COLUMNS, row, strict=False)) for row in query.order_by(PredProject.code, Pred.due_date, Milestone.id).tuples()]
    for row in rows:
        row["reasons"] = reasons(row)
    return rows


def reasons(row) -> list[str]:
    """Why the dependant is at risk: its predecessor's forecast slipped past its due date ("slip"),
    or the predecessor's project is red ("red"); nothing once either milestone is done."""
    if row["done"] or row["pred_done"]:
        return []
    out = []
    if (row["pred_forecast"] or row["pred_due"]) > row["due_date"]:
        out.append("slip")
    if row["pred_rag"] == "red":
        out.append("red")
    return out


def visible_edges(user) -> list[dict]:
    """Dependencies between projects `user` can see."""
    visible = Project.visible_to(user).select(Project.id)
    return edges(Project.id.in_(visible) & PredProject.id.in_(visible))


def chains(rows: list[dict]) -> list[dict]:
    """From the edges, each first milestone of a chain with everything downstream of it, depth first:
    [{root: edge-like dict, downstream: [(depth, edge)]}]; answers "if X slips, who else slips"."""
    by_pred, has_pred = {}, {r["id"] for r in rows}
    for r in rows:
        by_pred.setdefault(r["pred_id"], []).append(r)
    out = []
    for pred_id, children in by_pred.items():
        if pred_id in has_pred:
            continue  # not the head of a chain: it shows under its own predecessor
        downstream, stack, seen = [], [(1, c) for c in reversed(children)], set()
        while stack:
            depth, edge = stack.pop()
            if edge["id"] in seen:
                continue
            seen.add(edge["id"])
            downstream.append((depth, edge))
            stack.extend((depth + 1, c) for c in reversed(by_pred.get(edge["id"], [])))
        out.append({"root": children[0], "downstream": downstream,
                    "at_risk": sum(1 for _, e in downstream if e["reasons"])})
    return sorted(out, key=lambda c: (-c["at_risk"], c["root"]["pred_code"], c["root"]["pred_due"]))


def project_milestones(project) -> list[Milestone]:
    """The project's milestones by due date."""
    return list(Milestone.select().where(Milestone.project == project.id).order_by(Milestone.due_date, Milestone.id))


def predecessor_choices(user, project) -> list[tuple[int, str]]:
    """Open milestones of other active projects `user` can see, as select choices."""
    visible = Project.visible_to(user).select(Project.id)
    rows = (Milestone.select(Milestone.id, Project.code, Milestone.name, Milestone.due_date)
            .join(Project, on=(Milestone.project == Project.id))
            .where(Project.id.in_(visible) & (Project.id != project.id) & (Milestone.done == False)  # noqa: E712
                   & Project.state.in_(("approved", "active", "on_hold")))
            .order_by(Project.code, Milestone.due_date).tuples())
    return [(0, "— nothing —")] + [(mid, f"{code}: {name} (due {due.isoformat()})") for mid, code, name, due in rows]


def add_milestone(project, user, values: dict) -> Milestone:
    """Add a milestone to `project` (a predecessor must be another project's, visible to `user`)."""
    if values["depends_on"] and values["depends_on"] not in dict(predecessor_choices(user, project)):
        abort(400, description="That milestone cannot be chosen.")
    with db.atomic():
        milestone = Milestone.create(project=project.id, updated_by=user.id, **values)
        record(user, "milestone.add", "milestone", milestone.id, f"Added milestone {milestone.name}",
               after={k: values[k] for k in values}, project=project)
        alert_at_risk(utcnow(), Milestone.id == milestone.id)
    return milestone


def update_forecast(project, user, milestone_id: int, version: int, forecast, done: bool) -> Milestone:
    """Move the forecast or mark done; raises Stale when someone saved first; dependants newly at risk are told."""
    with db.atomic():
        milestone = Milestone.get_or_none((Milestone.id == milestone_id) & (Milestone.project == project.id))
        if milestone is None:
            abort(404)
        before = {"forecast_date": milestone.forecast_date, "done": milestone.done}
        if not milestone.save_if_current(version, forecast_date=forecast, done=done, updated_at=utcnow(),
                                         updated_by=user.id):
            raise Stale()
        record(user, "milestone.forecast", "milestone", milestone.id, f"Updated milestone {milestone.name}",
               before=before, after={"forecast_date": forecast, "done": done}, project=project)
        alert_at_risk(utcnow(), Milestone.depends_on == milestone.id)
    return milestone



def _alert_text(r, reason, seen) -> str:
    """The alert for one manager: a milestone of a project they may not see stays unnamed."""
    def name(milestone, code):
        return f"{milestone} ({code})" if code in seen else "a milestone of another project"
    if reason == "slip":
        return (f"{name(r['name'], r['code'])}, due {r['due_date'].isoformat()}, is at risk: "
                f"{name(r['pred_name'], r['pred_code'])} is now expected "
                f"{(r['pred_forecast'] or r['pred_due']).isoformat()}.")
    return (f"{name(r['name'], r['code'])}, due {r['due_date'].isoformat()}, is at risk: "
            f"it waits on {name(r['pred_name'], r['pred_code'])}, whose project is red.")


def alert_at_risk(now, where=None, dry_run: bool = False) -> list[str]:
    """Tell both managers once per (dependant, predecessor, reason) found at risk; returns one line per alert."""
    rows = [r for r in edges(where) if r["reasons"]]
    if not rows:
        return []
    sent = set(MilestoneAlert.select(MilestoneAlert.milestone, MilestoneAlert.predecessor, MilestoneAlert.reason)
               .where(MilestoneAlert.milestone.in_([r["id"] for r in rows])).tuples())
    lines = []
    for r in rows:
        for reason in r["reasons"]:
            if (r["id"], r["pred_id"], reason) in sent:
                continue
            line = f"milestones: {r['code']} '{r['name']}' at risk ({reason}) because of {r['pred_code']}"
            if dry_run:
                lines.append(line + " [dry run]")
                continue
            try:
                with db.atomic():
                    MilestoneAlert.create(milestone=r["id"], predecessor=r["pred_id"], reason=reason, sent_at=now)
                    for manager_id in dict.fromkeys((r["manager_id"], r["pred_manager_id"])):
                        if manager_id is None:
                            continue
                        seen = codes_visible_to(manager_id, {r["code"], r["pred_code"]})
                        notify_and_mail([manager_id], _alert_text(r, reason, seen),
                                        f"/projects/{(r['code'] if r['code'] in seen else r['pred_code'])}/milestones/")
                    emit("milestone.at_risk", _alert_text(r, reason, {r["code"], r["pred_code"]}),
                         f"/projects/{r['code']}/milestones/",
                         {"project": r["code"], "milestone": r["name"], "due_date": r["due_date"],
                          "reason": "predecessor slipped" if reason == "slip" else "predecessor's project is red",
                          "waits_on_project": r["pred_code"], "waits_on": r["pred_name"],
                          "waits_on_forecast": r["pred_forecast"] or r["pred_due"]})
            except IntegrityError:
                continue  # another run sent it first
            lines.append(line)
    return lines


def dependency_alerts(now, dry_run: bool = False) -> list[str]:
    """The `portal remind` step: catch dependants put at risk by red reports or slips not yet alerted."""
    return alert_at_risk(now, None, dry_run)
