"""Project registration: requests, governance rules, approval, the project page and its team."""
from flask import Blueprint

bp = Blueprint("projects", __name__, url_prefix="/projects")

# Pages that hang off a project, as (endpoint taking `ref`, label); each shows once its feature is registered.
SECTIONS = [("status.index", "Status reports"), ("risks.index", "Risks"), ("issues.index", "Issues"),
            ("helpdesk.project_tickets", "Tickets"), ("documents.index", "Documents"),
            ("discussion.index", "Discussion"), ("activity.project_feed", "Activity"),
            ("lessons.project_page", "Benefits & lessons"),
            ("resources.project_page", "Team allocations"),
            ("milestones.project_page", "Milestones"), ("compliance.project_page", "Compliance"),
            ("decisions.project_page", "Decisions"), ("changes.project_page", "Changes"),
            ("gates.project_page", "Phase and gates"), ("closure.report", "Closure")]

from portal.projects import permissions, views  # noqa: E402,F401
