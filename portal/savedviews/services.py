"""Saving, listing and deleting saved views; the query string stays the page's source of truth."""
from urllib.parse import parse_qsl, urlencode

from peewee import IntegrityError

from portal.audit.services import record
from portal.db import db
from portal.errors import InvalidInput, NotFound
from portal.permissions import can
from portal.savedviews.models import SavedView
from portal.sqlfunc import PreparedQuery

# The list pages that offer saved views: key -> what the menu calls the page.
PAGES = {"projects": "Projects", "dashboard": "Portfolio dashboard", "risks": "Portfolio risks",
         "project-risks": "Project risk log", "helpdesk": "Help-desk queue"}
MAX_QUERY = 1000
# Not part of a view: the page number, and underscore keys that no filter form uses.
DROPPED = {"page", "csrf_token"}


def clean_query(query: str) -> str:
    """The query string without a leading '?', the page number and empty values, re-encoded."""
    pairs = [(k, v) for k, v in parse_qsl((query or "").lstrip("?"), keep_blank_values=False)
             if k not in DROPPED and not k.startswith("_")]
    return urlencode(pairs)


# Asked by every list page and risk log the person opens: its SQL is built once.
_VIEWS_OF_PAGE = PreparedQuery(lambda page, user_id: SavedView.select().where(
    (SavedView.page == page) & ((SavedView.owner == user_id) | SavedView.shared))
    .order_by(SavedView.name, SavedView.id).limit(100))


def views_for(user, page: str) -> list[SavedView]:
    """`user`'s own views of `page`, then the views others shared, each by name."""
    return sorted(_VIEWS_OF_PAGE(page, user.id), key=lambda v: (v.owner_id != user.id, v.name.lower()))


def save_view(user, page: str, name: str, query: str, shared: bool = False) -> SavedView:
    """Save (or replace, by name) `user`'s view of `page`; sharing needs the PMO or admin role."""
    name = (name or "").strip()
    errors = {}
    if page not in PAGES:
        errors["page"] = "Views can be saved on the project list, dashboard, risk logs and help-desk queue."
    if not name:
        errors["name"] = "Give the view a name."
    elif len(name) > 80:
        errors["name"] = "Use at most 80 characters."
    query = clean_query(query)
    if len(query) > MAX_QUERY:
        errors["query"] = f"These filters are too long to save (over {MAX_QUERY} characters)."
    if shared and not can(user, "views.share"):
        errors["shared"] = "Only PMO staff and admins share views with everyone."
    if errors:
        raise InvalidInput(errors)
    with db.atomic():
        existing = SavedView.get_or_none((SavedView.owner == user.id) & (SavedView.page == page)
                                         & (SavedView.name == name))
        try:
            if existing:
                existing.query, existing.shared = query, bool(shared)
                existing.save()
                view = existing
            else:
                view = SavedView.create(owner=user.id, page=page, name=name, query=query, shared=bool(shared))
        except IntegrityError as exc:  # the same name saved twice at once
            raise InvalidInput({"name": "You have a view by that name already."}) from exc
        record(user, "view.save", "saved_view", view.id, f"Saved view {name!r} on {PAGES[page]}",
               after={"query": query, "shared": bool(shared)})
    return view


def delete_view(user, view_id: int) -> SavedView:
    """Delete one of `user`'s own views (admins may delete any shared one); others' look missing."""
    view = SavedView.get_or_none(SavedView.id == view_id)
    if view is None or not (view.owner_id == user.id or (view.shared and user.role == "admin")):
        raise NotFound("No such saved view.")
    with db.atomic():
        view.delete_instance()
        record(user, "view.delete", "saved_view", view.id, f"Deleted saved view {view.name!r}")
    return view
