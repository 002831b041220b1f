"""The help desk as requesters and PMO staff use it."""
import datetime as dt
import io
import threading

import pytest

from portal.db import db
from portal.helpdesk.models import Attachment, Deflection, Reply, Ticket
from portal.helpdesk.services import HelpdeskError, add_reply, change_status, create_ticket
from portal.helpdesk.sla import BusinessCalendar
from tests.factories import make_ticket, make_user

CAL = BusinessCalendar()
CANARY = "CANARY-internal-7c1e"


def ask(client, **fields):
    data = {"subject": "Which template for a charter?", "body": "We start a project next week.",
            "category": "templates", "priority": "normal", **fields}
    return client.post("/helpdesk/new", data=data, content_type="multipart/form-data")


def test_asking_gives_a_numbered_ticket_the_requester_can_open(client, login):
    member = login("member")
    response = ask(client)
    assert response.status_code == 303
    ticket = Ticket.get(Ticket.requester == member.id)
    assert ticket.reference == "PMO-1001"
    assert response.headers["Location"] == f"/helpdesk/{ticket.number}"
    page = client.get(f"/helpdesk/{ticket.number}").get_data(as_text=True)
    assert "Which template for a charter?" in page and "PMO-1001" in page
    assert "Your question is PMO-1001" in page


def test_bad_ticket_input_is_refused_next_to_the_fields(client, login):
    login("member")
    response = ask(client, subject="", body="x" * 20_001, category="gossip")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "This field is required." in body
    assert "Not a valid choice." in body
    assert "Use at most 20,000 characters." in body
    assert Ticket.select().count() == 0


def test_requesters_cannot_choose_urgent(client, login):
    login("member")
    response = ask(client, priority="urgent")
    assert response.status_code == 422
    assert Ticket.select().count() == 0


def test_markdown_in_questions_is_sanitised(client, login):
    login("member")
    ask(client, body="**bold** <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>")
    page = client.get("/helpdesk/1001").get_data(as_text=True)
    assert "<strong>bold</strong>" in page
    assert "<script>alert" not in page and "javascript:alert" not in page and "onerror" not in page


def test_requesters_see_only_their_tickets_others_are_404(client, login):
    other = make_ticket(subject="Someone else's question")
    login("member")
    assert client.get(f"/helpdesk/{other.number}").status_code == 404
    assert client.get("/helpdesk/999999").status_code == 404
    assert client.get("/helpdesk/PMO-abc").status_code == 404
    listing = client.get("/helpdesk/?view=all").get_data(as_text=True)
    assert "Someone else&#39;s question" not in listing and "Someone else's question" not in listing


@pytest.mark.parametrize("role", ["member", "manager", "executive"])
def test_only_pmo_staff_work_tickets(client, login, role):
    user = login(role)
    ticket = make_ticket(requester=user)
    assert client.post(f"/helpdesk/{ticket.number}/take").status_code == 403
    assert client.post(f"/helpdesk/{ticket.number}/update", data={
        "assignee": 0, "status": "resolved", "priority": "urgent", "category": "other",
        "version": ticket.version}).status_code == 403
    assert client.post("/helpdesk/bulk", data={"ticket": [ticket.number], "status": "closed"}).status_code == 403
    assert client.get("/helpdesk/canned/").status_code == 403
    assert client.get("/helpdesk/figures").status_code == 403
    fresh = Ticket.get_by_id(ticket.id)
    assert (fresh.status, fresh.priority, fresh.assignee_id) == ("new", "normal", None)


def test_agent_takes_replies_and_the_first_response_is_recorded(client, login):
    agent = login("pmo")
    ticket = make_ticket()
    assert client.post(f"/helpdesk/{ticket.number}/take").status_code == 303
    assert Ticket.get_by_id(ticket.id).assignee_id == agent.id
    assert Ticket.get_by_id(ticket.id).status == "open"
    response = client.post(f"/helpdesk/{ticket.number}/reply",
                           data={"body": "Use the charter template.", "token": "t1", "then": "waiting"},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.first_response_at is not None
    assert fresh.status == "waiting" and fresh.waiting_since is not None


def test_a_double_submitted_reply_is_stored_once(client, login):
    user = login("member")
    ticket = make_ticket(requester=user)
    for _ in range(2):
        client.post(f"/helpdesk/{ticket.number}/reply", data={"body": "Thanks!", "token": "same-token"},
                    content_type="multipart/form-data")
    assert Reply.select().where(Reply.ticket == ticket.id).count() == 1


def test_requester_reply_reopens_a_waiting_or_resolved_ticket(client, login):
    user = login("member")
    agent = make_user("pmo")
    ticket = make_ticket(requester=user)
    add_reply(ticket, agent, "Can you say which project?", "a1", CAL, new_status="waiting")
    client.post(f"/helpdesk/{ticket.number}/reply", data={"body": "Project Apollo.", "token": "r1"},
                content_type="multipart/form-data")
    assert Ticket.get_by_id(ticket.id).status == "open"
    ticket = Ticket.get_by_id(ticket.id)
    change_status(ticket, agent, "resolved", ticket.version, CAL)
    client.post(f"/helpdesk/{ticket.number}/reply", data={"body": "One more thing.", "token": "r2"},
                content_type="multipart/form-data")
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.status == "open" and fresh.resolved_at is None


def test_closed_tickets_take_no_replies(client, login):
    user = login("member")
    ticket = make_ticket(requester=user, status="closed")
    response = client.post(f"/helpdesk/{ticket.number}/reply", data={"body": "Hello?", "token": "c1"},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "This ticket is closed" in response.get_data(as_text=True)
    assert Reply.select().count() == 0


def test_waiting_pauses_the_resolution_clock(app):
    agent = make_user("pmo")
    monday_9 = dt.datetime(2026, 11, 30, 9, 0)
    ticket = make_ticket(now=monday_9)
    assert ticket.resolution_due == dt.datetime(2026, 12, 4, 17, 0)
    add_reply(ticket, agent, "Which project?", "w1", CAL, new_status="waiting", now=monday_9 + dt.timedelta(hours=1))
    # The requester answers a business day (8 h) later: the due time moves by 8 business hours.
    add_reply(Ticket.get_by_id(ticket.id), ticket.requester, "Apollo", "w2", CAL,
              now=dt.datetime(2026, 12, 1, 10, 0))
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.status == "open" and fresh.paused_seconds == 8 * 3600
    assert fresh.resolution_due == dt.datetime(2026, 12, 7, 17, 0)


@pytest.mark.parametrize("start,target,allowed", [
    ("new", "open", True), ("new", "resolved", True), ("open", "waiting", True), ("waiting", "resolved", True),
    ("resolved", "closed", True), ("resolved", "open", True), ("closed", "open", False),
    ("closed", "resolved", False), ("open", "new", False), ("waiting", "new", False)])
def test_status_table_for_agents(app, start, target, allowed):
    agent = make_user("pmo")
    ticket = make_ticket(status=start)
    if allowed:
        assert change_status(ticket, agent, target, ticket.version, CAL).status == target
    else:
        with pytest.raises(HelpdeskError):
            change_status(ticket, agent, target, ticket.version, CAL)
        assert Ticket.get_by_id(ticket.id).status == start


def test_requesters_may_only_close_or_reopen_their_resolved_ticket(app):
    ticket = make_ticket(status="open")
    with pytest.raises(HelpdeskError):
        change_status(ticket, ticket.requester, "resolved", ticket.version, CAL)
    ticket = make_ticket(status="resolved")
    assert change_status(ticket, ticket.requester, "closed", ticket.version, CAL).status == "closed"


def test_stale_update_form_is_refused_with_409(client, login):
    login("pmo")
    ticket = make_ticket()
    data = {"assignee": 0, "status": "new", "priority": "high", "category": "methodology",
            "version": ticket.version}
    assert client.post(f"/helpdesk/{ticket.number}/update", data=data).status_code == 303
    stale = client.post(f"/helpdesk/{ticket.number}/update", data={**data, "priority": "low"})
    assert stale.status_code == 409
    assert "Someone else changed this ticket" in stale.get_data(as_text=True)
    assert Ticket.get_by_id(ticket.id).priority == "high"


def test_raising_priority_brings_the_due_time_forward(client, login):
    login("pmo")
    monday_9 = dt.datetime(2026, 11, 30, 9, 0)
    ticket = make_ticket(now=monday_9)
    client.post(f"/helpdesk/{ticket.number}/update", data={
        "assignee": 0, "status": "new", "priority": "urgent", "category": "methodology",
        "version": ticket.version})
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.first_response_due == dt.datetime(2026, 11, 30, 13, 0)
    assert fresh.resolution_due == dt.datetime(2026, 11, 30, 17, 0)


def test_internal_note_canary_never_reaches_the_requester(client, login, hx):
    requester = login("member")
    agent = make_user("pmo")
    ticket = make_ticket(requester=requester)
    add_reply(ticket, agent, f"Between us: {CANARY}", "n1", CAL, internal=True)
    add_reply(Ticket.get_by_id(ticket.id), agent, "Here is the public answer.", "n2", CAL)
    for response in (client.get(f"/helpdesk/{ticket.number}"), hx.get(f"/helpdesk/{ticket.number}"),
                     client.get("/helpdesk/?view=all"), hx.get("/helpdesk/?view=all")):
        assert CANARY not in response.get_data(as_text=True)
    assert "Here is the public answer." in client.get(f"/helpdesk/{ticket.number}").get_data(as_text=True)
    # Searching for words only in the note does not reveal the ticket either.
    found = hx.get("/helpdesk/?view=all&q=Between").get_data(as_text=True)
    assert ticket.reference not in found and "0 tickets" in found


def test_requesters_cannot_post_internal_notes(client, login):
    user = login("member")
    ticket = make_ticket(requester=user)
    client.post(f"/helpdesk/{ticket.number}/reply", data={"body": "sneaky", "token": "i1", "internal": "y"},
                content_type="multipart/form-data")
    assert Reply.get(Reply.ticket == ticket.id).internal is False


def test_agents_see_internal_notes_marked(client, login):
    agent = login("pmo")
    ticket = make_ticket()
    add_reply(ticket, agent, f"Note {CANARY}", "n3", CAL, internal=True)
    page = client.get(f"/helpdesk/{ticket.number}").get_data(as_text=True)
    assert CANARY in page and "Internal note" in page


def test_rating_is_for_the_requester_once_resolved(client, login, app):
    user = login("member")
    ticket = make_ticket(requester=user, status="open")
    assert client.post(f"/helpdesk/{ticket.number}/rate", data={"rating": 5}).status_code == 409
    Ticket.update(status="resolved").where(Ticket.id == ticket.id).execute()
    assert client.post(f"/helpdesk/{ticket.number}/rate", data={"rating": 9}).status_code == 422
    assert client.post(f"/helpdesk/{ticket.number}/rate", data={"rating": 4, "comment": "Clear"}).status_code == 303
    fresh = Ticket.get_by_id(ticket.id)
    assert (fresh.rating, fresh.rating_comment) == (4, "Clear")


def test_attachment_is_served_as_a_download_only_to_those_who_may_see_it(app, client, login, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    login("member")
    response = ask(client, attachment=(io.BytesIO(b"<svg onload=alert(1)>"), "plan.svg"))
    assert response.status_code == 303
    item = Attachment.get()
    assert item.filename == "plan.svg" and item.stored_name != "plan.svg"
    download = client.get(f"/helpdesk/1001/attachments/{item.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.mimetype == "application/octet-stream"
    assert download.data == b"<svg onload=alert(1)>"
    from tests.conftest import sign_in
    stranger = app.test_client()
    sign_in(stranger, make_user("member"))
    assert stranger.get(f"/helpdesk/1001/attachments/{item.id}").status_code == 404


def test_empty_and_oversized_attachments_are_refused(app, client, login, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    login("member")
    empty = ask(client, attachment=(io.BytesIO(b""), "empty.txt"))
    assert empty.status_code == 422 and "The file is empty." in empty.get_data(as_text=True)
    app.config["MAX_CONTENT_LENGTH"] = 1024
    big = ask(client, attachment=(io.BytesIO(b"x" * 4096), "big.bin"))
    assert big.status_code == 413
    assert "larger than the portal accepts" in big.get_data(as_text=True)
    assert Ticket.select().count() == 0
    uploads = tmp_path / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())


def test_refused_and_repeated_posts_leave_no_stray_files(app, client, login, tmp_path):
    uploads = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(uploads)
    user = login("member")
    refused = ask(client, project="NOPE-1", attachment=(io.BytesIO(b"minutes"), "minutes.txt"))
    assert refused.status_code == 422 and "There is no project NOPE-1" in refused.get_data(as_text=True)
    assert not uploads.exists() or not any(uploads.iterdir())
    ticket = make_ticket(requester=user)
    for _ in range(2):  # a double click: one reply, one attachment, one file on disk
        client.post(f"/helpdesk/{ticket.number}/reply", content_type="multipart/form-data",
                    data={"body": "Here it is.", "token": "twice", "attachment": (io.BytesIO(b"plan"), "plan.txt")})
    assert Attachment.select().count() == 1
    assert [p.name for p in uploads.iterdir()] == [Attachment.get().stored_name]


def test_queue_views_filters_and_fragment(client, hx, login):
    agent = login("pmo")
    mine = make_ticket(subject="Mine to answer")
    Ticket.update(assignee=agent.id, status="open").where(Ticket.id == mine.id).execute()
    make_ticket(subject="Nobody has this", category="tools")
    make_ticket(subject="Already done", status="resolved")
    page = client.get("/helpdesk/").get_data(as_text=True)
    assert "Mine to answer" in page and "Nobody has this" in page and "Already done" not in page
    assert "<html" in page
    unassigned = hx.get("/helpdesk/?view=unassigned").get_data(as_text=True)
    assert "Nobody has this" in unassigned and "Mine to answer" not in unassigned and "<html" not in unassigned
    assert "Mine to answer" in client.get("/helpdesk/?view=mine").get_data(as_text=True)
    tools = client.get("/helpdesk/?view=all&category=tools").get_data(as_text=True)
    assert "Nobody has this" in tools and "Already done" not in tools
    by_number = client.get(f"/helpdesk/?view=all&q=PMO-{mine.number}").get_data(as_text=True)
    assert "Mine to answer" in by_number and "Nobody has this" not in by_number
    assert 'hx-trigger="every 30s"' in page


def test_breaching_view_lists_tickets_past_or_near_their_due_time(client, login):
    login("pmo")
    late = make_ticket(subject="Late one", now=dt.datetime(2026, 1, 5, 9, 0))
    make_ticket(subject="Fresh one")
    page = client.get("/helpdesk/?view=breaching").get_data(as_text=True)
    assert "Late one" in page and "Fresh one" not in page
    assert "overdue" in page
    assert late.reference in page


def test_bulk_assign_and_close(client, login):
    agent = login("pmo")
    a, b = make_ticket(), make_ticket()
    response = client.post("/helpdesk/bulk", data={"ticket": [a.number, b.number], "assignee": agent.id,
                                                   "status": "closed"})
    assert response.status_code == 303
    assert {t.status for t in Ticket.select()} == {"closed"}
    assert {t.assignee_id for t in Ticket.select()} == {agent.id}


def test_merge_closes_the_duplicate_and_points_to_the_original(client, login):
    login("pmo")
    original, duplicate = make_ticket(subject="Original"), make_ticket(subject="Duplicate")
    response = client.post(f"/helpdesk/{duplicate.number}/merge",
                           data={"into": original.reference, "token": "m1"})
    assert response.status_code == 303
    fresh = Ticket.get_by_id(duplicate.id)
    assert fresh.status == "closed" and fresh.merged_into_id == original.id
    note = Reply.get(Reply.ticket == original.id)
    assert duplicate.reference in note.body and note.internal


def test_canned_answer_is_filled_in_for_the_ticket(client, hx, login):
    login("pmo")
    requester = make_user("member", name="Mei Lin")
    ticket = make_ticket(requester=requester)
    response = client.post("/helpdesk/canned/new", data={
        "title": "Charter template", "body": "Hi {first_name}, see the charter template. ({ticket})"})
    assert response.status_code == 303
    from portal.helpdesk.models import CannedAnswer
    answer = CannedAnswer.get()
    filled = hx.get(f"/helpdesk/{ticket.number}/canned?answer={answer.id}").get_data(as_text=True)
    assert f"Hi Mei, see the charter template. ({ticket.reference})" in filled
    assert "<html" not in filled
    dup = client.post("/helpdesk/canned/new", data={"title": "Charter template", "body": "again"})
    assert dup.status_code == 422 and "exists already" in dup.get_data(as_text=True)


def test_deflection_is_counted_and_opens_no_ticket(client, login):
    login("member")
    client.get("/kb/")  # the knowledge base indexes its files on first use
    response = client.post("/helpdesk/deflect", data={"subject": "RAG colours",
                                                      "article": "standards/status-reporting.md"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/kb/standards/status-reporting"
    assert Deflection.select().count() == 1 and Ticket.select().count() == 0
    unknown = client.post("/helpdesk/deflect", data={"subject": "x", "article": "../../etc/passwd"})
    assert unknown.status_code == 400 and Deflection.select().count() == 1


def test_figures_match_hand_computed_values(client, login):
    login("pmo")
    agent = make_user("pmo")
    monday_9 = dt.datetime(2026, 11, 2, 9, 0)
    t1 = make_ticket(now=monday_9)
    add_reply(t1, agent, "Answer", "f1", CAL, now=monday_9 + dt.timedelta(hours=2))
    t1 = Ticket.get_by_id(t1.id)
    change_status(t1, agent, "resolved", t1.version, CAL, now=monday_9 + dt.timedelta(hours=4))
    Ticket.update(rating=4).where(Ticket.id == t1.id).execute()
    t2 = make_ticket(now=monday_9)
    add_reply(t2, agent, "Answer", "f2", CAL, now=monday_9 + dt.timedelta(hours=6))
    Ticket.update(rating=2).where(Ticket.id == t2.id).execute()
    page = client.get("/helpdesk/figures").get_data(as_text=True)
    assert "2026-11" in page
    assert "<td>4.0</td>" in page  # median first response of 2 h and 6 h
    assert "100 %" in page  # one resolved, on time
    assert "3.0" in page  # satisfaction average


@pytest.mark.parametrize("threads", [50])
def test_numbers_are_gap_free_under_parallel_submissions(app, threads):
    requesters = [make_user("member") for _ in range(threads)]
    db.close()
    errors, numbers = [], []
    barrier = threading.Barrier(threads)

    def submit(user):
        try:
            barrier.wait(timeout=30)
            with db.connection_context():
                numbers.append(create_ticket(user, "Parallel", "body", "other", "normal", None, CAL).number)
        except Exception as exc:  # collected and reported below
            errors.append(repr(exc))

    workers = [threading.Thread(target=submit, args=(u,)) for u in requesters]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    db.connect(reuse_if_open=True)
    assert errors == []
    assert sorted(numbers) == list(range(1001, 1001 + threads))


def test_manager_sees_tickets_about_projects_they_manage(client, login):
    from tests.factories import make_project
    manager = login("manager")
    project = make_project(manager=manager)
    other_project = make_project()
    about_mine = make_ticket(subject="About the manager's project", project_code=project.code)
    about_other = make_ticket(subject="About another project", project_code=other_project.code)
    assert client.get(f"/helpdesk/{about_mine.number}").status_code == 200
    assert client.get(f"/helpdesk/{about_other.number}").status_code == 404
    page = client.get(f"/helpdesk/project/{project.code}").get_data(as_text=True)
    assert "About the manager&#39;s project" in page or "About the manager's project" in page
    assert client.get(f"/helpdesk/project/{other_project.code}").status_code == 404


def test_ticket_project_must_be_one_the_requester_can_see(client, login):
    from tests.factories import make_project
    member = login("member")
    mine = make_project(members=[member])
    hidden = make_project()
    refused = ask(client, project=hidden.code)
    assert refused.status_code == 422
    assert f"There is no project {hidden.code} that you can see" in refused.get_data(as_text=True)
    assert ask(client, project=mine.code.lower()).status_code == 303
    assert Ticket.get().project_code == mine.code


def test_replies_and_assignment_notify_the_other_side(client, login):
    from portal.notify.models import Notification
    agent = login("pmo")
    requester = make_user("member")
    colleague = make_user("pmo")
    ticket = make_ticket(requester=requester)
    client.post(f"/helpdesk/{ticket.number}/reply", data={"body": "Answer", "token": "x1"},
                content_type="multipart/form-data")
    client.post(f"/helpdesk/{ticket.number}/reply", data={"body": f"{CANARY}", "token": "x2", "internal": "y"},
                content_type="multipart/form-data")
    fresh = Ticket.get_by_id(ticket.id)
    client.post(f"/helpdesk/{ticket.number}/update", data={
        "assignee": colleague.id, "status": fresh.status, "priority": "normal", "category": "methodology",
        "version": fresh.version})
    to_requester = [n.text for n in Notification.select().where(Notification.user == requester.id)]
    assert len(to_requester) == 1 and "replied on PMO-1001" in to_requester[0]
    assert not any(CANARY in n.text for n in Notification.select())
    to_colleague = [n.text for n in Notification.select().where(Notification.user == colleague.id)]
    assert to_colleague == [f"{agent.name} assigned PMO-1001 to you: {ticket.subject}"]


def test_subject_suggests_articles_from_the_knowledge_base(client, hx, login):
    login("member")
    fragment = hx.get("/helpdesk/suggest?subject=RAG status colours").get_data(as_text=True)
    assert "This answered my question" in fragment and "<html" not in fragment
    assert "/kb/" in fragment
    empty = hx.get("/helpdesk/suggest?subject=zzzqqq").get_data(as_text=True)
    assert "No matching articles" in empty


def test_link_article_and_turn_into_faq(client, login):
    from portal.kb.models import Article
    agent = login("pmo")
    client.get("/kb/")
    ticket = make_ticket(subject="Amber or red?", body="Forecast slips 10%.")
    add_reply(ticket, agent, "Amber when recoverable, red otherwise.", "faq1", CAL, new_status="resolved")
    article = Article.visible().first()
    response = client.post(f"/helpdesk/{ticket.number}/articles",
                           data={"article": f"/kb/{article.section}/{article.slug}"})
    assert response.status_code == 303
    page = client.get(f"/helpdesk/{ticket.number}").get_data(as_text=True)
    assert article.title in page
    draft = client.get(f"/helpdesk/{ticket.number}/faq").get_data(as_text=True)
    assert "Amber when recoverable, red otherwise." in draft and "Forecast slips 10%." in draft
    assert f"/helpdesk/{ticket.number}" in draft and "Remove project-specific" in draft


def test_requesters_cannot_make_faqs_or_link_articles(client, login):
    user = login("member")
    ticket = make_ticket(requester=user, status="resolved")
    assert client.get(f"/helpdesk/{ticket.number}/faq").status_code == 403
    assert client.post(f"/helpdesk/{ticket.number}/articles", data={"article": "x"}).status_code == 403


def test_queue_search_finds_words_in_subject_and_body_as_prefixes(client, hx, login):
    login("pmo")
    make_ticket(subject="Budget approval", body="Which approvers sign off a change request?")
    make_ticket(subject="Training course", body="Is there a course on scheduling?")
    found = hx.get("/helpdesk/?view=all&q=approv sign").get_data(as_text=True)
    assert "Budget approval" in found and "Training course" not in found
    by_body = hx.get("/helpdesk/?view=all&q=scheduling").get_data(as_text=True)
    assert "Training course" in by_body and "Budget approval" not in by_body
    for hostile in ("'", "a & b | !c", ":*", "\\", "%", "(" * 50, "x" * 3000):
        assert hx.get("/helpdesk/", query_string={"view": "all", "q": hostile}).status_code == 200


def test_only_the_requester_or_pmo_close_or_reopen(app, client, login):
    from tests.factories import make_project
    manager = login("manager")
    project = make_project(manager=manager)
    ticket = make_ticket(project_code=project.code, status="resolved")
    # The project's manager can read the ticket but not close it for the requester.
    assert client.get(f"/helpdesk/{ticket.number}").status_code == 200
    assert client.post(f"/helpdesk/{ticket.number}/status/closed").status_code == 409
    assert client.post(f"/helpdesk/{ticket.number}/status/open").status_code == 409
    client.post(f"/helpdesk/{ticket.number}/reply", data={"body": "FYI", "token": "mgr1"},
                content_type="multipart/form-data")
    assert Ticket.get_by_id(ticket.id).status == "resolved"


def test_staff_form_saves_nothing_when_the_status_move_is_not_allowed(client, login):
    agent = login("pmo")
    ticket = make_ticket(status="open")
    response = client.post(f"/helpdesk/{ticket.number}/update", data={
        "assignee": agent.id, "status": "new", "priority": "urgent", "category": "other",
        "version": ticket.version})
    assert response.status_code == 422
    assert "cannot become new" in response.get_data(as_text=True)
    fresh = Ticket.get_by_id(ticket.id)
    assert (fresh.assignee_id, fresh.priority, fresh.category, fresh.version) == (None, "normal", "methodology", ticket.version)


def test_merge_twice_and_merging_a_closed_ticket(client, login):
    from portal.notify.models import Notification
    login("pmo")
    original, duplicate = make_ticket(subject="Original"), make_ticket(subject="Duplicate")
    for _ in range(2):
        assert client.post(f"/helpdesk/{duplicate.number}/merge",
                           data={"into": original.reference, "token": "same"}).status_code == 303
    assert Reply.select().where(Reply.ticket == original.id).count() == 1
    assert Notification.select().where(Notification.user == duplicate.requester_id).count() == 1
    again = client.post(f"/helpdesk/{duplicate.number}/merge", data={"into": original.reference, "token": "new"},
                        follow_redirects=True)
    assert "closed already" in again.get_data(as_text=True)


def test_requester_of_a_merged_ticket_sees_no_link_to_a_ticket_they_cannot_open(app, client, login):
    requester = login("member")
    original = make_ticket(subject="Someone else's original")
    duplicate = make_ticket(requester=requester, subject="My duplicate")
    from portal.helpdesk.services import merge
    merge(duplicate, original.number, make_user("pmo"), "tok", CAL)
    page = client.get(f"/helpdesk/{duplicate.number}").get_data(as_text=True)
    assert "Closed as a duplicate of another question" in page
    assert original.reference not in page


@pytest.mark.parametrize("url", ["/helpdesk/99999999999999999999999", "/helpdesk/%C2%B2", "/helpdesk/PMO-%C2%B2",
                                 "/helpdesk/?q=%C2%B2", "/helpdesk/?_method=POST", "/helpdesk/?_external=1&view=all",
                                 "/helpdesk/1001/canned?answer=99999999999999999999999"])
def test_odd_numbers_and_query_keys_never_break_pages(client, login, url):
    login("pmo")
    make_ticket()
    assert client.get(url).status_code in (200, 404)


def test_bulk_with_odd_numbers_is_harmless(client, login):
    login("pmo")
    ticket = make_ticket()
    response = client.post("/helpdesk/bulk", data={"ticket": ["²", "99999999999999999999", str(ticket.number)],
                                                   "assignee": "99999999999999999999", "status": "waiting"})
    assert response.status_code == 303
    assert Ticket.get_by_id(ticket.id).status == "waiting"


def test_expired_session_on_a_polled_fragment_returns_to_the_page_after_sign_in(client):
    response = client.get("/helpdesk/?view=all", headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/helpdesk/?view=mine"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/helpdesk/?view%3Dmine"


@pytest.mark.parametrize("sort", ["due", "priority", "newest"])
def test_deep_queue_pages_list_every_ticket_once_in_queue_order(app, sort):
    from portal.helpdesk.queue import CLOCK_RANK, PRIORITY_RANK, SHOWN_DUE, queue
    agent, asker = make_user("pmo"), make_user("member")
    shared_due = dt.datetime(2026, 3, 2, 12, 0)  # ties: the newest ticket first among equal due times
    tickets = [make_ticket(asker, subject=f"Queue order {i}", priority=("low", "high", "normal")[i % 3],
                           resolution_due=shared_due if i % 2 else shared_due + dt.timedelta(hours=i),
                           assignee=agent.id if i % 4 == 0 else None) for i in range(11)]
    order = {"due": (CLOCK_RANK, SHOWN_DUE), "priority": (PRIORITY_RANK, Ticket.resolution_due),
             "newest": (Ticket.created_at.desc(),)}[sort]
    expected = [t.id for t in Ticket.select(Ticket.id).order_by(*order, Ticket.id.desc())]
    pages = [queue(agent, "all", sort=sort, page=n, per_page=4)[0] for n in (1, 2, 3, 4)]
    assert [p.total for p in pages] == [11] * 4 and [len(p) for p in pages] == [4, 4, 3, 0]
    listed = [t.id for p in pages for t in p.rows]
    assert listed == expected and len(set(listed)) == len(tickets)
    row = next(t for p in pages for t in p.rows if t.id == tickets[4].id)
    assert row.requester.name == asker.name and row.assignee_user.name == agent.name


def test_a_requesters_queue_pages_hold_only_their_tickets(app):
    from portal.helpdesk.queue import queue
    asker, other = make_user("member"), make_user("member")
    mine = [make_ticket(asker, subject=f"Mine {i}") for i in range(5)]
    make_ticket(other, subject="Not mine")
    first, second = (queue(asker, "all", page=n, per_page=3)[0] for n in (1, 2))
    assert first.total == 5 and {t.id for t in first.rows + second.rows} == {t.id for t in mine}
