"""The shared refusals: each one's HTTP status, and how portal.web.apply_error shows it on a form."""
import datetime

import pytest
from wtforms import Form, HiddenField, StringField

from portal.auth.services import Throttled
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound, PortalError, Stale
from portal.helpdesk.services import HelpdeskError
from portal.projects.rules import RulesError
from portal.projects.workflow import WorkflowError
from portal.resources.services import Overbooked
from portal.web import apply_error
from tests.factories import make_ticket


class NoteForm(Form):
    title = StringField()
    body = StringField()
    version = HiddenField()


def _validated_form(**data) -> NoteForm:
    form = NoteForm(data=data)
    form.validate()
    return form


@pytest.mark.parametrize("error,status", [
    (InvalidInput({"title": "Give a title."}), 422), (NotAllowed("No."), 403), (NotFound("Gone."), 404),
    (Conflict("Closed already."), 409), (Stale("Someone saved first."), 409),
])
def test_each_error_knows_its_status(error, status):
    assert error.status == status
    assert isinstance(error, PortalError)
    assert isinstance(error, ValueError)  # callers that guard a parse-and-save with ValueError still catch it


@pytest.mark.parametrize("error,status", [
    (WorkflowError("A draft project cannot become active."), 422),
    (HelpdeskError("Only PMO staff merge tickets."), 422),
    (RulesError(["The rules must be a table."]), 422),
    (Overbooked([(datetime.date(2025, 1, 6), 120)]), 422),
])
def test_feature_errors_are_invalid_input_and_keep_its_status(error, status):
    assert isinstance(error, InvalidInput) and error.status == status


def test_throttled_sign_in_answers_429_with_its_message():
    error = Throttled()
    assert isinstance(error, PortalError) and error.status == 429
    assert str(error).startswith("Too many failed sign-ins")


def test_stale_is_a_conflict_and_carries_who_and_when():
    when = datetime.datetime(2025, 3, 4, 10, 30)
    error = Stale("Ada saved it.", who="Ada", when=when, current={"version": 3})
    assert isinstance(error, Conflict)
    assert (error.who, error.when, error.current) == ("Ada", when, {"version": 3})
    assert str(error) == "Ada saved it."
    bare = Stale()
    assert bare.who is None and bare.when is None and bare.current is None


def test_invalid_input_message_is_the_summary_or_the_field_messages():
    assert str(InvalidInput("There is no draft to publish.")) == "There is no draft to publish."
    assert InvalidInput("There is no draft to publish.").errors == {}
    both = InvalidInput({"title": "Give a title.", "body": "Write something."})
    assert str(both) == "Give a title.; Write something."
    summary = InvalidInput({"title": "Give a title."}, "Please correct the marked fields.")
    assert str(summary) == "Please correct the marked fields." and summary.errors == {"title": "Give a title."}


def test_field_errors_go_next_to_their_fields_the_rest_above_the_form():
    form = _validated_form(title="x")
    status = apply_error(form, InvalidInput({"title": "Give a title.", "owner": "Choose an owner."},
                                            "Please correct the marked fields."))
    assert status == 422
    assert form.title.errors == ["Give a title."]
    assert form.body.errors == []
    # No such field on this form: the person must still see it, so above the form.
    assert form.form_errors == ["Choose an owner."]  # the summary is not repeated over the fields


def test_an_error_naming_no_field_is_shown_above_the_form_with_its_status():
    form = _validated_form()
    assert apply_error(form, Stale("Someone saved this at 10:30.")) == 409
    assert form.form_errors == ["Someone saved this at 10:30."]
    assert all(not field.errors for field in form)


def test_messages_are_added_to_errors_already_shown_and_to_unvalidated_fields():
    form = NoteForm(data={})  # not validated: WTForms leaves field errors a tuple
    apply_error(form, InvalidInput({"body": "Write something."}))
    assert list(form.body.errors) == ["Write something."]
    form = _validated_form()
    form.title.errors.append("Too long.")
    apply_error(form, InvalidInput({"title": "Already taken."}))
    assert form.title.errors == ["Too long.", "Already taken."]


def test_renamed_fields_and_refusals_shown_in_a_form():
    form = _validated_form()
    apply_error(form, InvalidInput({"password": "Use at least 10 characters."}), rename={"password": "body"})
    assert form.body.errors == ["Use at least 10 characters."]
    refused = NotAllowed("Only the manager may edit it.")
    assert apply_error(_validated_form(), refused) == 403
    form = _validated_form()
    # htmx swaps only 409 and 422, so a page that shows the refusal in its form asks for 422.
    assert apply_error(form, refused, forbidden_status=422) == 422
    assert form.form_errors == ["Only the manager may edit it."]
    assert apply_error(_validated_form(), NotFound("No such ticket.")) == 404


def test_other_errors_are_shown_above_the_form_as_invalid_input():
    form = _validated_form()
    assert apply_error(form, ValueError("invalid literal for int() with base 10: 'x'")) == 422
    assert form.form_errors == ["invalid literal for int() with base 10: 'x'"]


def test_a_stale_canned_answer_is_refused_with_409_and_a_taken_title_with_422(client, login):
    login("pmo")
    assert client.post("/helpdesk/canned/new", data={"title": "Charter", "body": "See the charter."}).status_code == 303
    assert client.post("/helpdesk/canned/new", data={"title": "Risks", "body": "See the risk log."}).status_code == 303
    from portal.helpdesk.models import CannedAnswer
    answer = CannedAnswer.get(CannedAnswer.title == "Charter")
    first = client.post(f"/helpdesk/canned/{answer.id}", data={"title": "Charter", "body": "New text.",
                                                              "version": answer.version})
    assert first.status_code == 303
    late = client.post(f"/helpdesk/canned/{answer.id}", data={"title": "Charter", "body": "Mine.",
                                                             "version": answer.version})
    assert late.status_code == 409
    assert "Someone else changed this answer since you opened it" in late.get_data(as_text=True)
    taken = client.post(f"/helpdesk/canned/{answer.id}", data={"title": "Risks", "body": "Mine.",
                                                              "version": answer.version + 1})
    assert taken.status_code == 422 and "exists already" in taken.get_data(as_text=True)
    assert CannedAnswer.get_by_id(answer.id).body == "New text."


def test_only_the_requester_rates_an_answer_anyone_else_is_forbidden(client, login):
    ticket = make_ticket(status="resolved")
    login("pmo")  # sees every ticket, asked none of them
    response = client.post(f"/helpdesk/{ticket.number}/rate", data={"rating": "5"})
    assert response.status_code == 403
    assert "Only the person who asked can rate the answer." in response.get_data(as_text=True)
