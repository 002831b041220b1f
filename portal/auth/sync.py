"""`portal users sync`: deactivate the directory accounts of people who left the directory or are disabled there.

Deactivating bumps the session version, so those people are signed out at their next
request. Safe from cron: running it again changes nothing, and a directory that answers
with nobody at all (a wrong base DN, say) is refused rather than taken as "everyone left".
"""
from dataclasses import dataclass, field

import ldap3
from ldap3.core.exceptions import LDAPException

from portal.audit.services import record
from portal.auth.directory import DirectoryUnavailable, connect, person_from
from portal.auth.models import User
from portal.db import db
from portal.errors import Conflict
from portal.logs import security_event

PAGE_SIZE = 500
CHUNK = 200  # accounts deactivated per statement (well under SQLite's parameter limit)


@dataclass
class SyncReport:
    """What a sync found and did."""

    directory_people: int = 0
    checked: int = 0
    left: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The report an operator (or cron's mail) reads."""
        verb = "would deactivate" if self.dry_run else "deactivated"
        out = [f"{self.directory_people} people in the directory; {self.checked} active directory accounts checked."]
        out += [f"{verb} (left the directory): {email}" for email in self.left]
        out += [f"{verb} (disabled in the directory): {email}" for email in self.disabled]
        total = len(self.left) + len(self.disabled)
        out.append(f"{total} account(s) {verb}." if total else "Nothing to change.")
        return out


def directory_people(config) -> tuple[set[str], set[str]]:
    """(ids of everyone the sync filter finds, ids of those disabled) — paged, so any size of directory works."""
    present, disabled = set(), set()
    attributes = sorted({config["LDAP_ATTR_ID"], "userAccountControl"})
    conn = connect(config)
    try:
        for entry in conn.extend.standard.paged_search(config["LDAP_BASE_DN"], config["LDAP_SYNC_FILTER"],
                                                       ldap3.SUBTREE, attributes=attributes,
                                                       paged_size=PAGE_SIZE, generator=True):
            if entry.get("type") != "searchResEntry":
                continue
            person = person_from(entry, config)
            present.add(person.external_id)
            if person.disabled:
                disabled.add(person.external_id)
        if config["LDAP_DISABLED_FILTER"]:
            query = f"(&{config['LDAP_SYNC_FILTER']}{config['LDAP_DISABLED_FILTER']})"
            for entry in conn.extend.standard.paged_search(config["LDAP_BASE_DN"], query, ldap3.SUBTREE,
                                                           attributes=attributes, paged_size=PAGE_SIZE,
                                                           generator=True):
                if entry.get("type") == "searchResEntry":
                    disabled.add(person_from(entry, config).external_id)
    finally:
        conn.unbind()
    return present, disabled


def sync_directory(config, dry_run: bool = False) -> SyncReport:
    """Deactivate (and sign out) directory accounts whose person left or is disabled; report what changed."""
    try:
        present, disabled = directory_people(config)
    except LDAPException as exc:
        raise DirectoryUnavailable(type(exc).__name__) from None
    accounts = list(User.select(User.id, User.email, User.external_id)
                    .where((User.auth_source == "ldap") & (User.active == True))  # noqa: E712
                    .order_by(User.email).tuples())
    report = SyncReport(directory_people=len(present), checked=len(accounts), dry_run=dry_run)
    if not present and accounts:
        raise Conflict("The directory returned nobody for PORTAL_LDAP_SYNC_FILTER under PORTAL_LDAP_BASE_DN; "
                       "refusing to deactivate every directory account. Check those settings.")
    leaving = []
    for user_id, email, external_id in accounts:
        if external_id not in present:
            report.left.append(email)
            leaving.append((user_id, email, "left the directory"))
        elif external_id in disabled:
            report.disabled.append(email)
            leaving.append((user_id, email, "disabled in the directory"))
    if dry_run or not leaving:
        return report
    for start in range(0, len(leaving), CHUNK):
        chunk = leaving[start:start + CHUNK]
        with db.atomic():
            # Only those still active: an account an admin deactivated meanwhile is not changed or audited twice.
            still = {i for (i,) in User.select(User.id).where(User.id.in_([c[0] for c in chunk])
                                                             & (User.active == True)).tuples()}  # noqa: E712
            (User.update(active=False, session_version=User.session_version + 1, version=User.version + 1)
             .where(User.id.in_(list(still))).execute())
            for user_id, email, why in chunk:
                if user_id in still:
                    record(None, "user.update", "user", user_id, f"Directory sync deactivated {email}: {why}",
                           before={"active": True}, after={"active": False})
    for user_id, email, why in leaving:
        security_event("account_active_changed", f"Directory sync deactivated {email}: {why}", user_id=user_id,
                       email=email, source="ldap", reason=why, active=False)
    return report
