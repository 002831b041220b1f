"""The home page's "needs your attention": a few counts per role, one query each, linking to the lists."""
from flask import url_for

from portal.db import utcnow


def _item(count, text, url):
    return {"count": count, "text": text, "url": url} if count else None


def _training_left(user) -> int:
    """Training modules the person has not completed yet (two counts)."""
    from portal.kb.models import Article, TrainingCompletion
    modules = Article.visible().where(Article.section == "training")
    done = (TrainingCompletion.select().join(Article, on=(TrainingCompletion.article == Article.id))
            .where((TrainingCompletion.user == user.id) & (Article.section == "training") & (Article.deleted == False))  # noqa: E712
            .count())
    return max(modules.count() - done, 0)


def attention_items(user) -> list[dict]:
    """What is waiting for `user` now, most pressing first; empty when nothing is."""
    from portal.helpdesk.models import OPEN_STATUSES, Ticket
    from portal.helpdesk.queue import breaching_condition
    from portal.kb.learning import awaiting_acknowledgement
    from portal.notify.services import unread_count
    from portal.projects.models import Project
    from portal.risks.models import Risk
    from portal.risks.portfolio import visible_project_ids
    today = utcnow().date()
    items = []
    if user.role in ("pmo", "admin"):
        items.append(_item(Project.select().where(Project.state.in_(("submitted", "in_review"))).count(),
                           "project request(s) waiting for review", url_for("intake.index")))
        items.append(_item(Ticket.select().where(Ticket.assignee.is_null() & Ticket.status.in_(OPEN_STATUSES)).count(),
                           "unassigned help-desk ticket(s)", url_for("helpdesk.index", view="unassigned")))
        items.append(_item(Ticket.select().where(breaching_condition(utcnow())).count(),
                           "ticket(s) breaching or about to breach their SLA",
                           url_for("helpdesk.index", view="breaching")))
        items.append(_item(Ticket.select().where((Ticket.assignee == user.id) & Ticket.status.in_(("new", "open"))).count(),
                           "ticket(s) assigned to you", url_for("helpdesk.index", view="mine")))
    if user.role in ("executive", "admin"):
        from portal.projects.review import awaiting_executive
        items.append(_item(awaiting_executive(user).count(), "project decision(s) waiting for your approval",
                           url_for("intake.index", waiting="me")))
    if user.role in ("manager", "pmo", "admin"):
        items.append(_item(Project.select().where((Project.manager == user.id) & (Project.state == "returned")).count(),
                           "of your requests returned for changes", url_for("projects.index", state="returned")))
    if user.role in ("manager", "pmo", "admin"):
        managed = Project.select(Project.id).where((Project.manager == user.id) & Project.state.in_(("active", "on_hold")))
        items.append(_item(Risk.select().where(Risk.project.in_(managed) & Risk.status.in_(("open", "monitoring"))
                                               & (Risk.review_date < today)).count(),
                           "risk(s) on your projects to review", url_for("risks.portfolio", overdue=1)))
    live_projects = visible_project_ids(user).where(Project.state.not_in(("closed", "rejected", "cancelled")))
    items.append(_item(Risk.select().where((Risk.owner == user.id) & Risk.status.in_(("open", "monitoring"))
                                           & (Risk.review_date < today)
                                           & Risk.project.in_(live_projects)).count(),
                       "risk(s) you own are past their review date", url_for("risks.portfolio", overdue=1, owner=user.id)))
    items.append(_item(len(awaiting_acknowledgement(user)), "mandatory standard(s) to read and acknowledge",
                       url_for("kb.index")))
    items.append(_item(_training_left(user), "training module(s) still to complete",
                       url_for("kb.section", section="training")))
    items.append(_item(Ticket.select().where((Ticket.requester == user.id) & (Ticket.status == "resolved")
                                             & Ticket.rating.is_null()).count(),
                       "answered question(s) to confirm or rate", url_for("helpdesk.index")))
    items.append(_item(unread_count(user), "unread notification(s)", url_for("notify.index")))
    return [item for item in items if item]
