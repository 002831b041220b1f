"""Governance rules as data: required fields per category, approvers per budget band, the scoring sheet."""
import json
import tomllib
from decimal import Decimal

from portal.audit.services import record
from portal.db import db
from portal.errors import InvalidInput

FIELD_LABELS = {
    "name": "Name", "summary": "Summary", "business_case": "Business case", "sponsor": "Sponsor",
    "manager": "Manager", "compliance_owner": "Compliance owner", "department": "Department",
    "category": "Category", "strategic_objective": "Strategic objective", "start_date": "Start date",
    "end_date": "End date", "budget": "Budget", "benefits": "Expected benefits",
    "known_risks": "Known risks", "reporting_cadence": "Reporting cadence",
}
APPROVER_KINDS = {"pmo": "PMO review", "executive": "executive approval"}
# What happens when an approver is the request's sponsor: the decision is flagged, or refused.
CONFLICT_POLICIES = ("flag", "block")
CRITERIA = {"strategic_fit": "Strategic fit", "value": "Value", "risk": "Risk", "effort": "Effort"}

DEFAULT_RULES = {
    "required": ["name", "summary", "manager", "department", "category", "start_date", "end_date",
                 "budget", "reporting_cadence"],
    "default_approvers": ["pmo"],
    "approval_bands": [{"above": 250000, "approvers": ["pmo", "executive"]}],
    "scoring": {"weights": {"strategic_fit": 0.35, "value": 0.30, "risk": 0.15, "effort": 0.20},
                "inverted": ["risk", "effort"]},
    # Who decides a change request: the sponsor while it stays within both limits, the PMO beyond them.
    "change_control": {"sponsor_budget_up_to": 25000, "sponsor_days_up_to": 30},
    # When closing a project needs the PMO's sign-off.
    "closure": {"signoff_when": ["high_risks", "open_issues", "no_benefits"], "high_risk_score": 15},
    "conflict_of_interest": "flag",
    "categories": {
        "Regulatory": {"required": ["business_case", "compliance_owner"]},
        "Strategic": {"required": ["business_case", "sponsor", "strategic_objective"]},
        "Infrastructure": {"required": ["business_case", "known_risks"]},
        "Digital": {"required": ["benefits"]},
        "Process improvement": {"required": []},
    },
}


class RulesError(InvalidInput):
    """Rules that cannot be accepted (422); `messages` lists every problem found, each on its own line."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _fields(value, where, problems) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where} must be a list of field names.")
        return []
    unknown = [v for v in value if v not in FIELD_LABELS]
    if unknown:
        problems.append(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELD_LABELS)}.")
    return [v for v in dict.fromkeys(value) if v in FIELD_LABELS]


def _approvers(value, where, problems) -> list[str]:
    # Type first: a nested list such as [["pmo"]] cannot be looked up in a dict.
    if (not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value)
            or any(v not in APPROVER_KINDS for v in value)):
        problems.append(f"{where} must list one or more of: {', '.join(APPROVER_KINDS)}.")
        return []
    return list(dict.fromkeys(value))


def validate_rules(data) -> dict:
    """The rules in canonical form, or RulesError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise RulesError(["The rules must be a table."])
    unknown = set(data) - set(DEFAULT_RULES)
    if unknown:
        problems.append(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    out = {"required": _fields(data.get("required", []), "required", problems),
           "default_approvers": _approvers(data.get("default_approvers"), "default_approvers", problems)}
    bands = data.get("approval_bands", [])
    out["approval_bands"] = []
    if not isinstance(bands, list):
        problems.append("approval_bands must be a list of bands.")
        bands = []
    for i, band in enumerate(bands, 1):
        above = band.get("above") if isinstance(band, dict) else None
        if isinstance(above, bool) or not isinstance(above, (int, float)) or not 0 <= above <= 1e12:
            problems.append(f"approval band {i}: 'above' must be a budget between 0 and 1,000,000,000,000.")
            continue
        out["approval_bands"].append({"above": above, "approvers": _approvers(
            band.get("approvers"), f"approval band {i} approvers", problems)})
    aboves = [b["above"] for b in out["approval_bands"]]
    if len(set(aboves)) != len(aboves):
        problems.append("Two approval bands start at the same budget.")
    out["approval_bands"].sort(key=lambda b: b["above"])
    scoring = data.get("scoring", {}) if isinstance(data.get("scoring", {}), dict) else {}
    weights = scoring.get("weights", {})
    if not isinstance(weights, dict) or set(weights) != set(CRITERIA) or not all(
            isinstance(w, (int, float)) and not isinstance(w, bool) and 0 <= w <= 100 for w in weights.values()):
        problems.append(f"scoring.weights must give each of {', '.join(CRITERIA)} a weight from 0 to 100.")
        weights = {}
    elif sum(weights.values()) <= 0:
        problems.append("At least one scoring weight must be above zero.")
    inverted = scoring.get("inverted", [])
    if (not isinstance(inverted, list) or not all(isinstance(c, str) for c in inverted)
            or any(c not in CRITERIA for c in inverted)):
        problems.append(f"scoring.inverted may list only: {', '.join(CRITERIA)}.")
        inverted = []
    policy = data.get("conflict_of_interest", "flag")
    if policy not in CONFLICT_POLICIES:
        problems.append(f"conflict_of_interest must be one of: {', '.join(CONFLICT_POLICIES)}.")
        policy = "flag"
    out["conflict_of_interest"] = policy
    out["scoring"] = {"weights": {c: weights.get(c, 0) for c in CRITERIA}, "inverted": list(dict.fromkeys(inverted))}
    categories = data.get("categories", {})
    out["categories"] = {}
    if not isinstance(categories, dict) or not categories:
        problems.append("List at least one category.")
        categories = {}
    for name, spec in categories.items():
        if not name.strip() or len(name) > 60:
            problems.append(f"Category name {name[:60]!r} must be 1 to 60 characters.")
            continue
        spec = spec if isinstance(spec, dict) else {}
        out["categories"][name] = {"required": _fields(spec.get("required", []), f"category {name} required", problems)}
    out["change_control"] = _change_control(data.get("change_control", DEFAULT_RULES["change_control"]), problems)
    out["closure"] = _closure(data.get("closure", DEFAULT_RULES["closure"]), problems)
    if problems:
        raise RulesError(problems)
    return out


CLOSURE_CONDITIONS = {"high_risks": "high risks remain open", "open_issues": "issues remain open",
                      "no_benefits": "no benefits were recorded"}


def _whole(value, low, high) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _change_control(spec, problems) -> dict:
    spec = spec if isinstance(spec, dict) else {}
    budget, days = spec.get("sponsor_budget_up_to", 0), spec.get("sponsor_days_up_to", 0)
    if not _whole(budget, 0, 999_999_999_999):
        problems.append("change_control.sponsor_budget_up_to must be a whole amount from 0 to 999,999,999,999.")
        budget = 0
    if not _whole(days, 0, 3650):
        problems.append("change_control.sponsor_days_up_to must be a whole number of days from 0 to 3650.")
        days = 0
    return {"sponsor_budget_up_to": budget, "sponsor_days_up_to": days}


def _closure(spec, problems) -> dict:
    spec = spec if isinstance(spec, dict) else {}
    when, score = spec.get("signoff_when", []), spec.get("high_risk_score", 15)
    if not isinstance(when, list) or any(not isinstance(c, str) or c not in CLOSURE_CONDITIONS for c in when):
        problems.append(f"closure.signoff_when may list only: {', '.join(CLOSURE_CONDITIONS)}.")
        when = []
    if not _whole(score, 1, 25):
        problems.append("closure.high_risk_score must be a risk score from 1 to 25.")
        score = 15
    return {"signoff_when": list(dict.fromkeys(when)), "high_risk_score": score}


def change_rules(rules: dict) -> dict:
    """The change-control limits in force (rules saved before they existed use the defaults)."""
    return rules.get("change_control") or DEFAULT_RULES["change_control"]


def closure_rules(rules: dict) -> dict:
    """When closing needs the PMO's sign-off (rules saved before this existed use the defaults)."""
    return rules.get("closure") or DEFAULT_RULES["closure"]


def parse_toml(text: str) -> dict:
    """Rules from TOML text, validated."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError([f"Not valid TOML: {exc}"]) from exc
    return validate_rules(data)


def _toml_str(value: str) -> str:
    """`value` as a TOML basic string."""
    # JSON's escapes suit TOML, but not its \ud83d-style surrogate pairs for emoji, which
    # TOML rejects (so the next save would fail); and TOML wants DEL escaped where JSON leaves it.
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_list(values) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def dump_toml(rules: dict) -> str:
    """The rules as TOML, for the edit page and for files."""
    lines = ["# Fields every request needs before it can be submitted.",
             f"required = {_toml_list(rules['required'])}",
             "# Who approves when no budget band applies (pmo, executive).",
             f"default_approvers = {_toml_list(rules['default_approvers'])}",
             "# A sponsor deciding on their own request: flag the decision, or block it (flag, block).",
             f"conflict_of_interest = {_toml_str(conflict_policy(rules))}", ""]
    for band in rules["approval_bands"]:
        lines += ["[[approval_bands]]", f"above = {band['above']}", f"approvers = {_toml_list(band['approvers'])}", ""]
    lines += ["[scoring]", "# Criteria where a high mark counts against the request.",
              f"inverted = {_toml_list(rules['scoring']['inverted'])}", "", "[scoring.weights]"]
    lines += [f"{c} = {w}" for c, w in rules["scoring"]["weights"].items()]
    change, closure = change_rules(rules), closure_rules(rules)
    lines += ["", "# Change requests within both limits are decided by the sponsor, larger ones by the PMO.",
              "[change_control]", f"sponsor_budget_up_to = {change['sponsor_budget_up_to']}",
              f"sponsor_days_up_to = {change['sponsor_days_up_to']}",
              "", "# Closing needs the PMO's sign-off when any of these holds: "
              + ", ".join(CLOSURE_CONDITIONS) + ".",
              "[closure]", f"signoff_when = {_toml_list(closure['signoff_when'])}",
              f"high_risk_score = {closure['high_risk_score']}"]
    for name, spec in rules["categories"].items():
        lines += ["", f"[categories.{_toml_str(name)}]", f"required = {_toml_list(spec['required'])}"]
    return "\n".join(lines) + "\n"


def current_rules() -> dict:
    """The rules in force: the newest saved version, or the defaults before any is saved."""
    from portal.projects.models import RuleSet
    row = RuleSet.select(RuleSet.body).order_by(RuleSet.saved_at.desc(), RuleSet.id.desc()).first()
    return json.loads(row.body) if row else DEFAULT_RULES


def save_rules(data: dict, actor, comment: str = ""):
    """Validate and store a new version of the rules; the previous ones stay as history."""
    from portal.projects.models import RuleSet
    rules = validate_rules(data)
    with db.atomic():
        row = RuleSet.create(body=json.dumps(rules, ensure_ascii=False), comment=comment[:255],
                             saved_by=actor.id if actor is not None else None)
        record(actor, "rules.save", "rules", row.id, comment or "Saved the governance rules", after=rules)
    return row


def conflict_policy(rules: dict) -> str:
    """'flag' or 'block': what a sponsor's own decision gets (rules saved before the setting say 'flag')."""
    return rules.get("conflict_of_interest", "flag")


def required_fields(rules: dict, category: str) -> list[str]:
    """Fields a request in `category` must fill before it is submitted."""
    extra = rules["categories"].get(category, {}).get("required", [])
    return list(dict.fromkeys(rules["required"] + extra))


def _amount(budget) -> Decimal:
    """`budget` as a Decimal to compare with the bands; nothing, NaN or Infinity count as 0 (the form refuses them)."""
    amount = Decimal(budget) if budget not in (None, "") else Decimal(0)
    return amount if amount.is_finite() else Decimal(0)


def approvers_needed(rules: dict, budget) -> list[str]:
    """The approval kinds a request with `budget` needs, from its budget band."""
    needed = rules["default_approvers"]
    amount = _amount(budget)
    for band in rules["approval_bands"]:
        if amount > Decimal(str(band["above"])):
            needed = band["approvers"]
    return list(needed)


def explain(rules: dict, category: str, budget) -> list[str]:
    """Human sentences saying which rules apply to a request."""
    lines = []
    kinds = approvers_needed(rules, budget)
    bands = [b for b in rules["approval_bands"] if _amount(budget) > Decimal(str(b["above"]))]
    who = " as well as ".join(APPROVER_KINDS[k] for k in reversed(kinds))
    if bands:
        lines.append(f"Budget over {bands[-1]['above']:,}: needs {who}.")
    else:
        lines.append(f"Needs {who}.")
    extra = rules["categories"].get(category, {}).get("required", [])
    if extra:
        lines.append(f"Category {category}: {', '.join(FIELD_LABELS[f].lower() for f in extra)} required.")
    return lines


def missing_fields(rules: dict, values: dict) -> dict[str, str]:
    """{field: message} for each required field that `values` leaves empty."""
    missing = {}
    for name in required_fields(rules, values.get("category") or ""):
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing[name] = f"{FIELD_LABELS[name]} is required before submitting."
    return missing


def weighted_score(rules: dict, sheet: dict) -> float:
    """The weighted 1–5 score of one scoring sheet; inverted criteria count 6 − mark."""
    weights = rules["scoring"]["weights"]
    inverted = set(rules["scoring"]["inverted"])
    total = sum(weights.values()) or 1
    return round(sum(w * ((6 - sheet[c]) if c in inverted else sheet[c]) for c, w in weights.items()) / total, 2)
