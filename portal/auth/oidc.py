"""OpenID Connect (Entra ID, Okta, Keycloak, Google Workspace…) through Authlib's Flask client.

The provider is read from its discovery document; the flow is the authorization code
flow with PKCE. Authlib keeps state, nonce and the PKCE verifier in the signed session
cookie (the portal stays stateless behind a load balancer), checks state on return and
verifies the ID token's signature, issuer, audience, expiry and nonce.

Authlib (with requests, joserfc and cryptography, ~18 MB a worker) is imported only
where single sign-on is configured or used.
"""
from urllib.parse import urlsplit

from flask import current_app

from portal.audit.services import record
from portal.auth.provisioning import Identity, SignInFailed, check_role_map, provision, role_for
from portal.db import db
from portal.logs import security_event

CLIENT = "sso"


def enabled(config) -> bool:
    """True when an OpenID provider is configured."""
    return bool(config.get("OIDC_ISSUER") and config.get("OIDC_CLIENT_ID"))


def init_app(app) -> None:
    """Register the provider on this app (one OAuth registry per app: tests run several at once)."""
    check_role_map(app.config["OIDC_ROLE_MAP"], "PORTAL_OIDC_ROLE_MAP")
    if not enabled(app.config):
        return
    from authlib.integrations.flask_client import OAuth

    issuer = app.config["OIDC_ISSUER"].rstrip("/")
    oauth = OAuth(app)
    oauth.register(CLIENT, client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config["OIDC_CLIENT_SECRET"],
                   server_metadata_url=f"{issuer}/.well-known/openid-configuration",
                   client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                                  "default_timeout": app.config["OIDC_TIMEOUT"]})
    app.extensions["portal.oidc"] = oauth


def client():
    """This app's registered provider client."""
    return getattr(current_app.extensions["portal.oidc"], CLIENT)


def provider_origins() -> list[str]:
    """The origins the browser is sent to: the issuer's, and the authorization endpoint's once discovered."""
    origins = []
    for url in (current_app.config["OIDC_ISSUER"], client().server_metadata.get("authorization_endpoint", "")):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and f"{parts.scheme}://{parts.netloc}" not in origins:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


def _failed(message: str, reason: str, address: str, exc: Exception | None = None) -> SignInFailed:
    # The exception's class and the provider's error code only: never a token, code or secret.
    security_event("sso_error", f"Single sign-on failed: {reason}", source="oidc", reason=reason,
                   error=type(exc).__name__ if exc else "", remote_addr=address)
    return SignInFailed(message)


def start(redirect_uri: str, address: str):
    """The redirect to the provider's sign-in page (state, nonce and PKCE verifier go in the session)."""
    try:
        return client().authorize_redirect(redirect_uri)
    except Exception as exc:  # discovery document unreachable or malformed
        raise _failed(f"{current_app.config['OIDC_NAME']} cannot be reached just now. Try again in a few minutes, "
                      "or sign in with a password if you have one.", "provider unreachable", address, exc) from None


def finish(args, address: str):
    """Complete the sign-in from the provider's answer: the portal account, created or refreshed."""
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError

    name = current_app.config["OIDC_NAME"]
    if args.get("error"):
        code = str(args.get("error"))[:64]
        raise _failed(f"{name} did not sign you in ({code}). Start again from the sign-in page.",
                      f"provider answered {code}", address)
    try:
        token = client().authorize_access_token()
    except MismatchingStateError as exc:
        raise _failed("This sign-in link is out of date or was not started in this browser. "
                      "Start again from the sign-in page.", "state mismatch", address, exc) from None
    except OAuthError as exc:
        raise _failed(f"{name} refused the sign-in ({str(exc.error)[:64]}). Start again from the sign-in page.",
                      "token request refused", address, exc) from None
    except Exception as exc:  # network failure, bad signature, wrong audience or nonce, expired token
        raise _failed(f"The sign-in with {name} could not be verified or {name} cannot be reached. "
                      "Start again from the sign-in page.", "token not verified", address, exc) from None
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise _failed("The identity provider sent no ID token. Start again from the sign-in page.",
                      "no id token", address)
    try:
        extra = client().userinfo(token=token)
    except Exception:  # the ID token is enough; userinfo only adds claims
        extra = {}
    if extra.get("sub") == claims["sub"]:
        claims = {**extra, **claims}
    return sign_in(claims, address, current_app.config)


def sign_in(claims: dict, address: str, config):
    """The portal account for verified `claims` (JIT: created at first sign-in, refreshed after)."""
    if claims.get("email_verified") is False:
        raise _failed("Your e-mail address is not verified with the identity provider; verify it there first.",
                      "e-mail not verified", address)
    groups = claims.get(config["OIDC_ROLE_CLAIM"]) or ()
    groups = (groups,) if isinstance(groups, str) else tuple(str(g) for g in groups if isinstance(g, (str, int)))
    department = claims.get(config["OIDC_DEPARTMENT_CLAIM"]) or ""
    identity = Identity("oidc", str(claims["sub"]), str(claims.get("email") or ""),
                        str(claims.get("name") or ""), department if isinstance(department, str) else "", groups)
    mapped = tuple(g for g in groups if any(g.lower() == group.lower() for _r, group in config["OIDC_ROLE_MAP"]))
    identity.groups = mapped  # only the groups that matter are logged and audited
    user = provision(identity, role_for(groups, config["OIDC_ROLE_MAP"]), address)
    with db.atomic():
        record(user, "user.login", "user", user.id, f"Signed in through {config['OIDC_NAME']}")
    security_event("login_succeeded", f"Signed in through {config['OIDC_NAME']}: {user.email}", email=user.email,
                   user_id=user.id, source="oidc", remote_addr=address)
    return user
