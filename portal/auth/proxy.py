"""Sign-in by a trusted reverse proxy's header (REMOTE_USER style), e.g. X-Remote-User.

Off unless PORTAL_AUTH_PROXY_HEADER is set, and then honoured only for a request that
reached the portal through the configured proxies: PORTAL_TRUST_PROXY must be at least 1,
the request must carry that many X-Forwarded-For hops, and the TCP peer that connected to
the portal (not an address a header claims) must be in PORTAL_AUTH_PROXY_FROM. A client
that connects to the portal directly, or through another host, is never signed in by it.
The proxy must set the header itself, replacing any value a client sent.
"""
import ipaddress
import re

from flask import current_app, request, session
from flask_login import current_user, login_user

from portal.audit.services import record
from portal.auth.provisioning import Identity, SignInRefused, provision
from portal.db import db
from portal.logs import security_event

# A user name from Kerberos, Basic auth or a header: plain characters only (it is logged and stored).
_SAFE_NAME = re.compile(r"[A-Za-z0-9._@+-]{1,254}")


def check_settings(config) -> None:
    """Refuse to start with the header on but no trusted proxy configured."""
    if not config.get("AUTH_PROXY_HEADER"):
        return
    if int(config.get("TRUST_PROXY") or 0) < 1:
        raise ValueError("PORTAL_AUTH_PROXY_HEADER needs PORTAL_TRUST_PROXY (the number of proxies in front of "
                         "the portal, at least 1): without it any client could send the header.")
    for network in config["AUTH_PROXY_FROM"]:
        ipaddress.ip_network(network, strict=False)  # a typo fails at start, not at the first request


def peer_address(environ) -> str:
    """The address of whoever opened the connection to the portal, before ProxyFix rewrote it."""
    original = environ.get("werkzeug.proxy_fix.orig") or {}
    return original.get("REMOTE_ADDR") or environ.get("REMOTE_ADDR") or ""


def from_trusted_proxy(environ, config) -> bool:
    """True when this request came through the configured proxies, from one of their addresses."""
    hops = [h for h in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if int(config.get("TRUST_PROXY") or 0) < 1 or len(hops) < config["TRUST_PROXY"]:
        return False
    try:
        peer = ipaddress.ip_address(peer_address(environ).split("%")[0])
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(n, strict=False) for n in config["AUTH_PROXY_FROM"])


def user_name(environ, config) -> str | None:
    """The user name the trusted proxy vouches for, or None (header off, absent, or not trusted)."""
    header = config.get("AUTH_PROXY_HEADER")
    if not header:
        return None
    value = environ.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
    if not value:
        return None
    if not from_trusted_proxy(environ, config):
        security_event("proxy_header_ignored", f"{header} ignored: the request did not come through the trusted "
                       "proxy", remote_addr=peer_address(environ), header=header)
        return None
    value = value.rsplit("\\", 1)[-1]  # DOMAIN\user
    return value if _SAFE_NAME.fullmatch(value) else None


def sign_in_from_header():
    """Before each request: sign in the person the trusted proxy names, when nobody (or another proxy user) is."""
    config = current_app.config
    if not config.get("AUTH_PROXY_HEADER"):
        return
    name = user_name(request.environ, config)
    if name is None:
        return
    external_id = name.lower()
    if current_user.is_authenticated and (current_user.auth_source != "proxy"
                                          or current_user.external_id == external_id):
        return  # already this person, or a password or SSO sign-in that the header does not replace
    if "@" in external_id:
        email = external_id
    elif config["AUTH_PROXY_EMAIL_DOMAIN"]:
        email = f"{external_id}@{config['AUTH_PROXY_EMAIL_DOMAIN']}"
    else:
        raise SignInRefused("The sign-on proxy sent a user name without a domain and the portal has no "
                            "PORTAL_AUTH_PROXY_EMAIL_DOMAIN to make an e-mail address from it.")
    address = request.remote_addr or "unknown"
    user = provision(Identity("proxy", external_id, email, external_id.split("@")[0]), "member", address,
                     refresh=False)
    with db.atomic():
        record(user, "user.login", "user", user.id, "Signed in by the sign-on proxy")
    session.clear()
    login_user(user)
    security_event("login_succeeded", f"Signed in by the proxy's {config['AUTH_PROXY_HEADER']}: {user.email}",
                   email=user.email, user_id=user.id, source="proxy", remote_addr=address)
