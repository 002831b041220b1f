"""Demo status reports: 12 periods of history for the demo's active projects, 25,000 for the benchmark."""
import datetime
from decimal import Decimal

from portal.db import db, utcnow
from portal.projects.models import Project
from portal.status.models import DIMENSIONS, RAGS, StatusReport
from portal.status.periods import latest_due, previous_period_end

REASONS = {"amber": ["Supplier delivery slipped two weeks.", "Two key people on leave this month.",
                     "Change request under review.", "Test environment unstable."],
           "red": ["Critical path blocked by the vendor.", "Forecast overspend of 15 %.",
                   "Scope grew beyond the approved baseline.", "No developer since the lead left."]}
NOTES = ["Completed the design review; sign-off from the sponsor.", "Pilot site live; feedback gathered.",
         "Data migration rehearsal passed.", "Training material drafted for **all** user groups."]


def _walk(rng, rag: str) -> str:
    """The next period's RAG: mostly the same, sometimes one step better or worse."""
    roll = rng.random()
    i = RAGS.index(rag)
    if roll < 0.12:
        i = min(2, i + 1)
    elif roll < 0.30:
        i = max(0, i - 1)
    return RAGS[i]


def _history(project, count: int, today, rng, skip_latest: bool) -> list[dict]:
    """`count` reports for `project`, oldest first, ending at the period due today (or the one before)."""
    end = latest_due(project.reporting_cadence, today)
    if skip_latest:
        end = previous_period_end(project.reporting_cadence, end)
    ends = []
    for _ in range(count):
        ends.append(end)
        end = previous_period_end(project.reporting_cadence, end)
    ends.reverse()
    rags = {d: rng.choice(["green", "green", "green", "amber"]) for d in ("overall", *DIMENSIONS)}
    drift, rows = 0, []
    budget = project.budget or Decimal(100000)
    planned = project.end_date or today + datetime.timedelta(days=180)
    for n, period_end in enumerate(ends, 1):
        rags = {d: _walk(rng, r) for d, r in rags.items()}
        rags["overall"] = max((rags[d] for d in DIMENSIONS), key=RAGS.index) if rng.random() < 0.7 else rags["overall"]
        drift += rng.choice([0, 0, 0, 7, 14]) if rags["schedule"] != "green" else 0
        percent = min(100, round(100 * n / (count + rng.randint(2, 10))))
        late = rng.random() < 0.15
        submitted = datetime.datetime.combine(period_end, datetime.time(15)) + datetime.timedelta(
            days=rng.randint(1, 4) if late else 0)
        submitted = min(submitted, utcnow())  # the report due today may have been written this morning
        row = {"project": project.id, "period_end": period_end, "percent_complete": percent,
               "forecast_finish": planned + datetime.timedelta(days=drift),
               "spent_to_date": (budget * Decimal(percent) / 100 * Decimal(rng.uniform(0.85, 1.2))).quantize(Decimal("1")),
               "accomplishments": rng.choice(NOTES), "next_steps": "Prepare the next milestone review.",
               "blockers": "" if rags["overall"] == "green" else rng.choice(REASONS["amber"]), "decisions": "",
               "submitted_by": project.manager_id, "submitted_at": submitted, "updated_by": project.manager_id,
               "updated_at": submitted, "version": 1}
        for d, rag in rags.items():
            row[f"rag_{d}"] = rag
            row[f"reason_{d}"] = rng.choice(REASONS[rag]) if rag != "green" else ""
        rows.append(row)
    return rows


def _insert(rows):
    with db.atomic():
        for start in range(0, len(rows), 400):
            StatusReport.insert_many(rows[start:start + 400]).execute()


def demo_status(scale, rng) -> str:
    """Demo reports: small (idempotent) always; the 25,000-report benchmark set with --scale large."""
    today = utcnow().date()
    lines = []
    demo = list(Project.select().where((Project.state == "active") & ~Project.name.startswith("Bench project ")
                                       & ~Project.id.in_(StatusReport.select(StatusReport.project))))
    rows = []
    for i, project in enumerate(demo):
        rows += _history(project, 12, today, rng, skip_latest=(i % 2 == 1))  # every other one is overdue
    _insert(rows)
    lines.append(f"status: {len(rows)} demo report(s) for {len(demo)} active project(s)")
    if scale == "large":
        lines.append(f"status: {_large(today, rng)} benchmark report(s)")
    return "\n".join(lines)


def _large(today, rng, total: int = 25_000) -> int:
    bench = list(Project.select().where(Project.name.startswith("Bench project ")
                                        & Project.state.in_(("active", "on_hold", "closed"))
                                        & ~Project.id.in_(StatusReport.select(StatusReport.project)))
                 .order_by(Project.id))
    if not bench:
        return 0
    rows = []
    per, extra = divmod(total, len(bench))
    for i, project in enumerate(bench):
        rows += _history(project, per + (1 if i < extra else 0), today, rng, skip_latest=rng.random() < 0.1)
    _insert(rows)
    return len(rows)
