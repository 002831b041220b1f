"""Projects (and the requests they start as), their teams, history, approvals, scores and rules."""
import peewee

from portal.auth.models import User
from portal.db import BaseModel, VersionedModel, utcnow

STATES = ("draft", "submitted", "in_review", "returned", "approved", "rejected",
          "active", "on_hold", "closed", "cancelled")
CADENCES = ("weekly", "fortnightly", "monthly")
# Roles that see every project except others' drafts (`Project.visible_to`).
READ_ALL = ("admin", "pmo", "executive")
# A person's role on one project's team. The manager is `Project.manager`; the others are rows of ProjectMember.
TEAM_ROLES = ("deputy", "contributor", "viewer")
ROLE_LABELS = {"manager": "Manager", "deputy": "Deputy", "contributor": "Contributor", "viewer": "Viewer"}


class Project(VersionedModel):
    """A request from draft onwards; it is a project once approved. `code` is set on first submission."""

    code = peewee.CharField(max_length=20, unique=True, null=True)
    name = peewee.CharField(max_length=120, index=True)
    summary = peewee.TextField(default="")
    business_case = peewee.TextField(default="")
    requester = peewee.ForeignKeyField(User, backref="requested_projects", index=True)
    manager = peewee.ForeignKeyField(User, backref="managed_projects", index=True)
    sponsor = peewee.ForeignKeyField(User, null=True, backref="sponsored_projects", index=True)
    compliance_owner = peewee.ForeignKeyField(User, null=True, backref="+")
    department = peewee.CharField(max_length=120, default="", index=True)
    category = peewee.CharField(max_length=60, default="", index=True)
    strategic_objective = peewee.CharField(max_length=200, default="")
    start_date = peewee.DateField(null=True, index=True)
    end_date = peewee.DateField(null=True)
    budget = peewee.DecimalField(max_digits=14, decimal_places=2, null=True, index=True)
    benefits = peewee.TextField(default="")
    known_risks = peewee.TextField(default="")
    reporting_cadence = peewee.CharField(max_length=16, default="monthly")
    state = peewee.CharField(max_length=16, default="draft", index=True)
    score = peewee.FloatField(null=True, index=True)
    review_round = peewee.IntegerField(default=0)
    closing_note = peewee.TextField(default="")
    created_at = peewee.DateTimeField(default=utcnow, index=True)
    submitted_at = peewee.DateTimeField(null=True, index=True)
    updated_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+")

    @property
    def ref(self) -> str:
        """The key in the project's URL: its code, or DRAFT-<id> before the first submission."""
        return self.code or f"DRAFT-{self.id}"

    @property
    def is_request(self) -> bool:
        """True until approval: the record is still a request."""
        return self.state in ("draft", "submitted", "in_review", "returned", "rejected")

    def __str__(self):
        return f"{self.ref} {self.name}"

    @classmethod
    def visible_to(cls, user):
        """The projects and requests `user` may see: the one scoped query every channel uses.

        Drafts stay with their requester and manager; the reading roles see every
        other project, everyone else the ones they sponsor or are a member of.
        """
        own = (cls.requester == user.id) | (cls.manager == user.id)
        not_draft = cls.state != "draft"
        if user.role in READ_ALL:
            return cls.select().where(not_draft | own)
        member_of = ProjectMember.select(ProjectMember.project).where(ProjectMember.user == user.id)
        return cls.select().where(own | (not_draft & ((cls.sponsor == user.id) | cls.id.in_(member_of))))

    @classmethod
    def filtered(cls, user, department: str = "", category: str = "", manager: int | None = None):
        """The projects `user` may see, narrowed to a department, a category and a manager where given."""
        query = cls.visible_to(user)
        if department:
            query = query.where(cls.department == department)
        if category:
            query = query.where(cls.category == category)
        if manager:
            query = query.where(cls.manager == manager)
        return query

    @classmethod
    def led_by(cls, user):
        """The projects `user` manages or deputises on: what the manager sees, the deputy sees."""
        deputy_of = ProjectMember.select(ProjectMember.project).where(
            (ProjectMember.user == user.id) & (ProjectMember.role == "deputy"))
        return cls.select(cls.id).where((cls.manager == user.id) | cls.id.in_(deputy_of))


class ProjectMember(BaseModel):
    """A person on a project's team (besides its manager and sponsor), as deputy, contributor or viewer."""

    project = peewee.ForeignKeyField(Project, backref="members", on_delete="CASCADE")
    user = peewee.ForeignKeyField(User, backref="memberships", on_delete="CASCADE", index=True)
    role = peewee.CharField(max_length=16, default="contributor")
    added_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("project", "user"), True),)


class Transition(BaseModel):
    """One step in a project's life: who moved it, when, from which state to which, and why."""

    project = peewee.ForeignKeyField(Project, backref="transitions", on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, backref="+")
    at = peewee.DateTimeField(default=utcnow)
    from_state = peewee.CharField(max_length=16)
    to_state = peewee.CharField(max_length=16)
    comment = peewee.TextField(default="")

    class Meta:
        indexes = ((("project", "at"), False),)


class Approval(BaseModel):
    """One approval of one kind (pmo, executive) given in one review round."""

    project = peewee.ForeignKeyField(Project, backref="approvals", on_delete="CASCADE")
    review_round = peewee.IntegerField()
    kind = peewee.CharField(max_length=16)
    approver = peewee.ForeignKeyField(User, backref="+")
    at = peewee.DateTimeField(default=utcnow)
    comment = peewee.TextField(default="")
    # Why this approval is a conflict of interest (the approver sponsors the project), or "".
    conflict = peewee.CharField(max_length=120, default="")

    class Meta:
        indexes = ((("project", "review_round", "kind"), True),)


class Score(BaseModel):
    """One reviewer's scoring sheet for a request (each criterion 1–5)."""

    project = peewee.ForeignKeyField(Project, backref="scores", on_delete="CASCADE")
    reviewer = peewee.ForeignKeyField(User, backref="+")
    strategic_fit = peewee.SmallIntegerField()
    value = peewee.SmallIntegerField()
    risk = peewee.SmallIntegerField()
    effort = peewee.SmallIntegerField()
    total = peewee.FloatField()
    comment = peewee.TextField(default="")
    at = peewee.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("project", "reviewer"), True),)


class RuleSet(BaseModel):
    """One saved version of the governance rules; the newest is in force, older ones are the history."""

    body = peewee.TextField()  # the rules as JSON
    comment = peewee.CharField(max_length=255, default="")
    saved_by = peewee.ForeignKeyField(User, null=True, backref="+")
    saved_at = peewee.DateTimeField(default=utcnow, index=True)
