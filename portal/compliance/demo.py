"""Demo compliance: today's snapshot of every active project, and earlier months for the trend."""
import datetime

from portal.compliance.models import ComplianceSnapshot
from portal.compliance.services import active_projects, evaluate, store_snapshot
from portal.db import db, utcnow


def demo_compliance(scale: str, rng) -> str:
    """The DEMO_STEPS entry for compliance: a snapshot today and one on the first of each of five earlier months."""
    today = utcnow().date()
    results = evaluate(active_projects(), today)
    stored = store_snapshot(results, today)
    day, rows = today.replace(day=1), []
    for months_back in range(1, 6):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
        for p in results:
            rows.append({"project": p["id"], "day": day, "failing": "",
                         "score": max(0, min(100, p["score"] - rng.choice([0, 17, 17, 33]) + 8 * months_back // 5))})
    with db.atomic():
        for start in range(0, len(rows), 500):
            ComplianceSnapshot.insert_many(rows[start:start + 500]).on_conflict_ignore().execute()
    return f"compliance: {stored} project snapshot(s) today, {len(rows)} earlier"
