"""Canaries: restricted records planted where a careless query would find them, then every API endpoint
(every page of every list, every project and ticket it lists) and the calendar feed searched for them,
as a member, a manager, an executive and the PMO."""
import json

import pytest

from portal.api.registry import ENDPOINTS
from portal.kb.models import Article
from portal.tokens.services import new_feed_secret
from tests.api_helpers import call, every_page, seed_one_of_everything, token_for
from tests.factories import make_project, make_user
from tests.risk_helpers import make_risk

# Never shown through the API to anyone: others' drafts, unpublished and deleted knowledge.
EVERYONE_BLOCKED = {"CANARY-DRAFT", "CANARY-KB-DRAFT", "CANARY-KB-DELETED"}
BLOCKED = {
    "member": EVERYONE_BLOCKED | {"CANARY-B", "Internal note"},
    "manager": EVERYONE_BLOCKED | {"CANARY-B", "Internal note"},
    "executive": EVERYONE_BLOCKED | {"Internal note"},   # reads every project, not the PMO's notes
    "pmo": EVERYONE_BLOCKED,
}
# What each must see, so an empty answer cannot pass for a safe one.
SEEN = {"member": {"VISIBLE-A"}, "manager": {"VISIBLE-A"}, "executive": {"VISIBLE-A", "CANARY-B"},
        "pmo": {"VISIBLE-A", "CANARY-B", "Internal note"}}


def _plant():
    people = {"member": make_user("member"), "manager": make_user("manager"),
              "executive": make_user("executive"), "pmo": make_user("pmo")}
    seed_one_of_everything(manager=people["manager"], member=people["member"], mark="VISIBLE-A")
    other_manager = make_user("manager")
    b = seed_one_of_everything(manager=other_manager, mark="CANARY-B")
    # A risk on B owned by our member: their calendar must still not show it.
    make_risk(b["project"], owner=people["member"], title="Owned risk CANARY-B")
    make_project(state="draft", manager=other_manager, name="CANARY-DRAFT", summary="CANARY-DRAFT")
    Article.create(path="faq/canary.md", section="faq", slug="canary", title="Published title", text="Body",
                   draft_text="---\ntitle: CANARY-KB-DRAFT\nsummary: CANARY-KB-DRAFT\n---\nCANARY-KB-DRAFT")
    Article.create(path="faq/gone.md", section="faq", slug="gone", title="CANARY-KB-DELETED",
                   summary="CANARY-KB-DELETED", deleted=True)
    return people


def _everything_the_api_says(client, secret) -> str:
    texts = []
    for ep in ENDPOINTS:
        if ep.kind == "list":
            rows = every_page(client, ep.path, secret)
            # Filters that widen the default (all statuses) are searched too.
            if ep.path in ("/risks", "/issues"):
                rows += every_page(client, f"{ep.path}?status=all", secret)
            texts.append(json.dumps(rows))
            if ep.path == "/projects":
                for row in rows:
                    texts.append(call(client, f"/projects/{row['ref']}", secret).get_data(as_text=True))
            if ep.path == "/tickets":
                for row in rows:
                    texts.append(call(client, f"/tickets/{row['number']}", secret).get_data(as_text=True))
        elif "<" not in ep.path:
            response = call(client, ep.path, secret)
            assert response.status_code in (200, 403), ep.path
            texts.append(response.get_data(as_text=True))
    return "\n".join(texts)


@pytest.mark.parametrize("role", ["member", "manager", "executive", "pmo"])
def test_no_endpoint_and_no_feed_shows_what_the_role_may_not_see(app, client, role):
    people = _plant()
    user = people[role]
    said = _everything_the_api_says(client, token_for(user))
    feed = client.get(f"/calendar/{new_feed_secret(user)}.ics").get_data(as_text=True)
    for canary in BLOCKED[role]:
        assert canary not in said, f"{canary} leaked to a {role} through the API"
        assert canary not in feed, f"{canary} leaked to a {role} through the calendar feed"
    for expected in SEEN[role]:
        assert expected in said, f"a {role} should see {expected}"
    if role != "executive":  # on project A's team, or the PMO
        assert "Gate VISIBLE-A" in feed
