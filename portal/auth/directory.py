"""LDAP and Active Directory: check a password against the directory and read who is in it (ldap3).

Sign-in searches for the person with the service account, then binds as them with the
password typed; their groups give the role. StartTLS (the default), LDAPS or plain
(for a directory on the same host) are chosen by PORTAL_LDAP_TLS. ldap3 is imported
only when a directory is used, so a worker without one does not carry it.
"""
import datetime
import ssl
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from portal.auth.models import User
from portal.auth.provisioning import Identity, SignInFailed, provision, role_for
from portal.auth.services import normalise_email, refuse_if_throttled, sign_in_failed, signed_in
from portal.logs import security_event

if TYPE_CHECKING:
    import ldap3

UAC_ACCOUNTDISABLE = 2  # Active Directory's userAccountControl bit for a disabled account


class DirectoryUnavailable(SignInFailed):
    """The directory could not be reached or refused the service account."""

    def __init__(self, detail: str = ""):
        super().__init__("The company directory cannot be reached just now, so directory accounts cannot "
                         "sign in. Try again in a few minutes; if it persists, tell the IT service desk.")
        self.detail = detail


@dataclass
class Person:
    """One directory entry as the portal reads it."""

    dn: str
    external_id: str
    email: str
    name: str
    department: str
    disabled: bool


def enabled(config) -> bool:
    """True when a directory is configured."""
    return bool(config.get("LDAP_URL"))


def _server(config) -> "ldap3.Server":
    import ldap3

    url = config["LDAP_URL"]
    use_ssl = url.lower().startswith("ldaps://") or config["LDAP_TLS"] == "ldaps"
    tls = None
    if use_ssl or config["LDAP_TLS"] == "starttls":
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config["LDAP_CA_FILE"] or None)
    return ldap3.Server(url, use_ssl=use_ssl, tls=tls, get_info=ldap3.NONE,
                        connect_timeout=int(config["LDAP_TIMEOUT"]))


def connect(config, user: str | None = None, password: str | None = None) -> "ldap3.Connection":
    """A bound connection, as the service account unless `user` is given; raises LDAPException."""
    import ldap3

    conn = ldap3.Connection(_server(config), user=user if user is not None else config["LDAP_BIND_DN"] or None,
                            password=password if user is not None else config["LDAP_BIND_PASSWORD"] or None,
                            receive_timeout=int(config["LDAP_TIMEOUT"]), read_only=True, raise_exceptions=True,
                            auto_bind=ldap3.AUTO_BIND_NONE)
    try:
        conn.open()
        if config["LDAP_TLS"] == "starttls" and not conn.server.ssl:
            conn.start_tls()
        conn.bind()
    except BaseException:
        # A failed connect, TLS handshake or bind leaves ldap3's socket open: close it here.
        conn.unbind()
        if getattr(conn, "socket", None) is not None:
            conn.socket.close()
        raise
    return conn


def _attrs(config) -> list[str]:
    names = {config["LDAP_ATTR_ID"], config["LDAP_ATTR_EMAIL"], config["LDAP_ATTR_NAME"],
             config["LDAP_ATTR_DEPARTMENT"], "cn", "userAccountControl"}
    return sorted(n for n in names if n)


def _value(attributes: dict, name: str) -> str:
    """The first value of attribute `name` (any case) as text; an AD objectGUID as its usual UUID form."""
    value = {k.lower(): v for k, v in attributes.items()}.get((name or "").lower())
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bytes):
        if len(value) == 16 and name.lower() == "objectguid":
            return str(uuid.UUID(bytes_le=value))
        return value.decode("utf-8", "replace")
    if isinstance(value, (datetime.datetime, uuid.UUID)):
        return str(value)
    return "" if value is None else str(value)


def person_from(entry: dict, config) -> Person:
    """A Person from an ldap3 search response entry."""
    attributes = entry.get("attributes") or {}
    try:
        uac = int(_value(attributes, "userAccountControl") or 0)
    except ValueError:
        uac = 0
    return Person(dn=entry["dn"], external_id=_value(attributes, config["LDAP_ATTR_ID"]) or entry["dn"],
                  email=_value(attributes, config["LDAP_ATTR_EMAIL"]),
                  name=_value(attributes, config["LDAP_ATTR_NAME"]) or _value(attributes, "cn"),
                  department=_value(attributes, config["LDAP_ATTR_DEPARTMENT"]),
                  disabled=bool(uac & UAC_ACCOUNTDISABLE))


def _entries(conn) -> list[dict]:
    return [e for e in conn.response or [] if e.get("type") == "searchResEntry"]


def find_person(conn, login: str, config) -> Person | None:
    """The one entry the user filter finds for `login` (None for none or several)."""
    import ldap3
    from ldap3.utils.conv import escape_filter_chars

    query = config["LDAP_USER_FILTER"].replace("{login}", escape_filter_chars(login))
    conn.search(config["LDAP_BASE_DN"], query, ldap3.SUBTREE, attributes=_attrs(config), size_limit=2)
    found = _entries(conn)
    if len(found) != 1:
        return None
    person = person_from(found[0], config)
    if not person.disabled and config["LDAP_DISABLED_FILTER"]:
        conn.search(person.dn, config["LDAP_DISABLED_FILTER"], ldap3.BASE, attributes=["1.1"])
        person.disabled = bool(_entries(conn))
    return person


def groups_of(conn, dn: str, config) -> tuple[str, ...]:
    """Which of the mapped groups `dn` is a member of (one base search per mapped group)."""
    import ldap3
    from ldap3.core.exceptions import LDAPException
    from ldap3.utils.conv import escape_filter_chars

    member_filter = config["LDAP_GROUP_MEMBER_FILTER"].replace("{dn}", escape_filter_chars(dn))
    held = []
    for _role, group in config["LDAP_ROLE_GROUPS"]:
        try:
            conn.search(group, member_filter, ldap3.BASE, attributes=["1.1"])
        except LDAPException:  # a mapped group that no longer exists grants nothing
            continue
        if _entries(conn):
            held.append(group)
    return tuple(held)


def _account_of(person: Person | None) -> User | None:
    """The portal account a directory entry signs in to, if it has one yet."""
    if person is None:
        return None
    user = User.get_or_none((User.auth_source == "ldap") & (User.external_id == person.external_id[:255]))
    return user or User.get_or_none(User.email == normalise_email(person.email or ""))


def authenticate(login: str, password: str, address: str, config, devices: dict | None = None) -> User | None:
    """The portal account of the directory person `login` whose password this is, or None.

    Throttled exactly like a local password (`portal.auth.throttle`, through the same
    service functions): the directory is searched first, so that "pete" and
    "pete@example.test" count as one account, and the device cookie in `devices`
    ({user id: nonce}) is matched against that person's portal account; then the
    password is tried only when this device may still try.

    Raises Throttled after too many failures, DirectoryUnavailable when the directory is
    down, SignInRefused for a deactivated portal account or an e-mail another account holds.
    """
    from ldap3.core.exceptions import LDAPBindError, LDAPException, LDAPInvalidCredentialsResult

    login = normalise_email(login)
    try:
        conn = connect(config)
    except LDAPException as exc:
        security_event("sso_error", f"Directory unreachable: {type(exc).__name__}", source="ldap",
                       reason=type(exc).__name__, remote_addr=address)
        raise DirectoryUnavailable(type(exc).__name__) from None
    try:
        person = find_person(conn, login, config)
        account = _account_of(person)
        # Failures count against the person (whatever name they typed), or the typed name when nobody has it.
        key = (account.email if account is not None else normalise_email(person.email or "") if person else "")
        key = (key or login)[:254]
        nonce = (devices or {}).get(account.id, "") if account is not None else ""
        refuse_if_throttled(key, address, nonce, config, source="ldap")

        def failed(reason: str) -> None:
            sign_in_failed(key, account, reason, address, nonce, config, label="Directory sign-in", source="ldap")

        if person is None:
            failed("unknown account")
            return None
        if not password:  # an empty password is an anonymous bind, which many directories accept
            failed("empty password")
            return None
        try:
            connect(config, person.dn, password).unbind()
        except (LDAPInvalidCredentialsResult, LDAPBindError):
            failed("wrong password")
            return None
        if person.disabled:
            failed("disabled in the directory")
            return None
        groups = groups_of(conn, person.dn, config)
    except LDAPException as exc:
        security_event("sso_error", f"Directory search failed: {type(exc).__name__}", source="ldap",
                       reason=type(exc).__name__, remote_addr=address)
        raise DirectoryUnavailable(type(exc).__name__) from None
    finally:
        conn.unbind()
    identity = Identity("ldap", person.external_id, person.email, person.name, person.department, groups)
    user = provision(identity, role_for(groups, config["LDAP_ROLE_GROUPS"]), address)
    signed_in(user, key, address, nonce if account is not None and account.id == user.id else "",
              how="Signed in through the directory", source="ldap")
    return user


def uses_directory(login: str, config) -> bool:
    """True when `login` should be checked against the directory rather than a local password.

    A local account (the break-glass admins among them) keeps its own password; everything
    else, including people who never signed in yet, goes to the directory.
    """
    if not enabled(config):
        return False
    user = User.get_or_none(User.email == normalise_email(login))
    return user is None or user.auth_source == "ldap"
