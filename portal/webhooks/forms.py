"""The webhook form: name, address, format, events, secret."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, SelectMultipleField, StringField, widgets

from portal.numbers import VersionField
from portal.webhooks.events import EVENTS
from portal.webhooks.models import FORMATS


class WebhookForm(FlaskForm):
    """Checked again by the service; the secret is write-only (never filled back in)."""

    name = StringField("Name")
    url = StringField("Address (URL)")
    format = SelectField("Format", choices=list(FORMATS.items()))
    events = SelectMultipleField("Events", choices=list(EVENTS.items()), validate_choice=False,
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False))
    secret = PasswordField("Secret")
    active = BooleanField("Active", default=True)
    version = VersionField()

    def values(self) -> dict:
        return {"name": self.name.data, "url": self.url.data, "format": self.format.data,
                "events": self.events.data or [], "secret": self.secret.data or "", "active": self.active.data}
