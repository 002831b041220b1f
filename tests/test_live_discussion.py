"""A discussion holding pathological Markdown still opens promptly under a real server."""
import time

import pytest

from tests.factories import make_project, make_user
from tests.live import assert_complete

pytestmark = pytest.mark.live

PATHOLOGICAL = {
    "brackets": "[" * 5000,
    "nested quotes and emphasis": ("> * " * 40 + "*a* ") * 200,  # about 20 KB of > and * constructs
}


@pytest.mark.parametrize("kind", sorted(PATHOLOGICAL))
def test_discussion_with_a_pathological_comment_answers_within_two_seconds(live, kind):
    from portal.discussion.models import Comment
    member = make_user("member")
    project = make_project(members=[member])
    body = PATHOLOGICAL[kind]
    # Stored as it is, as a comment saved before any size cap existed would be.
    Comment.create(project=project, target_type="project", target_id=project.id, author=member, body=body)
    session = live.session()
    session.sign_in(member)
    session.get(f"/projects/{project.ref}")  # warm the worker: the first request of a process costs more

    started = time.monotonic()
    response = session.get(f"/projects/{project.ref}/discussion/", timeout=30)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert_complete(response)
    assert elapsed < 2, f"the discussion page took {elapsed:.1f} s with a {len(body):,}-character {kind} comment"
