"""Adding, editing and deleting comments; finding and notifying the people they mention."""
import datetime

from flask import abort
from peewee import JOIN

from portal.audit.services import record
from portal.auth.models import User
from portal.db import db, utcnow
from portal.discussion.models import Comment
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.markdown import LIMITS
from portal.notify.services import notify
from portal.pagination import paginate
from portal.permissions import can
from portal.rendered import rendered_columns
from portal.risks.services import project_people

EDIT_WINDOW = datetime.timedelta(minutes=15)
MAX_BODY = LIMITS["comment"]
PER_PAGE = 50


def mentioned(people, body: str) -> list[int]:
    """Ids of `people` ((id, name) pairs) written as @Name in `body`, not followed by more of a word."""
    text = (body or "").lower()
    found = []
    for uid, name in people:
        token = "@" + name.lower()
        start = text.find(token)
        while start != -1:
            end = start + len(token)
            if end == len(text) or not (text[end].isalnum() or text[end] in "_-"):
                found.append(uid)
                break
            start = text.find(token, end)
    return found


def _mention_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_-."


def unresolved_mentions(people, body: str, limit: int = 10) -> list[str]:
    """The @words of `body` that start no @Name of `people` ("@xyz"), in order, each once.

    An @ counts only at the start of the text or after a space or opening bracket (so e-mail
    addresses are not mentions). One pass over the text: no regular expression.
    """
    text = body or ""
    lower = text.lower()
    names = sorted({name.lower() for _, name in people}, key=len, reverse=True)
    found: list[str] = []
    start = lower.find("@")
    while start != -1 and len(found) < limit:
        if start == 0 or text[start - 1].isspace() or text[start - 1] in "([{\"'":
            rest = lower[start + 1:start + 1 + 200]
            matched = any(rest.startswith(n) and (len(rest) == len(n) or not _mention_word_char(rest[len(n)]))
                          for n in names)
            end = start + 1
            while end < len(text) and end - start <= 60 and _mention_word_char(text[end]):
                end += 1
            word = text[start:end].rstrip(".")
            if not matched and len(word) > 1 and word not in found:
                found.append(word)
        start = lower.find("@", start + 1)
    return found


def mention_problem(project, body: str) -> str:
    """'@xyz matches nobody on this project…' for the first unresolved @word of `body`, or ''."""
    unresolved = unresolved_mentions(project_people(project), body)
    if not unresolved:
        return ""
    words = ", ".join(unresolved)
    verb = "matches" if len(unresolved) == 1 else "match"
    return (f"{words} {verb} nobody on this project. Pick a name from the list that appears as you type after @, "
            "or remove the @.")


def _clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise InvalidInput({"body": "Write something first."})
    if len(body) > MAX_BODY:
        raise InvalidInput({"body": f"Use at most {MAX_BODY:,} characters."})
    return body


def _tell_mentioned(project, author, body: str, label: str, url: str, already=()) -> int:
    ids = [uid for uid in mentioned(project_people(project), body) if uid != author.id and uid not in already]
    return notify(ids, f"{author.name} mentioned you on {label}", url)


def add_comment(project, author, target_type: str, target_id: int, body: str, label: str, url: str) -> Comment:
    """Post a comment on a record of `project`; the members it mentions are notified.

    An @word that names nobody on the project tells nobody; the page says so (`mention_problem`).
    """
    body = _clean(body)
    with db.atomic():
        comment = Comment.create(project=project.id, target_type=target_type, target_id=target_id,
                                 author=author.id, body=body)
        record(author, "comment.create", "comment", comment.id, f"Commented on {label}"[:255], project=project)
        _tell_mentioned(project, author, body, label, url)
    return comment


def may_edit(user, comment, now=None) -> bool:
    """Only its author, only within 15 minutes of posting, and not once deleted."""
    now = now or utcnow()
    return (comment.author_id == user.id and comment.deleted_at is None
            and now - comment.created_at <= EDIT_WINDOW)


def edit_comment(project, comment, user, body: str, label: str, url: str) -> Comment:
    """Change a comment within the edit window; newly mentioned members are notified."""
    if not may_edit(user, comment):
        raise NotAllowed("Comments can be changed by their author within 15 minutes of posting.")
    body = _clean(body)
    before = mentioned(project_people(project), comment.body)
    with db.atomic():
        updated = (Comment.update(body=body, edited_at=utcnow(), **rendered_columns(Comment, {"body": body}))
                   .where((Comment.id == comment.id) & Comment.deleted_at.is_null()).execute())
        if not updated:
            raise Conflict("This comment was deleted meanwhile.")
        record(user, "comment.edit", "comment", comment.id, f"Edited a comment on {label}"[:255], project=project)
        _tell_mentioned(project, user, body, label, url, already=before)
    return Comment.get_by_id(comment.id)


def delete_comment(project, comment, user, label: str) -> None:
    """Remove a comment (its author or the PMO); the thread shows that it was removed."""
    if not can(user, "collab.moderate", comment):
        raise NotAllowed("Only the author or the PMO may remove a comment.")
    with db.atomic():
        updated = (Comment.update(deleted_at=utcnow(), deleted_by=user.id)
                   .where((Comment.id == comment.id) & Comment.deleted_at.is_null()).execute())
        if not updated:
            raise Conflict("This comment was removed already.")
        record(user, "comment.delete", "comment", comment.id, f"Removed a comment on {label}"[:255], project=project)


def thread(project, target_type: str, target_id: int, page: int = 1):
    """One page of a record's comments, oldest first, with their authors (one query), as a Page."""
    query = (Comment.select(Comment, User).join(User, JOIN.LEFT_OUTER, on=(Comment.author == User.id))
             .where((Comment.project == project.id) & (Comment.target_type == target_type)
                    & (Comment.target_id == target_id)))
    return paginate(query.order_by(Comment.created_at, Comment.id), page, PER_PAGE)


def load_comment(project, comment_id: int) -> Comment:
    """The comment `comment_id` in `project`, or 404."""
    comment = Comment.get_or_none((Comment.id == comment_id) & (Comment.project == project.id))
    if comment is None:
        abort(404)
    return comment


def mention_candidates(project, prefix: str, limit: int = 8) -> list[tuple[int, str]]:
    """Project people whose name starts with (or has a word starting with) `prefix`."""
    prefix = (prefix or "").strip().lower()[:60]
    people = project_people(project)
    return [(uid, name) for uid, name in people
            if not prefix or any(part.startswith(prefix) for part in [name.lower()] + name.lower().split())][:limit]
