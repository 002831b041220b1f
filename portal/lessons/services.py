"""Recording benefits and lessons, closing a project with its lessons, and searching lessons."""
import datetime

from flask import abort
from peewee import JOIN

from portal.audit.services import record, snapshot
from portal.auth.models import User
from portal.db import db, utcnow
from portal.errors import InvalidInput, NotAllowed, Stale
from portal.lessons.models import CATEGORIES, REVIEWS, Benefit, Lesson
from portal.pagination import paginate
from portal.permissions import can
from portal.projects.models import Project
from portal.projects.services import change_state

PER_PAGE = 20  # the results are re-sent as the reader types: a page stays near 10 KB
BENEFIT_FIELDS = {"description": 300, "measure": 200, "target": 100, "actual": 100}
LESSON_FIELDS = ("went_well", "to_improve", "recommendation")
LESSON_LIMIT = 5000


def clean_benefit(values: dict) -> dict:
    """Check benefit fields (description required); raises InvalidInput naming each bad field."""
    out, errors = {}, {}
    for name, limit in BENEFIT_FIELDS.items():
        out[name] = (values.get(name) or "").strip()
        if len(out[name]) > limit:
            errors[name] = f"Use at most {limit} characters."
    if not out["description"]:
        errors["description"] = "Say what the benefit is."
    realised = values.get("realised_on") or None
    if realised is not None and not isinstance(realised, datetime.date):
        errors["realised_on"] = "Enter a date as YYYY-MM-DD."
    out["realised_on"] = realised
    if errors:
        raise InvalidInput(errors)
    return out


def add_benefit(project, user, values: dict) -> Benefit:
    """Record a benefit with its measure, target and (once known) what was realised."""
    if not can(user, "benefits.record", project):
        raise NotAllowed("Only the project's manager and the PMO record its benefits.")
    clean = clean_benefit(values)
    with db.atomic():
        benefit = Benefit.create(project=project.id, recorded_by=user.id, **clean)
        record(user, "benefit.create", "benefit", benefit.id, f"Benefit recorded: {benefit.description}"[:255],
               after=clean, project=project)
    return benefit


def update_benefit(benefit, project, user, expected_version: int, values: dict) -> Benefit:
    """Record what was realised (or correct the benefit); Stale when someone saved since `expected_version`."""
    if not can(user, "benefits.record", project):
        raise NotAllowed("Only the project's manager and the PMO record its benefits.")
    clean = clean_benefit(values)
    with db.atomic():
        before = snapshot(benefit, tuple(clean))
        # A changed benefit is no longer what the PMO reviewed: the review starts again.
        review_reset = {"review": "", "review_note": "", "reviewed_by": None, "reviewed_at": None}
        if not benefit.save_if_current(expected_version, recorded_by=user.id, recorded_at=utcnow(),
                                       **clean, **review_reset):
            raise Stale("Someone saved this benefit after you opened it. Your changes are below, not saved.")
        record(user, "benefit.update", "benefit", benefit.id, f"Benefit updated: {clean['description']}"[:255],
               before=before, after=clean, project=project)
    return Benefit.get_by_id(benefit.id)


def review_benefit(benefit, project, user, review: str, note: str) -> None:
    """The PMO confirms or queries a benefit after closure."""
    if not can(user, "benefits.review", project):
        raise NotAllowed("The PMO reviews benefits once a project is closed.")
    note = (note or "").strip()
    if review not in REVIEWS or not review:
        raise InvalidInput({"review": "Choose confirmed or queried."})
    if len(note) > 1000:
        raise InvalidInput({"review_note": "Use at most 1,000 characters."})
    with db.atomic():
        Benefit.update(review=review, review_note=note, reviewed_by=user.id, reviewed_at=utcnow(),
                       version=Benefit.version + 1).where(Benefit.id == benefit.id).execute()
        record(user, "benefit.review", "benefit", benefit.id,
               f"Benefit {REVIEWS[review].lower()}: {benefit.description}"[:255], after={"review": review,
                                                                                       "note": note}, project=project)


def clean_lesson(values: dict) -> dict:
    """Check lesson fields: a category and at least what went well or what to improve."""
    out, errors = {}, {}
    for name in LESSON_FIELDS:
        out[name] = (values.get(name) or "").strip()
        if len(out[name]) > LESSON_LIMIT:
            errors[name] = f"Use at most {LESSON_LIMIT:,} characters."
    if not out["went_well"] and not out["to_improve"]:
        errors["to_improve"] = "Say what went well or what to improve."
    out["category"] = values.get("category") or ""
    if out["category"] not in CATEGORIES:
        errors["category"] = "Choose a category."
    if errors:
        raise InvalidInput(errors)
    return out


def add_lesson(project, user, values: dict) -> Lesson:
    """Add a lesson learned to the project."""
    if not can(user, "lessons.add", project):
        raise NotAllowed("Only the project's team, manager, sponsor and the PMO add its lessons.")
    clean = clean_lesson(values)
    with db.atomic():
        return _create_lesson(project, user, clean)


def _create_lesson(project, user, clean: dict) -> Lesson:
    lesson = Lesson.create(project=project.id, author=user.id, **clean)
    record(user, "lesson.create", "lesson", lesson.id,
           f"Lesson learned ({CATEGORIES[clean['category']]}): {clean['to_improve'] or clean['went_well']}"[:255],
           project=project)
    return lesson


def close_with_lessons(project, user, closing_note: str, values: dict):
    """Close the project and record its lessons in one transaction: both happen or neither."""
    clean = clean_lesson(values)
    if not (closing_note or "").strip():
        raise InvalidInput({"comment": "Say why: a closing note is required."})
    with db.atomic():
        closed = change_state(project, user, "closed", closing_note)
        _create_lesson(closed, user, clean)
    return closed


def benefits_of(project) -> list[Benefit]:
    """The project's benefits in the order recorded, with who recorded and reviewed them (one query)."""
    recorder, reviewer = User.alias(), User.alias()
    return list(Benefit.select(Benefit, recorder.name.alias("recorder_name"), reviewer.name.alias("reviewer_name"))
                .join(recorder, JOIN.LEFT_OUTER, on=(Benefit.recorded_by == recorder.id)).switch(Benefit)
                .join(reviewer, JOIN.LEFT_OUTER, on=(Benefit.reviewed_by == reviewer.id))
                .where(Benefit.project == project.id).order_by(Benefit.id).objects())


def load_benefit(project, benefit_id: int) -> Benefit:
    """The benefit `benefit_id` of `project`, or 404."""
    benefit = Benefit.get_or_none((Benefit.id == benefit_id) & (Benefit.project == project.id))
    if benefit is None:
        abort(404)
    return benefit


def lessons_of(project) -> list[Lesson]:
    """The project's lessons, newest first, with their authors (one query)."""
    return list(Lesson.select(Lesson, User).join(User, JOIN.LEFT_OUTER, on=(Lesson.author == User.id))
                .where(Lesson.project == project.id).order_by(Lesson.created_at.desc(), Lesson.id.desc()))


def matching_lessons(user, text: str = "", category: str = ""):
    """Lessons of every project `user` may see, matching `text` and `category`, newest first."""
    query = (Lesson.select(Lesson, Project).join(Project)
             .where(Lesson.project.in_(Project.visible_to(user).select(Project.id))))
    text = (text or "").strip()[:100]
    if text:
        query = query.where(Lesson.went_well.contains(text) | Lesson.to_improve.contains(text)
                            | Lesson.recommendation.contains(text) | Project.name.contains(text)
                            | Project.category.contains(text))
    if category in CATEGORIES:
        query = query.where(Lesson.category == category)
    return query.order_by(Lesson.created_at.desc(), Lesson.id.desc())


def search_lessons(user, text: str = "", category: str = "", page: int = 1):
    """One Page of `matching_lessons`."""
    return paginate(matching_lessons(user, text, category), page, PER_PAGE)


CSV_COLUMNS = ["project", "project_name", "category", "went_well", "to_improve", "recommendation", "author",
               "created_at"]


def lesson_rows(user, text: str = "", category: str = ""):
    """`matching_lessons` as CSV_COLUMNS values, one at a time."""
    Author = User.alias()
    query = (matching_lessons(user, text, category)
             .select(Project.code, Project.name, Lesson.category, Lesson.went_well, Lesson.to_improve,
                     Lesson.recommendation, Author.name, Lesson.created_at)
             .join(Author, JOIN.LEFT_OUTER, on=(Lesson.author == Author.id), src=Lesson).tuples())
    yield from query.iterator()
