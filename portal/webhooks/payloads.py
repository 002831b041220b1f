"""What a delivery's body looks like in each format, and its signature."""
import hashlib
import hmac

TITLES = {
    "request.submitted": "Project request submitted",
    "request.decided": "Project request decided",
    "status.filed": "Status report filed",
    "status.red": "Project turned red",
    "risk.escalated": "Risk escalated",
    "ticket.created": "New help-desk ticket",
    "ticket.breaching": "Help-desk SLA breached",
    "milestone.at_risk": "Milestone at risk",
    "ping": "Test from PMO Portal",
}
LINK_TEXT = "Open in PMO Portal"


def _facts(message: dict) -> list[tuple[str, str]]:
    return [(key.replace("_", " ").capitalize(), "" if value is None else str(value))
            for key, value in message["data"].items()]


def teams_card(message: dict) -> dict:
    """A message with one Adaptive Card: what Teams incoming webhooks and Workflows accept."""
    body = [{"type": "TextBlock", "text": TITLES.get(message["event"], message["event"]), "weight": "Bolder",
             "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": message["text"], "wrap": True}]
    facts = _facts(message)
    if facts:
        body.append({"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]})
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body}
    if message["url"]:
        card["actions"] = [{"type": "Action.OpenUrl", "title": LINK_TEXT, "url": message["url"]}]
    return {"type": "message", "summary": message["text"][:200],
            "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                             "content": card}]}


def _slack_escape(text: str) -> str:
    """Slack's mrkdwn reads &, < and > as markup: send them as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(message: dict) -> dict:
    """A Slack incoming-webhook message: `text` as the fallback, Block Kit sections for the rest."""
    title = TITLES.get(message["event"], message["event"])
    headline = f"*{_slack_escape(title)}*\n{_slack_escape(message['text'])}"
    if message["url"]:
        headline += f"\n<{message['url']}|{LINK_TEXT}>"
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": headline}}]
    facts = _facts(message)
    if facts:
        # Slack allows at most 10 fields per section.
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*{_slack_escape(k)}*\n{_slack_escape(v)[:1900] or '-'}"}
            for k, v in facts[:10]]})
    return {"text": f"{title}: {message['text']}", "blocks": blocks}


def format_body(fmt: str, message: dict) -> dict:
    """The JSON document sent to a webhook of format `fmt` (plain JSON is the envelope itself)."""
    if fmt == "teams":
        return teams_card(message)
    if fmt == "slack":
        return slack_message(message)
    return message


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Portal-Signature value: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """True when `header` signs `body` with `secret` within `tolerance` seconds (what a receiver checks)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), f"t={timestamp},v1={parts.get('v1', '')}")
