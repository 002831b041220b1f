"""Acknowledging standards, completing training modules, and the PMO's views of both."""
import datetime
from dataclasses import dataclass

from peewee import JOIN, IntegrityError, fn

from portal.audit.services import record
from portal.auth.models import User
from portal.db import db
from portal.errors import InvalidInput
from portal.kb.models import ACK_ROLES, Acknowledgement, Article, TrainingCompletion
from portal.pagination import paginate
from portal.sqlfunc import PreparedQuery

# --- acknowledgements ------------------------------------------------------------

# Asked on every view of a mandatory standard: its SQL is built once.
_ACKNOWLEDGED = PreparedQuery(lambda user_id, article_id, version: Acknowledgement.select(Acknowledgement.id).where(
    (Acknowledgement.user == user_id) & (Acknowledgement.article == article_id)
    & (Acknowledgement.doc_version == version)).limit(1))


def has_acknowledged(user, article: Article) -> bool:
    """True when `user` acknowledged the article's current version."""
    return _ACKNOWLEDGED.first(user.id, article.id, article.doc_version) is not None


def acknowledge(user, article: Article) -> bool:
    """Store "read and understood version N"; False if it was already stored."""
    if not article.mandatory:
        raise ValueError("Only mandatory standards are acknowledged.")
    try:
        with db.atomic():
            Acknowledgement.create(user=user.id, article=article.id, doc_version=article.doc_version)
            record(user, "kb.acknowledge", "article", article.id, f"{article.path} version {article.doc_version}")
    except IntegrityError:
        return False
    return True


def awaiting_acknowledgement(user) -> list[Article]:
    """Mandatory standards whose current version this user has not acknowledged."""
    done = Acknowledgement.select(Acknowledgement.article).where(
        (Acknowledgement.user == user.id) & (Acknowledgement.doc_version == Article.doc_version)
        & (Acknowledgement.article == Article.id))
    return list(Article.visible().where(Article.mandatory == True, ~fn.EXISTS(done))  # noqa: E712
                .order_by(Article.title))


def ack_overview() -> list[tuple[Article, int, int]]:
    """Each mandatory standard with (acknowledged, expected) counts among managers and PMO."""
    expected = User.select().where(User.active == True, User.role.in_(ACK_ROLES)).count()  # noqa: E712
    standards = list(Article.visible().where(Article.mandatory == True).order_by(Article.title))  # noqa: E712
    counts = dict(Acknowledgement.select(Acknowledgement.article, fn.COUNT(Acknowledgement.id))
                  .join(User, on=(Acknowledgement.user == User.id))
                  .join(Article, on=(Acknowledgement.article == Article.id))
                  .where(Acknowledgement.doc_version == Article.doc_version, User.active == True,  # noqa: E712
                         User.role.in_(ACK_ROLES))
                  .group_by(Acknowledgement.article).tuples())
    return [(a, counts.get(a.id, 0), expected) for a in standards]


def ack_status_query(article: Article):
    """Everyone expected to acknowledge, with `acked_at` for the current version (None if not)."""
    acked = (Acknowledgement.select(Acknowledgement.user, Acknowledgement.at)
             .where((Acknowledgement.article == article.id) & (Acknowledgement.doc_version == article.doc_version))
             .alias("acked"))
    return (User.select(User.id, User.name, User.email, User.department, User.role, acked.c.at.alias("acked_at"))
            .join(acked, join_type=JOIN.LEFT_OUTER, on=(acked.c.user_id == User.id))
            .where(User.active == True, User.role.in_(ACK_ROLES))  # noqa: E712
            .order_by(acked.c.at.is_null(False), User.name))


ACK_CSV_COLUMNS = ["name", "email", "department", "role", "standard", "version", "acknowledged_at"]


def ack_csv_rows(article: Article):
    """The acknowledgement list of one standard as ACK_CSV_COLUMNS values, one person at a time."""
    for u in ack_status_query(article).objects().iterator():
        at = u.acked_at
        yield (u.name, u.email, u.department, u.role, article.title, article.doc_version,
               at.isoformat(sep=" ", timespec="minutes") if hasattr(at, "isoformat") else (at or ""))


# --- training -------------------------------------------------------------------

@dataclass
class PathProgress:
    """One training path: its ordered modules and how many this user finished."""

    name: str
    modules: list
    done: set

    @property
    def percent(self) -> int:
        return round(100 * len(self.done) / len(self.modules)) if self.modules else 0


def training_modules():
    """All training modules in path order."""
    return list(Article.visible().where(Article.section == "training")
                .order_by(Article.training_path, Article.module_order, Article.title))


def progress(user) -> list[PathProgress]:
    """The user's progress on every training path."""
    done = {a for (a,) in TrainingCompletion.select(TrainingCompletion.article)
            .where(TrainingCompletion.user == user.id).tuples()}
    paths: dict[str, list] = {}
    for module in training_modules():
        paths.setdefault(module.training_path or "Training", []).append(module)
    return [PathProgress(name, mods, {m.id for m in mods if m.id in done}) for name, mods in paths.items()]


def next_module(article: Article) -> Article | None:
    """The module after `article` on its training path, or None at the end of the path."""
    path = [m for m in training_modules() if (m.training_path or "Training") == (article.training_path or "Training")]
    ids = [m.id for m in path]
    if article.id not in ids:
        return None
    position = ids.index(article.id)
    return path[position + 1] if position + 1 < len(path) else None


def is_complete(user, article: Article) -> bool:
    """True when the user completed this module."""
    return TrainingCompletion.select().where(
        (TrainingCompletion.user == user.id) & (TrainingCompletion.article == article.id)).exists()


def check_quiz(quiz: list[dict], answers: dict) -> None:
    """Raise InvalidInput naming each wrong or missing answer."""
    errors = {}
    for i, q in enumerate(quiz):
        given = answers.get(f"q{i}")
        if given is None or str(given) != str(q["answer"]):
            errors[f"q{i}"] = "Not quite: read the module again and pick another answer."
    if errors:
        raise InvalidInput(errors, "Some answers are not right yet.")


def complete_module(user, article: Article, quiz: list[dict], answers: dict) -> bool:
    """Mark a module complete after its quiz (if any) is answered right; False if already done."""
    if article.section != "training":
        raise ValueError("Only training modules are completed.")
    check_quiz(quiz, answers)
    try:
        with db.atomic():
            TrainingCompletion.create(user=user.id, article=article.id)
            record(user, "kb.complete", "article", article.id, article.path)
    except IntegrityError:
        return False
    return True


def training_by_person(page: int, per_page: int = 50):
    """Active users with their completed count, most behind first, one Page at a time."""
    count = fn.COUNT(TrainingCompletion.id)
    return paginate(User.select(User, count.alias("completed"))
                    .join(TrainingCompletion, join_type=JOIN.LEFT_OUTER, on=(TrainingCompletion.user == User.id))
                    .where(User.active == True).group_by(User.id)  # noqa: E712
                    .order_by(count, User.name), page, per_page, count=False)


def training_by_department() -> list[tuple[str, int, int]]:
    """(department, people, completed modules) for active users."""
    done = (TrainingCompletion.select(TrainingCompletion.user, fn.COUNT(TrainingCompletion.id).alias("n"))
            .group_by(TrainingCompletion.user).alias("done"))
    return list(User.select(User.department, fn.COUNT(User.id), fn.COALESCE(fn.SUM(done.c.n), 0))
                .join(done, join_type=JOIN.LEFT_OUTER, on=(done.c.user_id == User.id))
                .where(User.active == True).group_by(User.department)  # noqa: E712
                .order_by(User.department).tuples())


# --- reviews --------------------------------------------------------------------

def overdue_reviews(user, everyone: bool, today: datetime.date | None = None):
    """Articles past review_by: the user's own (owner is their name or e-mail), or all for the PMO."""
    today = today or datetime.date.today()
    query = Article.visible().where(Article.review_by < today)
    if not everyone:
        query = query.where(fn.LOWER(Article.owner).in_([user.name.lower(), user.email.lower()]))
    return list(query.order_by(Article.review_by).limit(200))
