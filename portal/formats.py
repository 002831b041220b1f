"""How the pages write dates, sizes, roles and section names: one format each, used by every template."""
import datetime

# Knowledge-base folder names that are abbreviations, and how people write them.
SECTION_LABELS = {"faq": "FAQ", "faqs": "FAQs", "kb": "Knowledge base", "pmo": "PMO"}
# Role names as people write them (the stored names are lower case).
ROLE_LABELS = {"pmo": "PMO"}


def iso_date(value) -> str:
    """A date (or the date of a datetime) as ISO 2026-11-06; an empty string for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value[:10]
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.isoformat()


def iso_datetime(value) -> str:
    """A moment as ISO 2026-11-06 14:05 (the portal's stored local time); a date stays a date."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return iso_date(value)


def iso_month(value) -> str:
    """A month as ISO 2026-11."""
    return iso_date(value)[:7]


def human_size(size) -> str:
    """A byte count as people read it: 512 bytes, 1.5 KB, 12.3 MB (1 KB = 1,024 bytes)."""
    size = int(size or 0)
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:,.1f} {unit}"
    return ""  # not reached


def role_label(role) -> str:
    """A role as people write it: PMO, Manager, Member."""
    role = str(role or "")
    return ROLE_LABELS.get(role, role.capitalize())


def section_label(section) -> str:
    """A knowledge-base section folder as a title: `faq` reads FAQ, `lessons-learned` Lessons learned."""
    section = str(section or "")
    parts = section.split("/")
    return " / ".join(SECTION_LABELS.get(p.lower(), p.replace("-", " ").replace("_", " ").capitalize()) for p in parts)


FILTERS = {"isodate": iso_date, "isodatetime": iso_datetime, "isomonth": iso_month, "human_size": human_size,
           "role_label": role_label, "section_label": section_label}
