"""The help desk by e-mail, end to end: a mail becomes a ticket in the queue, the PMO answers in the
portal, the requester answers from their mail client, and the answer lands on the same ticket."""
import email
from email import policy
from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from portal.helpdesk import mail_fetch
from portal.helpdesk.models import Reply, Ticket
from portal.notify.outbox import send_pending
from tests.conftest import browser_sign_in
from tests.factories import make_user
from tests.test_helpdesk_mail import smtp  # noqa: F401  (the SMTP sink)

pytestmark = pytest.mark.browser


def _fetch(app):
    with app.app_context():
        return mail_fetch.fetch()


def test_mail_to_ticket_answer_and_reply_by_mail_on_the_same_ticket(page, app, mailbox, smtp, tmp_path):  # noqa: F811
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    requester = make_user("member", email="mei.lin@corp.example", name="Mei Lin")
    agent = make_user("pmo", name="Priya Patel")

    question = EmailMessage()
    question["From"] = "Mei Lin <mei.lin@corp.example>"
    question["To"] = "helpdesk@corp.example"
    question["Subject"] = "Which template for the closure report?"
    question["Message-ID"] = "<question-1@corp.example>"
    question.set_content("Hello, which template do we use for the closure report?\n\nMei")
    mailbox.append(question.as_bytes())
    assert _fetch(app).lines[0].startswith("ticket PMO-1001")

    # The mail is in the PMO's queue; they answer in the portal.
    browser_sign_in(page, agent)
    page.goto("/helpdesk/?view=unassigned")
    expect(page.get_by_role("row", name="Which template for the closure report?")).to_be_visible()
    page.get_by_role("link", name="PMO-1001").click()
    expect(page.get_by_text("which template do we use for the closure report?")).to_be_visible()
    page.locator("#reply-body").fill("Use the closure template in the knowledge base, section Templates.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()

    # The answer goes out by mail, threaded on the ticket, answering to the help desk.
    with app.app_context():
        send_pending()
    assert len(smtp.messages) == 1 and smtp.messages[0][0] == [requester.email]
    sent = email.message_from_string(smtp.messages[0][1], policy=policy.default)
    assert "Use the closure template" in sent.get_content() and sent["Reply-To"] == "helpdesk@corp.example"

    # Mei answers from her mail client: In-Reply-To and References name the portal's message.
    answer = EmailMessage()
    answer["From"] = "Mei Lin <mei.lin@corp.example>"
    answer["To"] = sent["Reply-To"]
    answer["Subject"] = "RE: " + sent["Subject"]
    answer["Message-ID"] = "<answer-1@corp.example>"
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["References"] = f"{sent['References']} {sent['Message-ID']}"
    quoted = "\n".join("> " + line for line in sent.get_content().splitlines())
    answer.set_content(f"Found it, thank you!\n\nOn Tue, 1 Dec 2026 at 10:00, PMO Portal wrote:\n{quoted}\n")
    mailbox.append(answer.as_bytes())
    assert _fetch(app).lines[0].startswith("reply PMO-1001")

    page.reload()
    expect(page.get_by_text("Found it, thank you!")).to_be_visible()
    assert Ticket.select().count() == 1
    assert Reply.select().where(Reply.author == requester.id).get().body == "Found it, thank you!"
    assert mailbox.subjects("INBOX") == [] and len(mailbox.subjects("Processed")) == 2
