"""Reading one incoming mail: sender, subject, text (HTML made plain, history trimmed), attachments,
and whether a machine sent it. Only the standard `email` package; no regexes over the body."""
import hashlib
import mimetypes
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from portal.mail import one_line

MAX_TEXT = 200_000  # characters of a body looked at; the ticket's own cap applies after trimming
# Headers by which software marks mail no person wrote (RFC 3834, Microsoft, mailing lists).
LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post", "Mailing-List")
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
MACHINE_SENDERS = {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"}


class UnreadableMail(Exception):
    """The mail cannot be read as a mail: it is set aside for a person to look at."""


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    automatic: str = ""  # why software sent it ('' for a person's mail)
    references: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    to: list[str] = field(default_factory=list)


def parse_mail(raw: bytes) -> ParsedMail:
    """Read `raw` (RFC 5322 bytes); UnreadableMail when there is no sender or the structure is broken."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        return _read(message, raw)
    except UnreadableMail:
        raise
    except Exception as exc:  # the email package raises many kinds on hostile input
        raise UnreadableMail(f"{type(exc).__name__}: {exc}"[:200]) from exc


def _header(message, name: str) -> str:
    value = message.get(name)
    return one_line(str(value)) if value is not None else ""


def _read(message: EmailMessage, raw: bytes) -> ParsedMail:
    broken = [d for d in message.defects if type(d).__name__ in
              {"NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect", "MissingHeaderBodySeparatorDefect"}]
    if broken:
        raise UnreadableMail(f"broken structure: {type(broken[0]).__name__}")
    name, address = parseaddr(_header(message, "From"))
    address = address.strip().lower()
    if "@" not in address or " " in address:
        raise UnreadableMail("no sender address")
    message_id = _header(message, "Message-ID").strip()[:255]
    if not message_id:
        message_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    references = (_header(message, "In-Reply-To").split() + list(reversed(_header(message, "References").split())))
    body_part = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body_part is not None:
        text = _text_of(body_part)
        if body_part.get_content_subtype() == "html":
            text = html_to_text(text)
    return ParsedMail(
        message_id=message_id, sender=address, sender_name=one_line(name)[:120],
        subject=_header(message, "Subject")[:1000], text=trim_history(text), automatic=automatic_reason(message, address),
        references=references[:50], attachments=list(_attachments(message, body_part)),
        to=[a.lower() for _, a in getaddresses([_header(message, "To"), _header(message, "Cc")]) if a])


def _text_of(part) -> str:
    """The part's text in its declared charset; an unknown or wrong charset is read as Latin-1 (never fails)."""
    try:
        text = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "latin-1"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("latin-1", errors="replace")
    if not isinstance(text, str):
        text = bytes(text).decode("latin-1", errors="replace")
    return text[:MAX_TEXT].replace("\r\n", "\n").replace("\r", "\n")


def automatic_reason(message, address: str) -> str:
    """Why this mail was sent by software ('' when a person wrote it): such mail is never answered."""
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").lower()
    if precedence in AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if message.get("X-Auto-Response-Suppress") is not None:
        return "X-Auto-Response-Suppress"
    if message.get("X-Autoreply") is not None or message.get("X-Autorespond") is not None:
        return "auto-reply header"
    for name in LIST_HEADERS:
        if message.get(name) is not None:
            return f"mailing list ({name})"
    if address.split("@")[0] in MACHINE_SENDERS:
        return f"sent by {address.split('@')[0]}"
    return_path = message.get("Return-Path")
    if return_path is not None and parseaddr(str(return_path))[1] == "":
        return "empty return path"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return ""


def _attachments(message: EmailMessage, body_part):
    """Every file in the mail (attached or inline), except the text chosen as the body and its alternatives."""
    for index, part in enumerate(message.walk(), start=1):
        if part.is_multipart() or part is body_part:
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if part.get_content_maintype() == "text" and not filename and disposition != "attachment":
            continue  # the other alternative of the body
        if part.get_content_type() == "message/rfc822" and not filename:
            filename = "forwarded-message.eml"
        data = part.get_payload(decode=True)
        if data is None:
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
        extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
        yield Attachment(one_line(filename or f"attachment-{index}{extension}"), part.get_content_type()[:100], data)


class _TextFromHtml(HTMLParser):
    """HTML to plain text: the words and line breaks a reader sees; scripts, styles and markup dropped."""

    BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "hr", "table",
              "ul", "ol", "pre"}
    HIDDEN = {"script", "style", "head", "title", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.hidden, self.links = [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "hr":
            self.parts.append("\n________________________________\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href.startswith(("http://", "https://")):
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if self.hidden or not data:
            return
        words = " ".join(data.split())
        # Runs of white space count as one space, as a browser shows them, but are not dropped.
        lead = " " if data[0].isspace() else ""
        trail = " " if data[-1].isspace() and words else ""
        self.parts.append(f"{lead}{words}{trail}")


def html_to_text(markup: str) -> str:
    """The text of an HTML mail, as plain lines (never HTML: what looks like a tag is just text after this)."""
    parser = _TextFromHtml()
    parser.feed(markup[:MAX_TEXT])
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    # What the HTML showed as a character stays a character: '<' and '>' never become markup again.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def _history_starts(lines: list[str], i: int) -> bool:
    """Whether line `i` begins quoted history: 'On … wrote:', Outlook's header block, 'Original Message'."""
    line = lines[i].strip()
    nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
    lower = line.lower()
    if lower.startswith(("on ", "am ", "le ", "op ")) and (
            lower.endswith(("wrote:", "schrieb:", "a écrit :", "a écrit:", "geschreven:"))
            or nxt.lower().endswith(("wrote:", "schrieb:"))):
        return True
    if "original message" in lower and line.startswith("-"):
        return True
    if lower.startswith(("from:", "von:", "de:")):
        following = [s.strip().lower() for s in lines[i + 1:i + 5]]
        return any(s.startswith(("sent:", "date:", "gesendet:", "envoyé :", "to:")) for s in following)
    if line.startswith("_" * 10) and nxt.lower().startswith(("from:", "von:", "de:")):
        return True
    return False


def trim_history(text: str) -> str:
    """`text` without the quoted history and the signature where they are recognisable.

    When trimming would leave nothing, the text is kept whole: nothing a person wrote is dropped silently.
    """
    lines = text.split("\n")
    end = len(lines)
    for i in range(len(lines)):
        stripped = lines[i].rstrip()
        if stripped in ("--", "-- ") or _history_starts(lines, i) or \
                stripped.lower() in ("sent from my iphone", "sent from my ipad", "get outlook for ios",
                                     "get outlook for android"):
            end = i
            break
    kept = lines[:end]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(kept).strip()
    return result or text.strip()
