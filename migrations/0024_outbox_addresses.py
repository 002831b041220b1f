"""The outbox takes mail to a plain address (password links, answers to unknown senders). Frozen: see 0001.

`mail_delivery.notification_id` may be NULL; `auto_submitted` says which RFC 3834 value the mail
carries; `forget_body` marks a body holding a one-time link, blanked once sent.
"""
from peewee import BooleanField, CharField


def up(migrator, db):
    migrator.migrate(
        migrator.drop_not_null("mail_delivery", "notification_id"),
        migrator.add_column("mail_delivery", "auto_submitted", CharField(max_length=16, default="auto-generated")),
        migrator.add_column("mail_delivery", "forget_body", BooleanField(default=False)))


def down(migrator, db):
    # Mail with no notification cannot go back into the old table: drop it (sent or not).
    db.execute_sql('DELETE FROM "mail_delivery" WHERE "notification_id" IS NULL')
    migrator.migrate(
        migrator.drop_column("mail_delivery", "forget_body"),
        migrator.drop_column("mail_delivery", "auto_submitted"),
        migrator.add_not_null("mail_delivery", "notification_id"))
