"""Demo collaboration: documents with versions, comments with mentions, benefits and lessons."""
from flask import current_app

from portal.auth.models import User
from portal.db import db
from portal.discussion.models import Comment
from portal.discussion.services import add_comment
from portal.documents.models import Document
from portal.documents.services import start_from_template, store_content, template_files
from portal.lessons.models import Benefit, Lesson
from portal.lessons.services import add_benefit, add_lesson, review_benefit
from portal.projects.models import Project

RETENTION_CSV = ["system,record type,keep for (years)", "ERP,invoices,10", "CRM,contacts,3", "HR,payslips,6"]
LESSONS = [
    ("suppliers", "The removal firm's site visit caught the lift size early.",
     "Book the removal firm before the lease is signed.", "Start supplier selection at intake for moves."),
    ("stakeholders", "Weekly floor-plan sessions with team leads.",
     "Facilities joined too late to plan the network cabling.", "Name a facilities contact in the charter."),
]


def _person(email):
    return User.get_or_none(User.email == email)


def _document(project, user, folder, name, versions):
    """Store each (text, note) as the next version of `name` in `folder`."""
    for text, note in versions:
        store_content(project, user, folder, name, text.encode(), note, current_app.config["UPLOAD_DIR"],
                      "text/plain")


def _small(rng) -> int:
    gdpr = Project.get_or_none(Project.name == "GDPR records retention")
    lyon = Project.get_or_none(Project.name == "Office move Lyon")
    finance = Project.get_or_none(Project.name == "Finance close automation")
    manager, mei, sam = _person("manager@demo.pmo"), _person("member@demo.pmo"), _person("member2@demo.pmo")
    pmo, manager2 = _person("pmo@demo.pmo"), _person("manager2@demo.pmo")
    if not all((gdpr, lyon, finance, manager, mei, sam, pmo, manager2)):
        return 0
    rows = RETENTION_CSV
    _document(gdpr, manager, "plans", "retention-schedule.csv", [
        ("\n".join(rows[:2]) + "\n", "First draft: ERP only"),
        ("\n".join(rows[:3]) + "\n", "Added the CRM"),
        ("\n".join(rows) + "\n", "HR systems added after the legal review")])
    _document(gdpr, mei, "meetings", "steering-committee-minutes.txt", [
        ("Steering committee, 3 March\n- Scope agreed\n- Legal review by April\n", "")])
    if "project-charter.txt" in template_files(current_app.config["KNOWLEDGE_DIR"]):
        start_from_template(gdpr, manager, "project-charter.txt", current_app.config["KNOWLEDGE_DIR"],
                            current_app.config["UPLOAD_DIR"])
    _document(finance, manager2, "deliverables", "close-calendar.csv", [
        ("day,task\n1,accruals\n2,reconciliations\n", "Current eight-day close"),
        ("day,task\n1,accruals and reconciliations\n2,review\n", "Target four-day close")])
    gdpr_url = f"/projects/{gdpr.code}/discussion/"
    label = f"{gdpr.code} {gdpr.name}"
    add_comment(gdpr, manager, "project", gdpr.id, "The **retention schedule** is at version 3. "
                "@Mei Lin, can you check the HR rows against the payroll contract?", label, gdpr_url)
    add_comment(gdpr, mei, "project", gdpr.id, "Checked: payslips are six years. @Sam Carter, finance "
                "wants invoices at ten; does the ERP purge allow that?", label, gdpr_url)
    add_comment(gdpr, sam, "project", gdpr.id, "Yes, the purge job is configurable per document type.",
                label, gdpr_url)
    finance_url = f"/projects/{finance.code}/discussion/"
    add_comment(finance, manager2, "project", finance.id, "@Sam Carter please upload the new close calendar "
                "when finance has signed it off.", f"{finance.code} {finance.name}", finance_url)
    first = add_benefit(lyon, manager, {"description": "Lower rent for the Lyon team", "measure": "Rent per year",
                                        "target": "-20%", "actual": "-24%", "realised_on": None})
    add_benefit(lyon, manager, {"description": "Fewer meeting-room conflicts", "measure": "Bookings refused/month",
                                "target": "< 5", "actual": "3", "realised_on": None})
    review_benefit(first, lyon, pmo, "confirmed", "Checked against the new lease.")
    for category, well, improve, advice in LESSONS:
        add_lesson(lyon, manager, {"category": category, "went_well": well, "to_improve": improve,
                                   "recommendation": advice})
    return Document.select().count()


def _large(rng) -> int:
    """One lesson per closed benchmark project that has none, inserted in bulk."""
    have = Lesson.select(Lesson.project)
    closed = list(Project.select(Project.id, Project.manager).where((Project.state == "closed")
                                                                    & Project.id.not_in(have)).tuples())
    rows = []
    for pid, manager_id in closed:
        category, well, improve, advice = rng.choice(LESSONS)
        rows.append({"project": pid, "category": category, "went_well": well, "to_improve": improve,
                     "recommendation": advice, "author": manager_id})
    with db.atomic():
        for start in range(0, len(rows), 500):
            Lesson.insert_many(rows[start:start + 500]).execute()
    return len(rows)


def demo_collaboration(scale, rng) -> str:
    """Documents, discussion, benefits and lessons on the demo projects (idempotent)."""
    if Document.select().exists() or Comment.select().exists() or Benefit.select().exists():
        added = 0
    else:
        added = _small(rng)
    lessons = _large(rng) if scale == "large" else 0
    return f"collaboration: {added} document(s) added" + (f", {lessons} benchmark lesson(s)" if lessons else "")
