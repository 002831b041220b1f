"""The fields of each kind of record the API returns: names are part of the contract, so they only grow."""
from portal.api.registry import Field as F
from portal.risks.models import band


def _latest(name):
    return lambda p: getattr(p.latest, name) if p.latest else None


ME = [F("id", "integer", nullable=False), F("name", "string", nullable=False), F("email", "string", nullable=False),
      F("role", "string", nullable=False), F("token_name", "string", source="token.name", nullable=False),
      F("token_prefix", "string", "The first characters of the token.", source="token.prefix", nullable=False),
      F("token_expires_at", "date-time", source="token.expires_at", nullable=False)]

PROJECT = [
    F("id", "integer", nullable=False), F("code", "string", "Null while a request is a draft."),
    F("ref", "string", "The key in the project's URL: its code, or DRAFT-<id>.", nullable=False),
    F("name", "string", nullable=False), F("state", "string", nullable=False), F("summary", "string"),
    F("department", "string"), F("category", "string"), F("strategic_objective", "string"),
    F("manager_id", "integer", nullable=False), F("manager_name", "string"), F("sponsor_id", "integer"),
    F("start_date", "date"), F("end_date", "date"), F("budget", "number"), F("score", "number"),
    F("reporting_cadence", "string"), F("created_at", "date-time"), F("submitted_at", "date-time"),
    F("updated_at", "date-time"),
    F("latest_period_end", "date", "Period end of the latest status report.", _latest("period_end")),
    F("latest_rag", "string", "Overall RAG of the latest status report.", _latest("rag_overall")),
    F("latest_rag_schedule", "string", source=_latest("rag_schedule")),
    F("latest_rag_budget", "string", source=_latest("rag_budget")),
    F("latest_rag_scope", "string", source=_latest("rag_scope")),
    F("latest_rag_resources", "string", source=_latest("rag_resources")),
    F("latest_percent_complete", "integer", source=_latest("percent_complete")),
    F("latest_forecast_finish", "date", source=_latest("forecast_finish")),
]

REPORT = [
    F("id", "integer", nullable=False), F("project_id", "integer", nullable=False), F("project_code", "string"),
    F("period_end", "date", nullable=False), F("rag_overall", "string"), F("rag_schedule", "string"),
    F("rag_budget", "string"), F("rag_scope", "string"), F("rag_resources", "string"),
    F("reason_overall", "string"), F("reason_schedule", "string"), F("reason_budget", "string"),
    F("reason_scope", "string"), F("reason_resources", "string"), F("percent_complete", "integer"),
    F("forecast_finish", "date"), F("spent_to_date", "number"),
    F("accomplishments", "string", "Markdown."), F("next_steps", "string", "Markdown."),
    F("blockers", "string", "Markdown."), F("decisions", "string", "Markdown."),
    F("submitted_by_name", "string"), F("submitted_at", "date-time"), F("updated_at", "date-time"),
]

RISK = [
    F("id", "integer", nullable=False), F("project_id", "integer", nullable=False), F("project_code", "string"),
    F("title", "string", nullable=False), F("description", "string"), F("category", "string"),
    F("probability", "integer"), F("impact", "integer"), F("score", "integer"),
    F("band", "string", "high, medium or low.", lambda r: band(r.score) or None),
    F("residual_probability", "integer"), F("residual_impact", "integer"), F("residual_score", "integer"),
    F("owner_id", "integer"), F("owner_name", "string"), F("response", "string"), F("mitigation", "string"),
    F("contingency", "string"), F("trigger", "string"), F("review_date", "date"), F("status", "string"),
    F("escalated", "boolean"), F("created_at", "date-time"), F("updated_at", "date-time"),
]

ISSUE = [
    F("id", "integer", nullable=False), F("project_id", "integer", nullable=False), F("project_code", "string"),
    F("title", "string", nullable=False), F("description", "string"), F("priority", "integer"),
    F("owner_id", "integer"), F("owner_name", "string"), F("due_date", "date"), F("status", "string"),
    F("resolution", "string"), F("risk_id", "integer", "The risk this issue came from."),
    F("created_at", "date-time"), F("updated_at", "date-time"),
]

MILESTONE = [
    F("id", "integer", nullable=False), F("project_id", "integer", nullable=False), F("project_code", "string"),
    F("name", "string", nullable=False), F("due_date", "date", nullable=False), F("forecast_date", "date"),
    F("done", "boolean", nullable=False), F("depends_on_id", "integer", "A milestone of another project it waits on."),
    F("updated_at", "date-time"),
]

DEPENDENCY = [
    F("milestone_id", "integer", source="id", nullable=False), F("milestone_name", "string", source="name"),
    F("due_date", "date"), F("done", "boolean"), F("project_code", "string", source="code"),
    F("predecessor_id", "integer", source="pred_id", nullable=False),
    F("predecessor_name", "string", source="pred_name"), F("predecessor_due_date", "date", source="pred_due"),
    F("predecessor_forecast_date", "date", source="pred_forecast"),
    F("predecessor_done", "boolean", source="pred_done"),
    F("predecessor_project_code", "string", source="pred_code"),
    F("predecessor_rag", "string", "Latest overall RAG of the predecessor's project.", source="pred_rag"),
    F("at_risk_reasons", "strings", "slip (the predecessor's forecast is past this due date) and/or red.",
      source="reasons", nullable=False),
]

ALLOCATION = [
    F("id", "integer", nullable=False), F("person_id", "integer", nullable=False), F("person_name", "string"),
    F("project_id", "integer", nullable=False), F("project_code", "string"), F("role", "string"),
    F("percent", "integer", nullable=False), F("start_date", "date", nullable=False),
    F("end_date", "date", nullable=False), F("note", "string"), F("created_at", "date-time"),
]

TICKET = [
    F("number", "integer", nullable=False), F("reference", "string", "e.g. PMO-1042.", nullable=False),
    F("subject", "string", nullable=False), F("body", "string", "Markdown."), F("category", "string"),
    F("priority", "string"), F("status", "string"), F("requester_id", "integer"), F("requester_name", "string"),
    F("assignee_id", "integer"), F("assignee_name", "string"), F("project_code", "string"),
    F("created_at", "date-time"), F("updated_at", "date-time"), F("first_response_at", "date-time"),
    F("first_response_due", "date-time"), F("resolution_due", "date-time"), F("resolved_at", "date-time"),
    F("closed_at", "date-time"), F("rating", "integer"),
]

REPLY = [F("id", "integer", nullable=False), F("author_name", "string", source="author.name"),
         F("body", "string", "Markdown."), F("internal", "boolean", "An internal note (PMO staff only).",
                                             nullable=False),
         F("created_at", "date-time")]

ARTICLE = [
    F("id", "integer", nullable=False), F("section", "string", nullable=False), F("slug", "string", nullable=False),
    F("title", "string", nullable=False), F("summary", "string"), F("tags", "strings", source="tag_list",
                                                                    nullable=False),
    F("owner", "string"), F("audience", "string"), F("doc_version", "string"), F("review_by", "date"),
    F("mandatory", "boolean"), F("training_path", "string"), F("updated_at", "date-time"),
    F("url", "string", "The article's page.", lambda a: f"/kb/{a.section}/{a.slug}"),
]

LESSON = [
    F("id", "integer", nullable=False), F("project_id", "integer", nullable=False), F("project_code", "string"),
    F("project_name", "string"), F("category", "string"), F("went_well", "string"), F("to_improve", "string"),
    F("recommendation", "string"), F("author_id", "integer"), F("created_at", "date-time"),
]

KPI_MONTH = [F("month", "string", "YYYY-MM.", nullable=False), F("intake_decisions", "integer"),
             F("intake_days", "number"), F("reports", "integer"), F("reports_on_time_pct", "number"),
             F("rag_green", "integer"), F("rag_amber", "integer"), F("rag_red", "integer"),
             F("compliance_avg", "number"), F("tickets_resolved", "integer"), F("sla_pct", "number"),
             F("median_first_response_h", "number"), F("deflections", "integer"),
             F("training_completions", "integer"), F("acknowledgements", "integer"), F("article_views", "integer")]

KPI_RATES = [F("training_pct", "number", "Training modules completed by active people, percent."),
             F("ack_pct", "number", "Mandatory standards acknowledged at their current version, percent.")]
