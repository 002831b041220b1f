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
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "LOGIN_FAILURE_WINDOW_SECONDS": 15 * 60,
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
    }
