"""`portal mail fetch`: read the help-desk mailbox over IMAP, hand each mail to mail_in, file it away.

A mail is moved (or flagged) only after what it asked was committed, so a
crash in between means it is read again next time, where its Message-ID makes
it a duplicate: mail is never lost and never makes two tickets.
"""
import logging
import ssl
import time
from dataclasses import dataclass, field

from flask import current_app
from imap_tools import AND, NOT, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted

from portal.db import db
from portal.helpdesk.mail_in import UnreadableMail, receive, report_unreadable

log = logging.getLogger("portal.helpdesk.mail")
DONE_KEYWORD = "$PortalDone"  # when no done folder is configured, read mail is flagged with this
TLS_MODES = ("ssl", "starttls", "none")


class MailSetupError(Exception):
    """The mailbox settings are incomplete or wrong: the command says which and exits non-zero."""


@dataclass
class FetchReport:
    lines: list[str] = field(default_factory=list)
    unreadable: int = 0
    failed: int = 0


def connect(config) -> BaseMailBox:
    """A logged-in mailbox on the configured folder; MailSetupError for missing or wrong settings."""
    host, mode = config.get("MAIL_IN_HOST"), config.get("MAIL_IN_TLS", "ssl")
    if not host or not config.get("MAIL_IN_USER"):
        raise MailSetupError("Set PORTAL_MAIL_IN_HOST and PORTAL_MAIL_IN_USER (and the password) to read mail.")
    if mode not in TLS_MODES:
        raise MailSetupError(f"PORTAL_MAIL_IN_TLS must be one of {', '.join(TLS_MODES)}, not {mode!r}.")
    port = config.get("MAIL_IN_PORT") or (993 if mode == "ssl" else 143)
    if mode == "ssl":
        box = MailBox(host, port, timeout=60, ssl_context=ssl.create_default_context())
    elif mode == "starttls":
        box = MailBoxStartTls(host, port, timeout=60, ssl_context=ssl.create_default_context())
    else:
        box = MailBoxUnencrypted(host, port, timeout=60)
    box.login(config["MAIL_IN_USER"], config.get("MAIL_IN_PASSWORD", ""), initial_folder=config["MAIL_IN_FOLDER"])
    for folder in (config.get("MAIL_IN_DONE_FOLDER"), config.get("MAIL_IN_ERROR_FOLDER")):
        if folder and not box.folder.exists(folder):
            box.folder.create(folder)
    return box


def _file_away(box: BaseMailBox, uid: str, folder: str | None) -> None:
    if folder:
        box.move(uid, folder)
    else:
        box.flag(uid, DONE_KEYWORD, True)


def fetch_once(box: BaseMailBox, config, limit: int = 500) -> FetchReport:
    """Read up to `limit` waiting mails of the open folder and file each away; returns what happened."""
    report = FetchReport()
    done, aside = config.get("MAIL_IN_DONE_FOLDER") or None, config.get("MAIL_IN_ERROR_FOLDER") or None
    criteria = AND(all=True) if done else NOT(keyword=DONE_KEYWORD)
    for message in box.fetch(criteria, mark_seen=False, limit=limit, bulk=False):
        raw = message.obj.as_bytes()
        try:
            with db.connection_context():
                outcome = receive(raw)
        except UnreadableMail as exc:
            report.unreadable += 1
            target = aside or done
            _file_away(box, message.uid, target)
            with db.connection_context():
                report_unreadable(str(exc), target or "(left in place, flagged)")
            report.lines.append(f"unreadable: moved to {target}: {exc}")
            continue
        except Exception as exc:  # a database or file store problem: leave the mail for the next run
            log.exception("Mail %s could not be handled", message.uid)
            report.failed += 1
            report.lines.append(f"failed (left in the mailbox for the next run): {type(exc).__name__}: {exc}")
            continue
        _file_away(box, message.uid, done)
        report.lines.append(outcome.line)
    return report


def fetch(config=None) -> FetchReport:
    """Connect, read what is waiting, disconnect."""
    config = config or current_app.config
    with connect(config) as box:
        return fetch_once(box, config)


def watch(config=None, echo=print, idle_seconds: int = 300) -> None:
    """Read what is waiting, then wait for new mail with IMAP IDLE and read again, until interrupted.

    A lost connection is reopened after a pause; the loop ends only on Ctrl-C or a signal.
    """
    config = config or current_app.config
    while True:
        try:
            with connect(config) as box:
                while True:
                    for line in fetch_once(box, config).lines:
                        echo(line)
                    box.idle.wait(timeout=idle_seconds)
        except MailSetupError:
            raise
        except (OSError, ConnectionError) as exc:
            echo(f"connection lost ({exc}); retrying in 30 s")
            time.sleep(30)
