"""Form fields render the attributes WTForms would, escaped the same way, by the portal's faster helper."""
import importlib.util

import pytest
from markupsafe import Markup
from wtforms import BooleanField, Form, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.web import _html_params


def wtforms_html_params():
    """WTForms' own helper, from a fresh copy of its module (the portal replaced the one in use)."""
    spec = importlib.util.find_spec("wtforms.widgets.core")
    pristine = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pristine)
    return pristine.html_params


class TicketForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=[("a", 'Say "hi"'), ("b<", "B & C"), ("", "None")])
    urgent = BooleanField("Urgent")


@pytest.mark.parametrize("attrs", [
    {"id": "title", "name": "title", "value": 'He said "stop" <now> & then', "required": True},
    {"class_": "wide", "for_": "x", "data_hx_vals": '{"version": "3"}', "aria_describedby": "x-help"},
    {"value": Markup('already "safe" <b>markup</b>'), "checked": True, "readonly": False, "disabled": None},
    {"value": 0, "maxlength": 200, "selected": True, "multiple": False},
    {},
])
def test_attributes_are_exactly_what_wtforms_would_write(app, attrs):
    ours = _html_params(**attrs)
    assert isinstance(ours, Markup)
    assert ours == wtforms_html_params()(**attrs)
    assert "<now>" not in ours


def test_typed_text_with_quotes_and_tags_stays_inside_its_field(app):
    from wtforms.widgets import core
    # the fields below go through the portal's helper
    assert core.html_params is _html_params and core.Input.html_params is _html_params
    form = TicketForm(data={"title": '"><script>alert(1)</script>', "kind": "b<", "urgent": True})
    title = str(form.title())
    assert title == ('<input id="title" maxlength="200" name="title" required type="text" '
                     'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">')
    assert str(form.kind()) == ('<select id="kind" name="kind"><option value="a">Say &#34;hi&#34;</option>'
                                '<option selected value="b&lt;">B &amp; C</option>'
                                '<option value="">None</option></select>')
    assert str(form.urgent()) == '<input checked id="urgent" name="urgent" type="checkbox" value="y">'
