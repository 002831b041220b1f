"""What can be commented on: each target type loads its record inside the project, or 404s.

Another feature joins in with one line: `TARGETS["status_report"] = load_report_for_comments`.
A loader takes (project, target_id) and returns (label, url) for the record, or aborts with 404.
"""
from flask import abort, url_for


def _project(project, target_id):
    if target_id != project.id:
        abort(404)
    return f"{project.ref} {project.name}", url_for("discussion.index", ref=project.ref)


def _risk(project, target_id):
    from portal.risks.services import load_risk
    risk = load_risk(project, target_id)
    return f"R-{risk.id} {risk.title}", url_for("risks.detail", ref=project.ref, risk_id=risk.id)


def _status_report(project, target_id):
    from portal.status.models import StatusReport
    report = StatusReport.get_or_none((StatusReport.id == target_id) & (StatusReport.project == project.id))
    if report is None:
        abort(404)
    return (f"Status {report.period_end:%Y-%m-%d}",
            url_for("status.detail", ref=project.ref, period=report.period_end.isoformat()))


TARGETS = {"project": _project, "risk": _risk, "status_report": _status_report}


def resolve(project, target_type: str, target_id: int) -> tuple[str, str]:
    """(label, url) of the commented record; 404 for an unknown type or a record of another project."""
    loader = TARGETS.get(target_type)
    if loader is None:
        abort(404)
    return loader(project, target_id)
