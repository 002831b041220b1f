"""Webhook secrets encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256), so a copy of the database or a
backup alone does not let anyone forge the portal's signed deliveries.

The key is derived (HKDF-SHA256) from PORTAL_WEBHOOK_KEY, or from SECRET_KEY when that is not set. Changing the
key in force makes every stored secret unreadable: deliveries of those webhooks fail with a message saying so,
and each webhook needs a new secret (edit it and enter one) that its receiver learns too. Migration 0025 writes
the same derivation out, as migrations must not follow later code.
"""
import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

INFO = b"pmo-portal webhook secret"


class UnreadableSecret(ValueError):
    """A stored secret the key in force cannot decrypt (the key changed since it was saved)."""


def fernet_for(material: str) -> Fernet:
    """The Fernet instance for key material (any string; a passphrase is stretched by HKDF)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(material.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> Fernet:
    config = current_app.config
    return fernet_for(config.get("WEBHOOK_KEY") or config["SECRET_KEY"])


def seal(secret: str) -> str:
    """`secret` encrypted for the database (a different token each time)."""
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    """The secret stored as `token`; UnreadableSecret when the key in force did not encrypt it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise UnreadableSecret("The webhook's secret cannot be decrypted: the encryption key (PORTAL_WEBHOOK_KEY "
                               "or SECRET_KEY) changed since it was saved. Give the webhook a new secret.") from exc
