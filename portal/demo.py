"""Demo data: a small hand-made PMO for trying the portal, and the large benchmark set.

Each feature adds its part through `DEMO_STEPS`; the small demo is idempotent.
"""
import importlib
import random
import time

from portal.auth.models import User
from portal.auth.services import hash_password
from portal.db import db

# (email, name, role, department): one account per role is what the login page lists.
DEMO_PEOPLE = [
    ("admin@demo.pmo", "Alex Admin", "admin", "IT"),
    ("pmo@demo.pmo", "Priya Patel", "pmo", "PMO"),
    ("manager@demo.pmo", "Marco Rossi", "manager", "Operations"),
    ("member@demo.pmo", "Mei Lin", "member", "Operations"),
    ("executive@demo.pmo", "Eva Schmidt", "executive", "Board"),
    ("pmo2@demo.pmo", "Tomás García", "pmo", "PMO"),
    ("manager2@demo.pmo", "Hannah Okafor", "manager", "Finance"),
    ("manager3@demo.pmo", "Jonas Berg", "manager", "Marketing"),
    ("member2@demo.pmo", "Sam Carter", "member", "Finance"),
    ("member3@demo.pmo", "Aiko Tanaka", "member", "Marketing"),
    ("member4@demo.pmo", "Lucas Silva", "member", "IT"),
    ("executive2@demo.pmo", "Robert Chen", "executive", "Finance"),
]

DEPARTMENTS = ["Operations", "Finance", "Marketing", "IT", "HR", "Legal", "Sales", "R&D"]

# Each feature's step, "module:function" with signature step(scale, rng) -> str, in the
# order they run; imported only when the demo runs.
DEMO_STEPS = [
    "portal.projects.demo:demo_projects",
    "portal.kb.demo:demo_step",
    "portal.helpdesk.demo:demo_helpdesk",
    "portal.risks.demo:demo_risks",
    "portal.status.demo:demo_status",
    "portal.activity.demo:demo_collaboration",
    "portal.resources.demo:demo_allocations",
    "portal.milestones.demo:demo_milestones",
    "portal.compliance.demo:demo_compliance",
    "portal.gates.demo:demo_governance",
]


def demo_password(email: str) -> str:
    """Demo accounts use `demo-<role>-pass`, as the login page shows in demo mode."""
    user = email.split("@")[0].rstrip("0123456789")
    return f"demo-{user}-pass"


def login_page_accounts() -> list[tuple[str, str, str]]:
    """(role, e-mail, password) of the first demo account of each role, for the login page in demo mode."""
    firsts = {}
    for email, _name, role, _dept in DEMO_PEOPLE:
        firsts.setdefault(role, email)
    return [(role, email, demo_password(email)) for role, email in firsts.items()]


def _small_users() -> int:
    hashes = {}
    created = 0
    with db.atomic():
        for email, name, role, dept in DEMO_PEOPLE:
            if User.select().where(User.email == email).exists():
                continue
            pw = demo_password(email)
            if pw not in hashes:
                hashes[pw] = hash_password(pw)
            User.create(email=email, name=name, role=role, department=dept, password_hash=hashes[pw])
            created += 1
    return created


def _large_users(rng: random.Random) -> int:
    """300 accounts in bulk, sharing one password hash (hashing is the slow part)."""
    first = ["Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena",
             "Mo", "Nia", "Omar", "Pia", "Quinn", "Rui", "Sara", "Theo", "Uma", "Vik", "Wen", "Yara"]
    last = ["Adams", "Brown", "Costa", "Dubois", "Evans", "Fischer", "Gomez", "Horvat", "Ito", "Jensen",
            "Khan", "Larsen", "Moreau", "Novak", "Olsen", "Park", "Rossi", "Sato", "Tran", "Weber"]
    roles = ["member"] * 200 + ["manager"] * 70 + ["pmo"] * 15 + ["executive"] * 10 + ["admin"] * 5
    shared_hash = hash_password("bench-user-pass")
    existing = {e for (e,) in User.select(User.email).tuples()}
    rows = []
    for i, role in enumerate(roles):
        email = f"user{i:03d}@bench.pmo"
        if email in existing:
            continue
        rows.append({"email": email, "name": f"{rng.choice(first)} {rng.choice(last)}", "role": role,
                     "department": rng.choice(DEPARTMENTS), "password_hash": shared_hash})
    with db.atomic():
        for start in range(0, len(rows), 500):
            User.insert_many(rows[start:start + 500]).execute()
    return len(rows)


DEMO_DOMAINS = ("@demo.pmo", "@bench.pmo")


def real_accounts() -> int:
    """How many accounts are not demo or benchmark ones (a database in real use has some)."""
    query = User.select()
    for domain in DEMO_DOMAINS:
        query = query.where(~(User.email.endswith(domain)))
    return query.count()


def load_demo(scale: str = "small") -> str:
    """Load the demo data set; returns a one-line summary per feature."""
    rng = random.Random(20261127)
    started = time.monotonic()
    lines = [f"users: {_small_users()} demo account(s) added"]
    if scale == "large":
        lines.append(f"users: {_large_users(rng)} benchmark account(s) added")
    for target in DEMO_STEPS:
        module, function = target.split(":")
        lines.append(getattr(importlib.import_module(module), function)(scale, rng))
    # Demo rows are inserted in bulk, past the models' save(): store their HTML as a save would.
    from portal.rendered import markdown_models, rerender
    lines.append(f"markdown: {rerender(markdown_models())} text(s) rendered and stored")
    lines.append(f"done in {time.monotonic() - started:.1f}s")
    return "\n".join(lines)
