"""Configuration defaults; the only module that reads the environment (PORTAL_*)."""
import datetime
import os
import secrets
from pathlib import Path

ROLES = ("admin", "pmo", "manager", "member", "executive")


def _flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _dates(text: str):
    """ISO dates from a comma-separated list, e.g. PORTAL_HOLIDAYS=2026-12-25,2026-12-26."""
    for part in text.split(","):
        if part.strip():
            yield datetime.date.fromisoformat(part.strip())


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """(role, group) pairs from "role=group;role=group" (a group DN may hold '=' and ',', never ';')."""
    pairs = []
    for part in text.split(";"):
        role, sep, group = part.partition("=")
        if sep and role.strip() and group.strip():
            pairs.append((role.strip().lower(), group.strip()))
    return tuple(pairs)


def _secret_key(instance_path: Path) -> str:
    """Use PORTAL_SECRET_KEY, else a random key persisted in the instance folder.

    Several workers on one host share the file; several hosts must set the
    variable so that a session signed by one is accepted by the others.
    """
    if os.environ.get("PORTAL_SECRET_KEY"):
        return os.environ["PORTAL_SECRET_KEY"]
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two workers start at once, exactly one writes the key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def load(instance_path: str) -> dict:
    """Build the configuration mapping from defaults and PORTAL_* variables."""
    instance = Path(instance_path)
    env = os.environ.get
    return {
        "SECRET_KEY": _secret_key(instance),
        "DATABASE_URL": env("PORTAL_DATABASE_URL", f"sqlite:///{instance / 'portal.sqlite3'}"),
        # The PMO's live articles; filled from the shipped ones (knowledge/ in a checkout, portal/knowledge/ when installed) while empty.
        "KNOWLEDGE_DIR": env("PORTAL_KNOWLEDGE_DIR", str(instance / "knowledge")),
        "DEMO_MODE": _flag("PORTAL_DEMO"),
        # Reuse computed figures and pages until the tables they read change (portal/memo.py).
        "KEEP_RESULTS": _flag("PORTAL_KEEP_RESULTS", True),
        "SMTP_HOST": env("PORTAL_SMTP_HOST", ""),
        "SMTP_PORT": int(env("PORTAL_SMTP_PORT", "25")),
        "SMTP_USER": env("PORTAL_SMTP_USER", ""),
        "SMTP_PASSWORD": env("PORTAL_SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _flag("PORTAL_SMTP_STARTTLS"),
        "MAIL_FROM": env("PORTAL_MAIL_FROM", "pmo-portal@localhost"),
        "BASE_URL": env("PORTAL_BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_SECURE": _flag("PORTAL_SECURE_COOKIES"),
        "REMEMBER_COOKIE_SECURE": _flag("PORTAL_SECURE_COOKIES"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * 14,
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "MAX_CONTENT_LENGTH": int(env("PORTAL_MAX_UPLOAD_MB", "10")) * 1024 * 1024,
        "MAX_DOCUMENT_LENGTH": int(env("PORTAL_MAX_DOCUMENT_MB", "25")) * 1024 * 1024,
        # Sign-in throttling (OWASP device cookies): failures from devices never signed in on lock out
        # such devices only; a device with a valid device cookie has its own allowance; an address counts failures.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(env("PORTAL_LOGIN_MAX_FAILURES", "5")),
        "LOGIN_MAX_FAILURES_PER_DEVICE": int(env("PORTAL_LOGIN_MAX_DEVICE_FAILURES", "10")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(env("PORTAL_LOGIN_MAX_ADDRESS_FAILURES", "200")),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(env("PORTAL_LOGIN_LOCKOUT_MINUTES", "15")) * 60,
        "DEVICE_COOKIE_DAYS": int(env("PORTAL_DEVICE_COOKIE_DAYS", "365")),
        # Links to set a password: "Forgot password?" and invitations; reset requests per hour.
        "RESET_LINK_MINUTES": int(env("PORTAL_RESET_LINK_MINUTES", "60")),
        "INVITE_LINK_DAYS": int(env("PORTAL_INVITE_LINK_DAYS", "7")),
        "RESET_MAX_PER_EMAIL": int(env("PORTAL_RESET_MAX_PER_EMAIL", "3")),
        "RESET_MAX_PER_ADDRESS": int(env("PORTAL_RESET_MAX_PER_ADDRESS", "20")),
        # Where people whose account has no local password (directory, single sign-on) change it.
        "DIRECTORY_PASSWORD_HELP": env("PORTAL_DIRECTORY_PASSWORD_HELP",
                                       "If you sign in with your organisation's directory account, change "
                                       "your password where you change it for other company systems."),
        "DIRECTORY_PASSWORD_URL": env("PORTAL_DIRECTORY_PASSWORD_URL", ""),
        "IMPORT_MAX_ROWS": int(env("PORTAL_IMPORT_MAX_ROWS", "10000")),
        "TRUST_PROXY": int(env("PORTAL_TRUST_PROXY", "0")),
        "WTF_CSRF_TIME_LIMIT": None,
        "PAGE_SIZE": 50,
        "UPLOAD_DIR": env("PORTAL_UPLOAD_DIR", str(instance / "uploads")),
        # Where pg_dump/pg_restore of the server's version live; empty: the PATH.
        "PG_BIN_DIR": env("PORTAL_PG_BIN_DIR", ""),
        "TIMEZONE": env("PORTAL_TIMEZONE", "UTC"),
        # The organisation's name on the board pack.
        "ORGANISATION_NAME": env("PORTAL_ORGANISATION_NAME", "Our organisation"),
        "WORKDAY_START": int(env("PORTAL_WORKDAY_START", "9")),
        "WORKDAY_END": int(env("PORTAL_WORKDAY_END", "17")),
        "WORKDAYS": tuple(int(d) for d in env("PORTAL_WORKDAYS", "0,1,2,3,4").split(",") if d.strip()),
        "HOLIDAYS": tuple(_dates(env("PORTAL_HOLIDAYS", ""))),
        "LOG_FORMAT": "json" if env("PORTAL_LOG_FORMAT", "text").strip().lower() == "json" else "text",
        "LOG_LEVEL": env("PORTAL_LOG_LEVEL", "INFO").strip().upper(),
        # Who may read /metrics: these networks (comma-separated CIDRs), or anyone with the bearer token.
        "METRICS_ALLOW": tuple(n.strip() for n in env("PORTAL_METRICS_ALLOW", "127.0.0.0/8,::1/128").split(",")
                               if n.strip()),
        "METRICS_TOKEN": env("PORTAL_METRICS_TOKEN", ""),
        # Outgoing webhooks: receivers on private, loopback or link-local addresses (an intranet Teams
        # gateway) are refused unless allowed here, as are plain http:// addresses. The key that encrypts
        # their secrets in the database; empty: derived from SECRET_KEY (changing it makes stored secrets
        # unreadable: each webhook then needs a new secret).
        "WEBHOOK_ALLOW_PRIVATE": _flag("PORTAL_WEBHOOK_ALLOW_PRIVATE"),
        "WEBHOOK_ALLOW_HTTP": _flag("PORTAL_WEBHOOK_ALLOW_HTTP"),
        "WEBHOOK_KEY": env("PORTAL_WEBHOOK_KEY", ""),
        # Calls a minute one API token may make (a fixed window counted in the database, shared by every worker).
        "API_CALLS_PER_MINUTE": max(1, int(env("PORTAL_API_CALLS_PER_MINUTE", "120"))),
        **_sign_in_settings(env),
    }


def _sign_in_settings(env) -> dict:
    """Single sign-on: OpenID Connect, LDAP / Active Directory and a trusted proxy's user header."""
    return {
        "OIDC_ISSUER": env("PORTAL_OIDC_ISSUER", "").strip(),
        "OIDC_CLIENT_ID": env("PORTAL_OIDC_CLIENT_ID", "").strip(),
        "OIDC_CLIENT_SECRET": env("PORTAL_OIDC_CLIENT_SECRET", ""),
        "OIDC_NAME": env("PORTAL_OIDC_NAME", "single sign-on").strip(),
        "OIDC_SCOPES": env("PORTAL_OIDC_SCOPES", "openid email profile").strip(),
        "OIDC_ROLE_CLAIM": env("PORTAL_OIDC_ROLE_CLAIM", "groups").strip(),
        "OIDC_ROLE_MAP": _pairs(env("PORTAL_OIDC_ROLE_MAP", "")),
        "OIDC_DEPARTMENT_CLAIM": env("PORTAL_OIDC_DEPARTMENT_CLAIM", "department").strip(),
        "OIDC_TIMEOUT": float(env("PORTAL_OIDC_TIMEOUT", "10")),
        "LDAP_URL": env("PORTAL_LDAP_URL", "").strip(),
        "LDAP_BIND_DN": env("PORTAL_LDAP_BIND_DN", ""),
        "LDAP_BIND_PASSWORD": env("PORTAL_LDAP_BIND_PASSWORD", ""),
        "LDAP_BASE_DN": env("PORTAL_LDAP_BASE_DN", ""),
        "LDAP_USER_FILTER": env("PORTAL_LDAP_USER_FILTER", "(&(objectClass=person)(|(uid={login})(mail={login})))"),
        # Every directory person the portal should know of, for `portal users sync`.
        "LDAP_SYNC_FILTER": env("PORTAL_LDAP_SYNC_FILTER", "(objectClass=person)"),
        # Who is disabled there; userAccountControl's bit 2 (Active Directory) is always honoured as well.
        "LDAP_DISABLED_FILTER": env("PORTAL_LDAP_DISABLED_FILTER", ""),
        "LDAP_ATTR_ID": env("PORTAL_LDAP_ATTR_ID", "entryUUID").strip(),
        "LDAP_ATTR_EMAIL": env("PORTAL_LDAP_ATTR_EMAIL", "mail").strip(),
        "LDAP_ATTR_NAME": env("PORTAL_LDAP_ATTR_NAME", "displayName").strip(),
        "LDAP_ATTR_DEPARTMENT": env("PORTAL_LDAP_ATTR_DEPARTMENT", "department").strip(),
        "LDAP_ROLE_GROUPS": _pairs(env("PORTAL_LDAP_ROLE_GROUPS", "")),
        # Applied at each mapped group's DN; AD's nested groups: (member:1.2.840.113556.1.4.1941:={dn}).
        "LDAP_GROUP_MEMBER_FILTER": env("PORTAL_LDAP_GROUP_MEMBER_FILTER", "(member={dn})"),
        "LDAP_TLS": env("PORTAL_LDAP_TLS", "starttls").strip().lower(),  # starttls, ldaps (or an ldaps:// URL), none
        "LDAP_CA_FILE": env("PORTAL_LDAP_CA_FILE", ""),
        "LDAP_TIMEOUT": int(env("PORTAL_LDAP_TIMEOUT", "10")),
        # The header a trusted reverse proxy puts the signed-in user name in (e.g. X-Remote-User); empty: off.
        "AUTH_PROXY_HEADER": env("PORTAL_AUTH_PROXY_HEADER", "").strip(),
        # The addresses that proxy connects from (CIDRs); a header from anywhere else is ignored.
        "AUTH_PROXY_FROM": tuple(n.strip() for n in env("PORTAL_AUTH_PROXY_FROM", "127.0.0.0/8,::1/128").split(",")
                                 if n.strip()),
        # Appended to a header value without '@' to make the account's e-mail.
        "AUTH_PROXY_EMAIL_DOMAIN": env("PORTAL_AUTH_PROXY_EMAIL_DOMAIN", "").strip().lstrip("@"),
        # The help desk by e-mail (`portal mail fetch`): the mailbox it reads over IMAP.
        "MAIL_IN_HOST": env("PORTAL_MAIL_IN_HOST", ""),
        "MAIL_IN_PORT": int(env("PORTAL_MAIL_IN_PORT", "0") or 0),  # 0: 993 for ssl, else 143
        "MAIL_IN_TLS": env("PORTAL_MAIL_IN_TLS", "ssl").strip().lower(),  # ssl, starttls or none
        "MAIL_IN_USER": env("PORTAL_MAIL_IN_USER", ""),
        "MAIL_IN_PASSWORD": env("PORTAL_MAIL_IN_PASSWORD", ""),
        "MAIL_IN_FOLDER": env("PORTAL_MAIL_IN_FOLDER", "INBOX"),
        # Read mail is moved here (empty: left in place and flagged); unreadable mail is set aside here.
        "MAIL_IN_DONE_FOLDER": env("PORTAL_MAIL_IN_DONE_FOLDER", "Processed"),
        "MAIL_IN_ERROR_FOLDER": env("PORTAL_MAIL_IN_ERROR_FOLDER", "Unprocessable"),
        # The help-desk address people write to; outgoing ticket mail names it as Reply-To.
        "MAIL_IN_ADDRESS": env("PORTAL_MAIL_IN_ADDRESS", ""),
        # Mail from an address without an account: "ignore", or "invite" (answer once how to get one).
        "MAIL_IN_UNKNOWN": env("PORTAL_MAIL_IN_UNKNOWN", "ignore").strip().lower(),
        "MAIL_IN_INVITE_DAYS": int(env("PORTAL_MAIL_IN_INVITE_DAYS", "7")),
    }
