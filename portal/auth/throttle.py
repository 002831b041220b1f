"""Sign-in throttling with device cookies (OWASP): a stranger's guesses never lock the owner's known devices.

A device that signed in successfully carries a signed cookie naming the account
and a random nonce. Failures are stored in the database (so every worker and
host sees them), each with the nonce of the valid device cookie it came with,
or none:

- a known device (valid cookie for this account) has its own allowance and is
  not affected by failures anywhere else;
- devices never signed in on share one allowance per account: past it they are
  refused until the oldest counted failure is a window old;
- an address (an office behind NAT) is refused only after many failures, and
  only for devices without a cookie for the account.
"""
import datetime
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.auth.models import LoginFailure
from portal.db import utcnow
from portal.errors import PortalError

DEVICE_COOKIE = "portal_device"
MAX_DEVICE_ENTRIES = 5  # accounts remembered per browser (a shared desk)


class Throttled(PortalError):
    """Too many failed sign-ins (429); `retry_after` in seconds, `scope` says whose failures."""

    status = 429

    def __init__(self, retry_after: int = 900, scope: str = "account"):
        self.retry_after, self.scope = max(int(retry_after), 1), scope
        minutes = max(1, -(-self.retry_after // 60))
        wait = f"Try again in {minutes} minute{'s' if minutes != 1 else ''}"
        if scope == "address":
            text = (f"Too many failed sign-ins from your network. {wait}. A device you have signed in on "
                    "before is not affected. You can also use “Forgot password?”, or ask an admin.")
        elif scope == "reset":
            text = (f"Too many password reset requests from your network. {wait}, or ask an admin "
                    "to send you a link.")
        elif scope == "device":
            text = (f"Too many failed sign-ins on this device. {wait}, use “Forgot password?” to set a new "
                    "password, or ask an admin to unlock your account.")
        else:
            text = (f"Too many failed sign-ins for this account from devices it has not been used on. {wait}, "
                    "use “Forgot password?” to set a new password, or ask an admin to unlock it. "
                    "Devices you have signed in on before still work.")
        super().__init__(text)


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="portal-device-cookie")


def read_devices(value: str | None, secret: str, max_age_days: int) -> dict[int, str]:
    """{user id: nonce} from a device cookie; empty when missing, forged or expired."""
    if not value or len(value) > 2000:
        return {}
    try:
        pairs = _serializer(secret).loads(value, max_age=max_age_days * 86400)
        return {int(uid): str(nonce)[:32] for uid, nonce in pairs[:MAX_DEVICE_ENTRIES]}
    except (BadSignature, TypeError, ValueError):
        return {}


def remember_device(devices: dict[int, str], user_id: int, secret: str) -> str:
    """The cookie value after a successful sign-in: a fresh nonce for `user_id`, most recent first."""
    pairs = [[user_id, secrets.token_hex(16)]] + [[uid, n] for uid, n in devices.items() if uid != user_id]
    return _serializer(secret).dumps(pairs[:MAX_DEVICE_ENTRIES])


def _window(config) -> datetime.timedelta:
    return datetime.timedelta(seconds=config["LOGIN_FAILURE_WINDOW_SECONDS"])


def seconds_locked(condition, limit: int, config, now=None) -> int:
    """Seconds until fewer than `limit` failures matching `condition` remain in the window (0: not locked)."""
    now = now or utcnow()
    window = _window(config)
    nth = (LoginFailure.select(LoginFailure.at).where(condition & (LoginFailure.at >= now - window))
           .order_by(LoginFailure.at.desc()).offset(max(limit, 1) - 1).limit(1).scalar())
    if nth is None:
        return 0
    return max(int((nth + window - now).total_seconds()) + 1, 1)


def check_allowed(email: str, address: str, nonce: str, config) -> None:
    """Raise Throttled when this device may not try a password for `email` now."""
    if nonce:
        wait = seconds_locked((LoginFailure.email == email) & (LoginFailure.device == nonce),
                              config["LOGIN_MAX_FAILURES_PER_DEVICE"], config)
        if wait:
            raise Throttled(wait, "device")
        return
    wait = seconds_locked((LoginFailure.email == email) & (LoginFailure.device == ""),
                          config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], config)
    if wait:
        raise Throttled(wait, "account")
    wait = seconds_locked(LoginFailure.address == address, config["LOGIN_MAX_FAILURES_PER_ADDRESS"], config)
    if wait:
        raise Throttled(wait, "address")


def record_failure(email: str, address: str, nonce: str, config) -> str | None:
    """Store one failure; returns the scope it just locked ("account" or "device"), if any."""
    LoginFailure.create(email=email, address=address[:64], device=nonce)
    # Rows older than the window count for nothing: a stranger's failures are never deleted by a sign-in.
    LoginFailure.delete().where(LoginFailure.at < utcnow() - max(_window(config), datetime.timedelta(days=1))).execute()
    if nonce:
        locked = seconds_locked((LoginFailure.email == email) & (LoginFailure.device == nonce),
                                config["LOGIN_MAX_FAILURES_PER_DEVICE"], config)
        return "device" if locked else None
    locked = seconds_locked((LoginFailure.email == email) & (LoginFailure.device == ""),
                            config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], config)
    return "account" if locked else None


def lock_state(email: str, config) -> int:
    """Seconds for which devices never signed in on are refused for `email` (0: not locked)."""
    return seconds_locked((LoginFailure.email == email) & (LoginFailure.device == ""),
                          config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], config)


def forgive_own_failures(email: str, address: str, nonce: str) -> int:
    """After a right password: forget this device's failures (typos), never a stranger's elsewhere.

    A known device forgets its own; a new device forgets those from its address.
    Failures from other places keep counting, so signing in does not reset an attacker's allowance.
    """
    own = (LoginFailure.device == nonce) if nonce else ((LoginFailure.device == "") & (LoginFailure.address == address))
    return LoginFailure.delete().where((LoginFailure.email == email) & own).execute()


def clear_failures(email: str) -> int:
    """Forget every failure for `email` (a right password, an unlock or a new password)."""
    return LoginFailure.delete().where(LoginFailure.email == email).execute()
