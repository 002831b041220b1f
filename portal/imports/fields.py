"""What can be imported: the fields of a project and of a risk or issue, how a cell becomes a value,
and which column headers are guessed to mean which field."""
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_AMOUNT = Decimal("1000000000000")


class CellError(ValueError):
    """A cell that cannot become the field's value; the message is for the person who made the file."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, date, amount, score, person, choice
    required: bool = False
    limit: int = 0
    choices: tuple = ()
    aliases: tuple = field(default=())
    help: str = ""


PROJECT_FIELDS = (
    Field("code", "Code", required=True, limit=20, aliases=("project code", "project id", "id", "ref", "reference"),
          help="unique; a re-import with the same code updates the project"),
    Field("name", "Name", required=True, limit=120, aliases=("project", "project name", "title")),
    Field("manager", "Manager", "person", required=True, aliases=("project manager", "pm", "manager email", "owner"),
          help="e-mail or full name of a person with the manager, PMO or admin role"),
    Field("sponsor", "Sponsor", "person", aliases=("sponsor email", "executive sponsor")),
    Field("department", "Department", limit=120, aliases=("dept", "business unit", "division")),
    Field("category", "Category", limit=60, aliases=("type", "project type")),
    Field("start_date", "Start date", "date", aliases=("start", "starts", "begin")),
    Field("end_date", "End date", "date", aliases=("end", "finish", "due", "ends")),
    Field("budget", "Budget", "amount", aliases=("approved budget", "cost", "budget eur", "budget usd")),
    Field("summary", "Summary", limit=2000, aliases=("description", "notes")),
    Field("state", "State", "choice", choices=("active", "on_hold", "closed"), aliases=("status",),
          help="active (the default), on hold or closed; applied to new projects only"),
    Field("reporting_cadence", "Reporting cadence", "choice", choices=("weekly", "fortnightly", "monthly"),
          aliases=("cadence", "reporting")),
)

RISK_FIELDS = (
    Field("project", "Project code", required=True, limit=20, aliases=("project", "code", "project id")),
    Field("type", "Risk or issue", "choice", choices=("risk", "issue"), aliases=("kind", "record type", "log"),
          help="risk (the default) or issue"),
    Field("ref", "Risk or issue id", limit=20, aliases=("id", "reference", "number"),
          help="R-12 or I-7 from an export, to update that record"),
    Field("title", "Title", required=True, limit=200, aliases=("risk", "issue", "name", "summary")),
    Field("description", "Description", limit=5000, aliases=("details",)),
    Field("category", "Category", "choice",
          choices=("schedule", "cost", "scope", "quality", "resources", "technical", "supplier", "compliance",
                   "other"), aliases=("risk category",), help="risks; other when empty"),
    Field("probability", "Probability", "score", aliases=("likelihood", "p")),
    Field("impact", "Impact", "score", aliases=("severity", "i")),
    Field("priority", "Priority", "score", aliases=("issue priority",), help="issues, 1 to 5; 3 when empty"),
    Field("owner", "Owner", "person", aliases=("owner email", "assigned to", "responsible"),
          help="e-mail or full name; the project's manager when empty"),
    Field("response", "Response", "choice", choices=("avoid", "mitigate", "transfer", "accept"),
          aliases=("strategy", "treatment")),
    Field("mitigation", "Mitigation", limit=5000, aliases=("mitigation plan", "actions")),
    Field("contingency", "Contingency", limit=5000),
    Field("trigger", "Trigger", limit=500),
    Field("review_date", "Review date", "date", aliases=("next review", "review")),
    Field("due_date", "Due date", "date", aliases=("due", "target date")),
    Field("status", "Status", "choice",
          choices=("open", "monitoring", "closed", "occurred", "in_progress", "resolved"), aliases=("state",)),
    Field("resolution", "Resolution", limit=5000),
)

FIELDS = {"projects": PROJECT_FIELDS, "risks": RISK_FIELDS}
KINDS = {"projects": "Projects", "risks": "Risks and issues"}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int | None]:
    """{field name: column index or None}, matching headers to field names, labels and aliases."""
    names = [normalise(h) for h in headers]
    mapping, taken = {}, set()
    for f in FIELDS[kind]:
        wanted = [normalise(f.name), normalise(f.label), *(normalise(a) for a in f.aliases)]
        column = next((i for w in wanted for i, n in enumerate(names) if n == w and i not in taken), None)
        mapping[f.name] = column
        if column is not None:
            taken.add(column)
    return mapping


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    return str(value).strip()


def as_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = as_text(value)
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(f"“{text[:40]}” is not a date; write it as YYYY-MM-DD, e.g. 2026-03-31")


def as_amount(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise CellError("is not an amount")
    text = as_text(value) if not isinstance(value, (int, float, Decimal)) else str(value)
    cleaned = re.sub(r"[\s,'’€$£]", "", text)
    try:
        amount = Decimal(cleaned)
    except (InvalidOperation, ValueError):
        raise CellError(f"“{text[:40]}” is not an amount; write digits only, e.g. 125000.50") from None
    if not amount.is_finite() or not Decimal(0) <= amount < MAX_AMOUNT:
        raise CellError("must be an amount from 0 to 999,999,999,999")
    return amount.quantize(Decimal("0.01"))


def as_score(value):
    if value in (None, ""):
        return None
    text = as_text(value)
    if not re.fullmatch(r"[1-5](\.0+)?", text):
        raise CellError(f"“{text[:40]}” should be a whole number from 1 to 5")
    return int(float(text))


def as_choice(f: Field, value):
    text = normalise(as_text(value)).replace(" ", "_")
    if not text:
        return None
    if text not in f.choices:
        raise CellError(f"“{as_text(value)[:40]}” is not one of: {', '.join(c.replace('_', ' ') for c in f.choices)}")
    return text


def convert(f: Field, value, people: dict):
    """The value of field `f` from one cell; CellError with a plain message when it cannot be."""
    if f.kind == "date":
        return as_date(value)
    if f.kind == "amount":
        return as_amount(value)
    if f.kind == "score":
        return as_score(value)
    if f.kind == "choice":
        return as_choice(f, value)
    text = as_text(value)
    if f.kind == "person":
        if not text:
            return None
        found = people.get(text.lower())
        if found is None:
            raise CellError(f"nobody active in the portal has the e-mail or name “{text[:60]}”")
        if found == "ambiguous":
            raise CellError(f"several people are called “{text[:60]}”; use the e-mail address")
        return found
    if f.limit and len(text) > f.limit:
        raise CellError(f"is {len(text):,} characters long; at most {f.limit:,} fit")
    return text
