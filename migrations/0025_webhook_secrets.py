"""Webhook secrets encrypted at rest: each stored secret is encrypted (Fernet) under the key in force,
PORTAL_WEBHOOK_KEY or else SECRET_KEY, so a database holding webhooks is upgraded with `portal db upgrade`
(which reads the portal's configuration). The column widens to hold the longer token. down() decrypts them.

The key derivation is written out here rather than imported (see portal/webhooks/sealing.py): what this
migration stores must stay readable whatever that module later becomes.
"""
import base64

from peewee import SqliteDatabase

INFO = b"pmo-portal webhook secret"


def _fernet():
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from flask import current_app, has_app_context
    if not has_app_context():
        raise RuntimeError("Webhook secrets are encrypted with the portal's key: run `portal db upgrade`.")
    material = current_app.config.get("WEBHOOK_KEY") or current_app.config["SECRET_KEY"]
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(material.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(key))


def _rewrite(db, change) -> None:
    rows = db.execute_sql('SELECT id, secret FROM "webhook"').fetchall()
    if not rows:
        return
    fernet = _fernet()
    for row_id, secret in rows:
        db.execute_sql(f'UPDATE "webhook" SET secret = {db.param} WHERE id = {db.param}',
                       (change(fernet, secret), row_id))


def up(migrator, db):
    if not isinstance(db, SqliteDatabase):  # SQLite does not enforce VARCHAR lengths
        db.execute_sql('ALTER TABLE "webhook" ALTER COLUMN secret TYPE VARCHAR(500)')
    _rewrite(db, lambda f, secret: f.encrypt(secret.encode("utf-8")).decode("ascii"))


def down(migrator, db):
    _rewrite(db, lambda f, token: f.decrypt(token.encode("ascii")).decode("utf-8"))
    if not isinstance(db, SqliteDatabase):
        db.execute_sql('ALTER TABLE "webhook" ALTER COLUMN secret TYPE VARCHAR(255)')
