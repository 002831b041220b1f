"""The refusals every feature raises: one small vocabulary, each error knowing its HTTP status.

Views show them with `portal.web.apply_error`; the CLI prints `str(error)`.
Features subclass these only where a name says more (`WorkflowError`,
`HelpdeskError`); the message texts are the features' own.
"""
import datetime
from collections.abc import Mapping


class PortalError(ValueError):
    """A request the portal refuses; the message says why, `status` is the HTTP answer.

    A ValueError, because the request asked for something this record or this
    person cannot take, and callers that guard a parse-and-save with
    `except ValueError` keep working.
    `errors` maps form field names to their messages (empty when the message is
    about the whole request).
    """

    status = 422

    def __init__(self, message: str = "", errors: Mapping[str, str] | None = None):
        self.errors = dict(errors or {})
        super().__init__(message or "; ".join(self.errors.values()))


class InvalidInput(PortalError):
    """Input that cannot be accepted (422).

    `InvalidInput({"field": "message", ...})` names each bad field;
    `InvalidInput("message")` is about the form as a whole; `message` given
    beside field errors is the summary (the CLI's and the log's), not repeated on the form.
    """

    status = 422

    def __init__(self, errors: Mapping[str, str] | str | None = None, message: str = ""):
        if isinstance(errors, str):
            errors, message = None, errors
        super().__init__(message, errors)


class NotAllowed(PortalError):
    """The acting person may not do this (403)."""

    status = 403


class NotFound(PortalError):
    """There is no such record, or none this person may see (404)."""

    status = 404


class Conflict(PortalError):
    """The record is not in a state that allows this (409).

    `who` (a user, or a name) and `when` say who moved it there and when, where
    that is known; `current` is the record as it is now, for the page to show.
    """

    status = 409

    def __init__(self, message: str = "", errors: Mapping[str, str] | None = None, *, who=None,
                 when: datetime.datetime | None = None, current=None):
        super().__init__(message, errors)
        self.who, self.when, self.current = who, when, current


class Stale(Conflict):
    """Someone saved the record after the form was opened (409); nothing was saved."""
