"""Help-desk records: tickets, replies and notes, attachments, canned answers, deflections."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow
from portal.rendered import StoredMarkdown

CATEGORIES = [
    ("methodology", "Methodology"),
    ("templates", "Templates"),
    ("tools", "Tools and access"),
    ("governance", "Governance and approval"),
    ("training", "Training"),
    ("other", "Other"),
]
PRIORITIES = [("low", "Low"), ("normal", "Normal"), ("high", "High"), ("urgent", "Urgent")]
STATUSES = [("new", "New"), ("open", "Open"), ("waiting", "Waiting on requester"),
            ("resolved", "Resolved"), ("closed", "Closed")]
OPEN_STATUSES = ("new", "open", "waiting")
NUMBER_PREFIX = "PMO-"


class Ticket(StoredMarkdown, VersionedModel):
    """A question to the PMO. `number` is gap-free; SLA due times are stored so queues can filter."""

    MARKDOWN_FIELDS = ("body",)

    number = peewee.IntegerField(unique=True)
    subject = peewee.CharField(max_length=200)
    body = peewee.TextField()
    category = peewee.CharField(max_length=20, index=True)
    priority = peewee.CharField(max_length=10, index=True)
    status = peewee.CharField(max_length=10, default="new", index=True)
    requester = peewee.ForeignKeyField(User, backref="tickets_asked", index=True)
    assignee = peewee.ForeignKeyField(User, null=True, backref="tickets_assigned", index=True)
    project_code = peewee.CharField(max_length=32, null=True, index=True)
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    updated_at = peewee.DateTimeField(default=utcnow, index=True)
    first_response_at = peewee.DateTimeField(null=True)
    first_response_due = peewee.DateTimeField(index=True)
    # Indexed with id, in the queue's order: see the index after the class.
    resolution_due = peewee.DateTimeField()
    waiting_since = peewee.DateTimeField(null=True)
    paused_seconds = peewee.IntegerField(default=0)  # business time spent waiting on the requester
    resolved_at = peewee.DateTimeField(null=True)
    closed_at = peewee.DateTimeField(null=True)
    rating = peewee.IntegerField(null=True)
    rating_comment = peewee.TextField(default="")
    merged_into = peewee.ForeignKeyField("self", null=True, backref="merged")
    warned_at = peewee.DateTimeField(null=True)
    escalated_at = peewee.DateTimeField(null=True)
    # Business seconds to first response and to resolution, fixed when they happen, so
    # figures are sums and medians over one column instead of calendar sums per row.
    first_response_seconds = peewee.IntegerField(null=True)
    resolution_seconds = peewee.IntegerField(null=True)
    # The sanitised HTML of the Markdown columns, rendered when saved (see portal/rendered.py).
    rendered_html = peewee.TextField(default="")
    rendered_version = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("assignee", "status"), False),)

    @property
    def reference(self) -> str:
        return f"{NUMBER_PREFIX}{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# Read from the index alone (migration 0014): a deep queue page's ids, in the queue's
# default order; and the "breaching or about to breach" count, whose every column is here.
Ticket.add_index(Ticket.index(Ticket.resolution_due, Ticket.id.desc(), name="ticket_resolution_due_id"))
Ticket.add_index(Ticket.index(Ticket.status, Ticket.resolution_due, Ticket.first_response_due,
                              Ticket.first_response_at, name="ticket_status_due_times"))
# Every column the help-desk figures and the PMO KPIs read (migration 0026), so they come from an index alone.
Ticket.add_index(Ticket.index(Ticket.created_at, Ticket.resolved_at, Ticket.resolution_due, Ticket.rating,
                              Ticket.first_response_seconds, Ticket.resolution_seconds, name="ticket_created_figures"))
Ticket.add_index(Ticket.index(Ticket.resolved_at, Ticket.resolution_due, Ticket.first_response_seconds,
                              name="ticket_resolved_figures"))
Ticket.add_index(Ticket.index(Ticket.status, Ticket.category, Ticket.created_at, name="ticket_status_category_created"))
Ticket.add_index(Ticket.index(Ticket.rating, name="ticket_rating"))


class Reply(StoredMarkdown, BaseModel):
    """A public reply or an internal note (pmo and admin only) on a ticket."""

    MARKDOWN_FIELDS = ("body",)

    ticket = peewee.ForeignKeyField(Ticket, backref="replies", on_delete="CASCADE")
    author = peewee.ForeignKeyField(User)
    body = peewee.TextField()
    internal = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=utcnow)
    # The form's one-time token: a double click stores the reply once.
    client_token = peewee.CharField(max_length=64, unique=True)
    # The sanitised HTML of the Markdown columns, rendered when saved (see portal/rendered.py).
    rendered_html = peewee.TextField(default="")
    rendered_version = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("ticket", "created_at"), False),)


class Attachment(BaseModel):
    """A file on a ticket or reply, stored outside the web root under a generated name."""

    ticket = peewee.ForeignKeyField(Ticket, backref="attachments", on_delete="CASCADE")
    reply = peewee.ForeignKeyField(Reply, null=True, backref="attachments", on_delete="CASCADE")
    filename = peewee.CharField(max_length=255)
    stored_name = peewee.CharField(max_length=64, unique=True)
    size = peewee.IntegerField()
    content_type = peewee.CharField(max_length=100)
    uploaded_by = peewee.ForeignKeyField(User)
    created_at = peewee.DateTimeField(default=utcnow)


class CannedAnswer(VersionedModel):
    """A reusable reply; `{name}`, `{first_name}` and `{ticket}` are filled in when inserted."""

    title = peewee.CharField(max_length=120, unique=True)
    body = peewee.TextField()
    updated_by = peewee.ForeignKeyField(User, null=True)
    updated_at = peewee.DateTimeField(default=utcnow)


class ArticleLink(BaseModel):
    """A knowledge article linked to a ticket as (part of) its answer."""

    ticket = peewee.ForeignKeyField(Ticket, backref="article_links", on_delete="CASCADE")
    article = peewee.CharField(max_length=255, index=True)
    title = peewee.CharField(max_length=200)
    linked_by = peewee.ForeignKeyField(User)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("ticket", "article"), True),)


class Deflection(BaseModel):
    """"This answered my question": a ticket that did not need to be asked."""

    user = peewee.ForeignKeyField(User)
    subject = peewee.CharField(max_length=200)
    article = peewee.CharField(max_length=255)
    created_at = peewee.DateTimeField(default=utcnow, index=True)


MAIL_OUTCOMES = ("ticket", "reply", "duplicate", "automatic", "loop", "unknown", "invited", "refused",
                 "unreadable")


class InboundMail(BaseModel):
    """One mail `portal mail fetch` read, and what became of it.

    The UNIQUE Message-ID makes a mail seen twice (a retry, a copy in two
    folders) one ticket; the rows by sender and outcome rate-limit the answer to
    unknown senders.
    """

    message_id = peewee.CharField(max_length=255, unique=True)
    sender = peewee.CharField(max_length=255, default="")
    subject = peewee.CharField(max_length=200, default="")
    outcome = peewee.CharField(max_length=16)
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    detail = peewee.CharField(max_length=255, default="")
    received_at = peewee.DateTimeField(default=utcnow, index=True)

    class Meta:
        indexes = ((("sender", "outcome", "received_at"), False),)


class FaqDraft(VersionedModel):
    """An FAQ article made from a ticket, seen by PMO staff only until one of them publishes it.

    Knowledge articles are files that everyone reads once written, so the draft
    lives here; publishing writes the article (front matter with owner and review
    date) through the knowledge base.
    """

    ticket = peewee.ForeignKeyField(Ticket, unique=True, backref="+", on_delete="CASCADE")
    title = peewee.CharField(max_length=200)
    slug = peewee.CharField(max_length=120)
    body = peewee.TextField()
    owner = peewee.CharField(max_length=200)
    review_by = peewee.DateField()
    created_by = peewee.ForeignKeyField(User, backref="+")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)
    published_at = peewee.DateTimeField(null=True)
    published_by = peewee.ForeignKeyField(User, null=True, backref="+")
    article_path = peewee.CharField(max_length=400, null=True)
