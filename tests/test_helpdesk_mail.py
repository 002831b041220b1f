"""The help desk by e-mail, through a real IMAP server (Dovecot) and a real SMTP sink.

Every mail of the corpus (tests/data/mail/) is delivered by IMAP APPEND and read by
`portal mail fetch`'s own code, on SQLite and PostgreSQL.
"""
import email
import socket
from email import policy
from pathlib import Path

import pytest

from portal.helpdesk import mail_fetch
from portal.helpdesk.mail_thread import ticket_thread
from portal.helpdesk.models import Attachment, InboundMail, Reply, Ticket
from portal.helpdesk.services import add_reply, change_status
from portal.helpdesk.sla import BusinessCalendar
from portal.notify.models import MailDelivery, Notification
from portal.notify.outbox import send_pending
from tests.factories import make_ticket, make_user
from tests.test_notify_mail import Inbox

CORPUS = Path(__file__).parent / "data" / "mail"
pytestmark = pytest.mark.timeout(60)


def corpus(name: str, **replace) -> bytes:
    raw = (CORPUS / name).read_bytes()
    for key, value in replace.items():
        raw = raw.replace(f"@@{key.upper()}@@".encode(), value.encode())
    return raw


@pytest.fixture
def desk(app, mailbox, tmp_path):
    """The mailbox, an upload folder, and the people who write from the corpus."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        people = {"mei": make_user("member", email="mei.lin@corp.example", name="Mei Lin"),
                  "jonas": make_user("member", email="jonas.berg@corp.example", name="Jonas Berg"),
                  "joerg": make_user("member", email="joerg.mueller@corp.example", name="Jörg Müller"),
                  "agent": make_user("pmo", email="priya.patel@corp.example", name="Priya Patel")}
        yield mailbox, people


@pytest.fixture
def smtp(app):
    from aiosmtpd.controller import Controller
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, BASE_URL="https://pmo.example.test")
    yield inbox
    controller.stop()


def fetch(app):
    with app.app_context():
        return mail_fetch.fetch()


def test_outlook_html_opens_a_ticket_as_plain_text_without_history(app, desk):
    mailbox, people = desk
    mailbox.append(corpus("outlook_html.eml"))
    report = fetch(app)
    ticket = Ticket.get()
    assert report.lines[0].startswith("ticket PMO-1001")
    assert ticket.requester_id == people["mei"].id and ticket.subject == "Template for the stage gate review?"
    assert ticket.category == "templates" and ticket.status == "new"
    assert "Which template do we use for the stage gate review" in ticket.body
    for canary in ("outlook-script-canary", "hover-canary", "javascript:", "OLD-HISTORY-CANARY", "<p", "<b>"):
        assert canary not in ticket.body
    assert "&lt;draft&gt;" in ticket.body  # what the mail showed as text stays text
    assert "&lt;draft&gt;" in ticket.rendered_html and "<script" not in ticket.rendered_html
    assert mailbox.subjects("INBOX") == [] and mailbox.subjects("Processed") == [ticket.subject]


def test_gmail_reply_lands_on_its_ticket_without_the_quoted_history_and_reopens_it(app, desk):
    mailbox, people = desk
    with app.app_context():
        ticket = make_ticket(people["mei"], subject="Access to the portfolio tool", category="tools")
        add_reply(ticket, people["agent"], "Please try again after 5 pm.", "t1", BusinessCalendar(),
                  new_status="resolved")
        thread = ticket_thread(ticket.number)
    mailbox.append(corpus("gmail_reply.eml", in_reply_to=thread.replace(">", ".0a1b2c3d4e5f6a7b>"),
                          thread=thread))
    fetch(app)
    reply = Reply.select().order_by(Reply.id.desc()).first()
    fresh = Ticket.get_by_id(ticket.id)
    assert reply.ticket_id == ticket.id and reply.author_id == people["mei"].id and not reply.internal
    assert reply.body.startswith("Thanks, that worked — I can log in now.")
    assert "deputy" in reply.body and "QUOTED-HISTORY-CANARY" not in reply.body and "wrote:" not in reply.body
    assert fresh.status == "open" and fresh.resolved_at is None
    assert Ticket.select().count() == 1


def test_reply_matched_by_the_subject_when_headers_are_missing(app, desk):
    mailbox, people = desk
    with app.app_context():
        ticket = make_ticket(people["mei"], subject="Access to the portfolio tool")
    raw = corpus("gmail_reply.eml", in_reply_to="<unrelated@mail.gmail.com>", thread="<other@mail.gmail.com>")
    mailbox.append(raw)
    fetch(app)
    assert Reply.get().ticket_id == ticket.id and Ticket.select().count() == 1


def test_a_forged_portal_message_id_names_no_ticket(app, desk):
    mailbox, people = desk
    with app.app_context():
        make_ticket(people["jonas"], subject="Jonas's own question")
    forged = "<pmo-ticket-1001.000000000000@corp.example>"
    raw = corpus("gmail_reply.eml", in_reply_to=forged, thread=forged).replace(b"[PMO-1001] ", b"")
    mailbox.append(raw)
    fetch(app)
    assert Reply.select().count() == 0 and Ticket.select().count() == 2  # a new question instead


def test_inline_image_and_pdf_become_attachments(app, desk):
    mailbox, people = desk
    mailbox.append(corpus("inline_image_pdf.eml"))
    fetch(app)
    ticket = Ticket.get()
    files = {a.filename: a for a in Attachment.select().where(Attachment.ticket == ticket.id)}
    assert set(files) == {"screenshot.png", "gantt-export.pdf"}
    assert files["gantt-export.pdf"].content_type == "application/pdf"
    stored = Path(app.config["UPLOAD_DIR"]) / files["gantt-export.pdf"].stored_name
    assert stored.read_bytes().startswith(b"%PDF-1.4")
    assert ticket.requester_id == people["jonas"].id and "cut off after March" in ticket.body


@pytest.mark.parametrize("name", ["out_of_office.eml", "bounce_dsn.eml", "mailing_list.eml"])
def test_machine_mail_is_never_answered_and_opens_nothing(app, desk, smtp, name):
    mailbox, people = desk
    app.config["MAIL_IN_UNKNOWN"] = "invite"  # even then: no answer to software
    with app.app_context():
        ticket = make_ticket(people["mei"], subject="Access to the portfolio tool")
        thread = ticket_thread(ticket.number)
    mailbox.append(corpus(name, in_reply_to=thread))
    report = fetch(app)
    with app.app_context():
        send_pending()
    assert report.lines[0].startswith("automatic")
    assert Ticket.select().count() == 1 and Reply.select().count() == 0
    assert smtp.messages == []
    assert InboundMail.get().outcome == "automatic"
    assert mailbox.subjects("Processed")  # filed away, not lost


def test_non_utf8_charsets_are_read_correctly(app, desk):
    mailbox, people = desk
    mailbox.append(corpus("latin1.eml"))
    fetch(app)
    ticket = Ticket.get()
    assert ticket.subject == "Schulung „Risikomanagement“ – Termin"
    assert "Grüße aus Köln" in ticket.body and ticket.requester_id == people["joerg"].id
    assert ticket.category == "other"  # no English hint in it: the general category


def test_an_oversize_attachment_is_left_out_with_a_note_and_the_rest_kept(app, desk):
    mailbox, people = desk
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # the form's limit, made small for the test
    mailbox.append(corpus("oversize_attachment.eml"))
    fetch(app)
    ticket = Ticket.get()
    assert [a.filename for a in Attachment.select()] == ["summary.csv"]
    assert "“archive.zip” (0.1 MB) was not added" in ticket.body
    assert len(list(Path(app.config["UPLOAD_DIR"]).glob("[0-9a-f]" * 32))) == 1  # no stray file for the zip


def test_malformed_mail_is_moved_aside_and_reported_never_lost(app, desk):
    mailbox, people = desk
    mailbox.append(corpus("malformed.eml"))
    report = fetch(app)
    assert report.unreadable == 1 and Ticket.select().count() == 0
    assert mailbox.subjects("INBOX") == [] and mailbox.subjects("Unprocessable") == ["broken"]
    note = Notification.get(Notification.user == people["agent"].id)
    assert "could not be read" in note.text and "Unprocessable" in note.text


def test_the_same_message_id_twice_is_one_ticket(app, desk):
    mailbox, _ = desk
    mailbox.append(corpus("outlook_html.eml"))
    fetch(app)
    mailbox.append(corpus("outlook_html.eml"))
    report = fetch(app)
    assert report.lines == [report.lines[0]] and report.lines[0].startswith("duplicate")
    assert Ticket.select().count() == 1 and len(mailbox.subjects("Processed")) == 2


def test_reply_from_someone_who_may_not_see_the_ticket_is_not_added(app, desk):
    mailbox, people = desk
    with app.app_context():
        ticket = make_ticket(people["jonas"], subject="Access to the portfolio tool")  # Jonas's, not Mei's
        thread = ticket_thread(ticket.number)
    mailbox.append(corpus("gmail_reply.eml", in_reply_to=thread, thread=thread))
    report = fetch(app)
    assert report.lines[0].startswith("refused")
    assert Reply.select().count() == 0 and Ticket.select().count() == 1


def test_reply_to_a_closed_ticket_opens_a_follow_up(app, desk):
    mailbox, people = desk
    with app.app_context():
        ticket = make_ticket(people["mei"], subject="Access to the portfolio tool", status="closed")
        thread = ticket_thread(ticket.number)
    mailbox.append(corpus("gmail_reply.eml", in_reply_to=thread, thread=thread))
    fetch(app)
    follow_up = Ticket.get(Ticket.number == 1002)
    assert follow_up.body.startswith("Follow-up to PMO-1001") and Reply.select().count() == 0


@pytest.mark.parametrize("setting, answers", [("ignore", 0), ("invite", 1)])
def test_unknown_senders_are_ignored_or_answered_once(app, desk, smtp, setting, answers):
    mailbox, _ = desk
    app.config["MAIL_IN_UNKNOWN"] = setting
    for n in range(3):
        raw = corpus("latin1.eml").replace(b"joerg.mueller@", b"stranger@").replace(
            b"<4711.0815@", f"<stranger-{n}@".encode())
        mailbox.append(raw)
    fetch(app)
    assert Ticket.select().count() == 0
    assert MailDelivery.select().count() == answers  # queued with the record of the mail
    with app.app_context():
        send_pending()  # as `portal mail fetch` does after reading
    assert len(smtp.messages) == answers
    if answers:
        answer = email.message_from_string(smtp.messages[0][1], policy=policy.default)
        assert smtp.messages[0][0] == ["stranger@corp.example"]
        assert answer["Auto-Submitted"] == "auto-replied" and answer["In-Reply-To"] == "<stranger-0@mailer.corp.example>"
        assert "/helpdesk/new" in answer.get_content()


def test_an_answer_to_a_stranger_waits_in_the_outbox_while_the_mail_server_is_down(app, desk, smtp):
    mailbox, _ = desk
    app.config["MAIL_IN_UNKNOWN"] = "invite"
    working_port = app.config["SMTP_PORT"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        app.config["SMTP_PORT"] = s.getsockname()[1]  # nothing listens there once closed
    mailbox.append(corpus("latin1.eml").replace(b"joerg.mueller@", b"stranger@"))
    fetch(app)
    with app.app_context():
        assert send_pending() == (0, 1)
    delivery = MailDelivery.get()
    assert delivery.state == "pending" and delivery.last_error and smtp.messages == []
    assert InboundMail.get().outcome == "invited"
    app.config["SMTP_PORT"] = working_port
    with app.app_context():
        assert send_pending() == (1, 0)  # the next run sends it: nothing was lost
    assert [to for to, _ in smtp.messages] == [["stranger@corp.example"]]


def test_outgoing_ticket_mail_threads_and_a_reply_comes_back_while_a_loop_is_dropped(app, desk, smtp):
    mailbox, people = desk
    with app.app_context():
        ticket = make_ticket(people["mei"], subject="Access to the portfolio tool")
        calendar = BusinessCalendar()
        add_reply(ticket, people["agent"], "Please check the **access** form.", "r1", calendar)
        add_reply(ticket, people["agent"], "INTERNAL-CANARY note", "r2", calendar, internal=True)
        change_status(Ticket.get_by_id(ticket.id), people["agent"], "resolved", Ticket.get_by_id(ticket.id).version,
                      calendar)
        send_pending()
        thread = ticket_thread(ticket.number)
    assert len(smtp.messages) == 2 and all(to == ["mei.lin@corp.example"] for to, _ in smtp.messages)
    assert not any("INTERNAL-CANARY" in text for _, text in smtp.messages)
    sent = [email.message_from_string(text, policy=policy.default) for _, text in smtp.messages]
    for message in sent:
        assert message["In-Reply-To"] == thread and message["References"] == thread
        assert message["Reply-To"] == "helpdesk@corp.example"
        assert message["Subject"] == "[PMO-1001] Access to the portfolio tool"
        assert message["Message-ID"].startswith(thread[:-len("@corp.example>")])
    assert sent[0]["Message-ID"] != sent[1]["Message-ID"]
    assert "Please check the **access** form." in sent[0].get_content()

    # The portal's own mail coming back (a misrouted copy) is dropped...
    mailbox.append(smtp.messages[0][1].encode())
    # ...while the requester's reply to it (from a mail client: no portal headers but the thread) lands.
    reply = email.message.EmailMessage()
    reply["From"] = "Mei Lin <mei.lin@corp.example>"
    reply["To"] = "helpdesk@corp.example"
    reply["Subject"] = "RE: " + sent[0]["Subject"].replace("[PMO-1001] ", "")
    reply["Message-ID"] = "<reply-1@corp.example>"
    reply["In-Reply-To"] = sent[0]["Message-ID"]
    reply["References"] = f"{thread} {sent[0]['Message-ID']}"
    reply.set_content("It still fails for me.\n\n-----Original Message-----\nFrom: PMO Portal\nOld text")
    mailbox.append(reply.as_bytes())
    report = fetch(app)
    assert [line.split(" ")[0].rstrip(":") for line in report.lines] == ["loop", "reply"]
    fresh = Ticket.get_by_id(ticket.id)
    assert fresh.status == "open"
    assert Reply.select().where(Reply.author == people["mei"].id).get().body == "It still fails for me."


def test_fetch_command_reports_an_unreachable_mailbox_and_exits_non_zero(app, desk):
    from portal.helpdesk.cli import mail_group
    mailbox, _ = desk
    app.config["MAIL_IN_PORT"] = 1  # nothing listens there
    result = app.test_cli_runner().invoke(mail_group, ["fetch"])
    assert result.exit_code != 0 and "Cannot reach the mailbox" in result.output


def test_fetch_command_reads_the_mailbox(app, desk):
    from portal.helpdesk.cli import mail_group
    mailbox, _ = desk
    mailbox.append(corpus("latin1.eml"))
    mailbox.append(corpus("malformed.eml"))
    result = app.test_cli_runner().invoke(mail_group, ["fetch"])
    assert result.exit_code == 0, result.output
    assert "ticket PMO-1001" in result.output and "2 mail(s) read, 1 set aside, 0 failed." in result.output
