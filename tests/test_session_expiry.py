"""A form sent after the session ended keeps what was typed: sign in again and it is sent on."""
import re
from html import unescape

from portal.helpdesk.models import Ticket
from tests.factories import PASSWORD, make_user

ORIGIN = {"Origin": "http://localhost"}  # what a browser sends with a form from the portal's own page
QUESTION = {"subject": "Which template for a change request?", "body": "We need it by Friday.\n\nThanks!",
            "category": "templates", "priority": "normal", "project": ""}


def _hidden(page: str, name: str) -> list[str]:
    return [unescape(v) for v in re.findall(rf'name="{name}" value="([^"]*)"', page)]


def test_an_expired_session_keeps_the_form_and_sends_it_after_signing_in(app):
    user = make_user("member")
    client = app.test_client()  # no session at all: as after the cookie expired
    lost = client.post("/helpdesk/new", data={**QUESTION, "csrf_token": "stale"}, csrf=False, headers=ORIGIN)
    assert lost.status_code == 401
    page = lost.get_data(as_text=True)
    assert "Your session ended before this was sent" in page and "Sign in and send" in page
    assert "Form expired" not in page
    assert _hidden(page, "resume_target") == ["/helpdesk/new"]
    names, values = _hidden(page, "carry_name"), _hidden(page, "carry_value")
    assert dict(zip(names, values, strict=True))["body"] == QUESTION["body"]
    assert "csrf_token" not in names
    token = _hidden(page, "csrf_token")[0]
    wrong = client.post("/login", data={"csrf_token": token, "email": user.email, "password": "nope",
                                        "resume_target": "/helpdesk/new", "carry_name": names,
                                        "carry_value": values}, csrf=False)
    assert wrong.status_code == 401 and _hidden(wrong.get_data(as_text=True), "carry_name") == names
    signed = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD,
                                         "resume_target": "/helpdesk/new", "carry_name": names,
                                         "carry_value": values}, csrf=False)
    assert signed.status_code == 200
    resend = signed.get_data(as_text=True)
    assert 'action="/helpdesk/new"' in resend and "data-autosubmit" in resend
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', resend))
    fields = {k: unescape(v) for k, v in fields.items()}
    assert Ticket.select().count() == 0
    sent = client.post("/helpdesk/new", data=fields, csrf=False)
    assert sent.status_code == 303
    ticket = Ticket.get()
    assert (ticket.subject, ticket.body.replace("\r\n", "\n")) == (QUESTION["subject"], QUESTION["body"])


def test_passwords_are_never_carried(app):
    client = app.test_client()
    page = client.post("/account/password", data={"current": "a", "new": "b", "confirm": "b", "csrf_token": "x",
                                                   "password": "c", "note": "kept"}, csrf=False,
                       headers=ORIGIN).get_data(as_text=True)
    assert _hidden(page, "carry_name") == ["note"]


def test_only_a_local_path_is_a_target(app):
    user = make_user("member")
    client = app.test_client()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/login"):
        token = client.csrf_token()
        answer = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD,
                                             "resume_target": target, "carry_name": "a", "carry_value": "b"},
                             csrf=False)
        assert answer.status_code == 303, target  # an ordinary sign-in, nothing re-sent
        client.post("/logout")


def test_still_signed_in_with_a_stale_token_offers_to_send_again(client, login):
    login("member")
    client.get("/helpdesk/new")
    answer = client.post("/helpdesk/new", data={**QUESTION, "csrf_token": "stale"}, csrf=False, headers=ORIGIN)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert "This form had expired" in page and "Send it again" in page and 'action="/helpdesk/new"' in page
    assert QUESTION["subject"] in page


def test_htmx_actions_are_redirected_to_sign_in_and_the_page_keeps_a_draft(app):
    client = app.test_client()
    answer = client.post("/helpdesk/new", data={**QUESTION, "csrf_token": "stale"}, csrf=False,
                         headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/helpdesk/new"})
    assert answer.status_code == 401
    assert answer.headers["HX-Redirect"] == "/login?next=/helpdesk/new"
    page = app.test_client().get("/login").get_data(as_text=True)
    assert "drafts.js" in page


def test_a_form_from_another_site_is_refused_plainly_never_offered_again(client, login):
    login("member")
    for headers in ({"Origin": "https://evil.example"}, {"Referer": "https://evil.example/page"}, {}):
        answer = client.post("/helpdesk/new", data={**QUESTION, "csrf_token": "x"}, csrf=False, headers=headers)
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400 and "Send it again" not in page and QUESTION["subject"] not in page
