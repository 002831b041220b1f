"""Demo projects: a hand-made portfolio in every state, and 1,000 projects for the benchmark."""
import datetime
from decimal import Decimal

from portal.auth.models import User
from portal.db import db, next_number, utcnow
from portal.projects.models import Approval, Project, ProjectMember, Transition
from portal.projects.rules import approvers_needed, current_rules

# (name, category, department, manager, sponsor, budget, state, members, summary)
PORTFOLIO = [
    ("Customer portal relaunch", "Digital", "Marketing", "manager3", "executive", 420000, "active",
     ["member3", "member"], "Replace the ageing customer portal with a self-service site."),
    ("Warehouse scanning upgrade", "Infrastructure", "Operations", "manager", "executive2", 180000, "active",
     ["member", "member4"], "New handheld scanners and Wi-Fi across both warehouses."),
    ("GDPR records retention", "Regulatory", "Legal", "manager", "executive", 95000, "active",
     ["member", "member2"], "Apply the retention schedule to every system holding personal data."),
    ("Finance close automation", "Process improvement", "Finance", "manager2", "executive2", 120000, "active",
     ["member2"], "Cut month-end close from eight days to four."),
    ("Field service scheduling", "Digital", "Operations", "manager", "executive", 260000, "on_hold",
     ["member4"], "Route planning for field engineers; paused until the ERP upgrade lands."),
    ("Office move Lyon", "Infrastructure", "Operations", "manager", "executive2", 75000, "closed",
     ["member"], "Move the Lyon team to the new building."),
    ("Brand refresh", "Strategic", "Marketing", "manager3", "executive", 150000, "approved",
     ["member3"], "New visual identity across web, print and stores."),
    ("Supplier risk scoring", "Regulatory", "Finance", "manager2", "executive2", 60000, "in_review",
     [], "Score suppliers for financial and compliance risk each quarter."),
    ("Data platform consolidation", "Strategic", "IT", "manager", "executive", 900000, "submitted",
     [], "Move the three reporting databases onto one platform."),
    ("Onboarding handbook", "Process improvement", "HR", "manager3", None, 15000, "returned",
     [], "One handbook and checklist for every new starter."),
    ("Chatbot for HR questions", "Digital", "HR", "manager2", "executive2", 40000, "rejected",
     [], "Answer common HR questions automatically."),
    ("Print fleet renewal", "Infrastructure", "IT", "manager", "executive2", 30000, "cancelled",
     [], "Replace the office printers; cancelled when the lease was extended."),
    ("Sales forecasting model", "Digital", "Sales", "manager", None, 55000, "draft",
     [], "Forecast quarterly sales by region from the CRM pipeline."),
    ("ISO 27001 certification", "Regulatory", "IT", "manager2", "executive", 300000, "in_review",
     ["member4"], "Certify the information security management system."),
    ("Energy use dashboard", "Process improvement", "Operations", "manager", None, 20000, "submitted",
     [], "Monthly energy use per site, visible to site managers."),
]
PATHS = {
    "draft": [], "submitted": ["submitted"], "in_review": ["submitted", "in_review"],
    "returned": ["submitted", "returned"], "approved": ["submitted", "in_review", "approved"],
    "rejected": ["submitted", "in_review", "rejected"], "active": ["submitted", "in_review", "approved", "active"],
    "on_hold": ["submitted", "in_review", "approved", "active", "on_hold"],
    "closed": ["submitted", "in_review", "approved", "active", "closed"], "cancelled": ["submitted", "cancelled"],
}
COMMENTS = {"submitted": "Submitted for review", "in_review": "Review started", "approved": "Approved",
            "active": "Kick-off held", "on_hold": "Waiting for the ERP upgrade", "closed": "Delivered; lessons logged",
            "returned": "Please add the rollout plan and costs per site", "rejected": "Covered by the HR system upgrade",
            "cancelled": "Lease extended; no longer needed"}


def _history(project_id, state, manager_id, pmo_id, exec_id, start, kinds):
    """Transition and approval rows that lead a project to `state`."""
    transitions, approvals, previous, at = [], [], "draft", start
    for step in PATHS[state]:
        at += datetime.timedelta(days=3)
        actor = manager_id if step in ("submitted", "active", "on_hold", "closed", "cancelled") else pmo_id
        transitions.append({"project": project_id, "actor": actor, "at": at, "from_state": previous,
                            "to_state": step, "comment": COMMENTS[step]})
        if step == "approved":
            approvals += [{"project": project_id, "review_round": 1, "kind": k, "at": at, "comment": "",
                           "approver": exec_id if k == "executive" else pmo_id} for k in kinds]
        previous = step
    return transitions, approvals


def _code(year: int) -> str:
    return f"PRJ-{year}-{next_number(f'project-{year}'):03d}"


def small_portfolio(rng) -> int:
    """The hand-made portfolio (idempotent); returns how many projects were added."""
    if Project.select().where(Project.name == PORTFOLIO[0][0]).exists():
        return 0
    people = {u.email.split("@")[0]: u for u in User.select().where(User.email.endswith("@demo.pmo"))}
    rules = current_rules()
    today = utcnow()
    with db.atomic():
        for i, (name, category, dept, mgr, sponsor, budget, state, members, summary) in enumerate(PORTFOLIO):
            created = today - datetime.timedelta(days=120 - i * 7)
            start = (created + datetime.timedelta(days=30)).date()
            project = Project.create(
                code=_code(created.year) if state != "draft" else None, name=name, summary=summary,
                business_case=f"{summary} Expected payback within three years.", category=category,
                department=dept, requester=people[mgr], manager=people[mgr],
                sponsor=people[sponsor] if sponsor else None,
                compliance_owner=people["pmo2"] if category == "Regulatory" else None,
                strategic_objective="Operational excellence" if category != "Strategic" else "Growth in new markets",
                start_date=start, end_date=start + datetime.timedelta(days=240), budget=Decimal(budget),
                benefits="Lower cost to serve; happier customers.", known_risks="Supplier delays; staff availability.",
                reporting_cadence=rng.choice(["weekly", "fortnightly", "monthly"]), state=state,
                review_round=0 if state == "draft" else 1, created_at=created,
                submitted_at=None if state == "draft" else created + datetime.timedelta(days=3),
                score=round(rng.uniform(2.2, 4.6), 2) if state not in ("draft", "submitted", "returned") else None,
                closing_note=COMMENTS["closed"] if state == "closed" else "")
            for member in members:
                ProjectMember.create(project=project, user=people[member])
            transitions, approvals = _history(project.id, state, people[mgr].id, people["pmo"].id,
                                              people["executive"].id, created, approvers_needed(rules, budget))
            if transitions:
                Transition.insert_many(transitions).execute()
            if approvals:
                Approval.insert_many(approvals).execute()
    return len(PORTFOLIO)


def large_portfolio(rng) -> int:
    """1,000 benchmark projects with teams and history, inserted in bulk."""
    if Project.select().where(Project.name.startswith("Bench project ")).exists():
        return 0
    users = list(User.select(User.id, User.role, User.department).where(User.email.endswith("@bench.pmo")).tuples())
    managers = [u for u in users if u[1] == "manager"]
    members = [u[0] for u in users if u[1] == "member"]
    pmo = next(u[0] for u in users if u[1] == "pmo")
    execs = [u[0] for u in users if u[1] == "executive"]
    categories = list(current_rules()["categories"])
    states = ["active"] * 50 + ["on_hold"] * 8 + ["closed"] * 15 + ["approved"] * 5 + ["submitted"] * 6 + \
        ["in_review"] * 6 + ["returned"] * 3 + ["rejected"] * 3 + ["cancelled"] * 2 + ["draft"] * 2
    base = utcnow() - datetime.timedelta(days=900)
    rows = []
    with db.atomic():
        for i in range(1000):
            manager, _, dept = rng.choice(managers)
            state = rng.choice(states)
            created = base + datetime.timedelta(days=i * 0.85)
            start = (created + datetime.timedelta(days=rng.randint(10, 60))).date()
            rows.append({"code": None if state == "draft" else _code(created.year), "name": f"Bench project {i:04d}",
                         "summary": f"Benchmark project {i} for {dept}.", "business_case": "", "requester": manager,
                         "manager": manager, "sponsor": rng.choice(execs), "compliance_owner": None,
                         "department": dept, "category": rng.choice(categories), "strategic_objective": "",
                         "start_date": start, "end_date": start + datetime.timedelta(days=rng.randint(60, 720)),
                         "budget": Decimal(rng.randrange(5, 2000) * 1000), "benefits": "", "known_risks": "",
                         "reporting_cadence": rng.choice(["weekly", "fortnightly", "monthly"]), "state": state,
                         "score": round(rng.uniform(1.5, 4.8), 2), "review_round": 0 if state == "draft" else 1,
                         "closing_note": "", "created_at": created, "updated_at": created, "version": 1,
                         "submitted_at": None if state == "draft" else created + datetime.timedelta(days=2)})
        for start in range(0, len(rows), 200):
            Project.insert_many(rows[start:start + 200]).execute()
        ids = dict(Project.select(Project.name, Project.id).where(Project.name.startswith("Bench project ")).tuples())
        team, history = [], []
        for row in rows:
            pid = ids[row["name"]]
            team += [{"project": pid, "user": uid, "added_at": row["created_at"]} for uid in rng.sample(members, rng.randint(2, 6))]
            history += _history(pid, row["state"], row["manager"], pmo, row["sponsor"], row["created_at"], ["pmo"])[0]
        for start in range(0, len(team), 500):
            ProjectMember.insert_many(team[start:start + 500]).execute()
        for start in range(0, len(history), 500):
            Transition.insert_many(history[start:start + 500]).execute()
    return len(rows)


def demo_projects(scale: str, rng) -> str:
    """The DEMO_STEPS entry for projects."""
    line = f"projects: {small_portfolio(rng)} demo project(s) added"
    if scale == "large":
        line += f", {large_portfolio(rng)} benchmark project(s) added"
    return line
