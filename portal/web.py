"""Rendering and redirects that understand htmx; the only module that reads HX-* headers."""
from urllib.parse import unquote, urlsplit

from flask import Response, make_response, redirect, render_template, request, url_for
from flask_htmx import HTMX
from markupsafe import Markup, escape

htmx = HTMX()


def is_fragment_request() -> bool:
    """True for an htmx request that wants a fragment.

    Boosted requests and history restores want the whole page, so that the back
    button and a pasted URL always get a full document.
    """
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, fragment: str | None = None, status: int = 200, **ctx) -> Response:
    """Render the full page, or only `fragment` for an htmx request.

    The page includes the fragment template itself, so markup has one source.
    """
    name = fragment if fragment and is_fragment_request() else template
    response = make_response(render_template(name, **ctx), status)
    response.vary.add("HX-Request")
    return response


def apply_error(form, error: Exception, *, forbidden_status: int = 403,
                rename: dict[str, str] | None = None) -> int:
    """Show `error` on `form` and return the HTTP status to answer with.

    Each message of `error.errors` goes next to its field, or above the form
    (`form.form_errors`) when the form has no such field; an error naming no field
    shows its own message above the form. `rename` maps a service's field names to
    this form's. A page that shows a refusal inside its form passes
    `forbidden_status=422`: htmx swaps 409 and 422 answers only, and the person must
    see why. Errors other than the portal's (a bad number, say) answer 422.
    """
    fields = getattr(error, "errors", None) or {}
    for name, message in fields.items():
        name = (rename or {}).get(name, name)
        if name in form:
            form[name].errors = [*form[name].errors, message]  # a tuple until the field validates
        else:
            form.form_errors.append(message)
    if not fields:
        form.form_errors.append(str(error))
    status = getattr(error, "status", 422)
    return forbidden_status if status == 403 else status


def redirect_to(location: str, status: int = 303) -> Response:
    """After a successful POST: HX-Redirect for htmx, 303 See Other otherwise."""
    if htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=status)


def hx_trigger(response: Response, event: str) -> Response:
    """Ask the page to fire `event` after htmx swaps this response."""
    response.headers["HX-Trigger"] = event
    return response


def login_required_response() -> Response:
    """What an anonymous user gets for a protected URL.

    htmx requests get 401 with HX-Redirect, never a login form swapped into a
    table cell; plain requests are redirected with a `next` back here.
    """
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.method == "POST" and not htmx:
        kept = session_lost_response(signed_in=False)  # keep what was posted instead of losing it in a redirect
        if kept is not None:
            return kept
    if htmx:
        # After signing in, return to the page the user was on, not to the fragment
        # (a polled bell, a table) that happened to notice the expired session.
        current = urlsplit(htmx.current_url or "/")
        page = current.path + (f"?{current.query}" if current.query else "")
        target = url_for("auth.login", next=page)
        response = make_response("Your session has ended. Please sign in again.", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


# Posted fields never carried over an expired session: tokens and passwords (files cannot be).
NOT_CARRIED = {"csrf_token", "current", "new", "confirm", "resume_target", "carry_name", "carry_value"}
MAX_CARRIED = 200


def carried_fields(form=None) -> list[tuple[str, str]]:
    """The posted text fields worth keeping for the person to send again (not tokens or passwords)."""
    form = request.form if form is None else form
    kept = [(name, value) for name, value in form.items(multi=True)
            if name not in NOT_CARRIED and "password" not in name.lower()]
    return kept[:MAX_CARRIED]


def resume_request() -> tuple[str, list[tuple[str, str]]]:
    """(where to send the kept form again, its fields) from a sign-in form that carries them; ('', []) if none."""
    target = request.form.get("resume_target", "")
    target = safe_next(target, "") if target else ""
    if target.split("?", 1)[0] in (url_for("auth.login"), url_for("auth.logout")):
        target = ""
    names, values = request.form.getlist("carry_name"), request.form.getlist("carry_value")
    fields = [(n, v) for n, v in zip(names, values, strict=False)
              if n not in NOT_CARRIED and "password" not in n.lower()]
    return target, fields[:MAX_CARRIED] if target else []


def same_origin_post() -> bool:
    """True when the browser says the request came from one of the portal's own pages (Origin, else Referer).

    Only such a form is offered again after its session ended: a form another site made a browser
    send must never come back with a fresh token and a button that sends it.
    """
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    return bool(source) and source != "null" and urlsplit(source).netloc == request.host


def session_lost_response(signed_in: bool) -> Response | None:
    """A form sent after the session ended (or without its token): say so, keep what was typed, offer to send again.

    Plain posts get a page holding the posted text fields: a sign-in form that sends them on
    to the original address, or, still signed in, a button that sends them again with a fresh
    token. htmx requests get 401 with HX-Redirect to sign in (the page's script keeps a draft
    of what was typed and puts it back on return), or, still signed in, a reload of the page.
    None when the request is not a form from the portal's own pages (the caller refuses it plainly).
    """
    if request.method != "POST" or request.endpoint in ("auth.login", "auth.logout"):
        return None
    if htmx and not signed_in:
        return login_required_response()
    if not same_origin_post():
        return None
    if htmx:
        current = urlsplit(htmx.current_url or "/")
        response = make_response("This page had expired. It is reloaded; what you typed is kept.", 400)
        response.headers["HX-Redirect"] = safe_next(current.path + (f"?{current.query}" if current.query else ""))
        return response
    target = safe_next(request.full_path.rstrip("?"), "/")
    response = make_response(render_template("errors/resume.html", target=target, fields=carried_fields(),
                                             signed_in=signed_in, method=request.method), 400 if signed_in else 401)
    response.vary.add("HX-Request")
    return response


def query_args(**changes) -> dict:
    """The current query string as url_for() keywords, with `changes` applied.

    Keys starting with `_` are dropped: url_for reads `_method`, `_external` and
    the like as its own options, so a crafted query string could break the page.
    """
    args = {key: value for key, value in request.args.items() if not key.startswith("_")}
    args.update(changes)
    return args


def safe_next(target: str | None, default: str = "/") -> str:
    """Accept `next` only as a local path: one `/` followed by neither `/` nor `\\`.

    Browsers treat `//host`, `/\\host` and `\\/host` as other sites, and
    Werkzeug keeps Location relative; percent-encoded forms are decoded first.
    """
    if not target:
        return default
    decoded = target
    for _ in range(3):  # nested encodings such as %252F
        decoded = unquote(decoded)
    if any(ch in decoded for ch in "\r\n\t\x00"):
        return default
    if not decoded.startswith("/") or decoded.startswith(("//", "/\\")):
        return default
    if "\\" in decoded.split("?", 1)[0]:
        return default
    return target


def _html_params(**kwargs) -> Markup:
    """WTForms' `html_params`, the same attributes in the same order, without `Markup.format`.

    Every form field and every option of a select is rendered through it, dozens of
    times a page; WTForms' own formats each attribute through string.Formatter (~40 µs
    for four attributes, against ~5 µs here).
    """
    from wtforms.widgets.core import clean_key

    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            value = str(escape(value))
            if '"' in value:  # escape() turns every quote into &#34;, so only a Markup value still holds one
                value = value.replace('"', "&quot;")
            params.append(f'{key}="{value}"')
    return Markup(" ".join(params))


def speed_up_form_rendering() -> None:
    """Let WTForms' widgets build their attributes with `_html_params` (once, at start)."""
    import wtforms.widgets
    import wtforms.widgets.core

    core = wtforms.widgets.core
    core.html_params = wtforms.widgets.html_params = _html_params
    # Inputs and buttons keep their own reference, taken when WTForms defined them.
    for widget in vars(core).values():
        if isinstance(widget, type) and "html_params" in vars(widget):
            widget.html_params = staticmethod(_html_params)
    # A select asks inspect.signature which render_option its class has on every render: the answer
    # is the class's, so it is worked out once per class.
    # A private method: a WTForms release without it keeps its own (slower) way, never fails to start.
    original = getattr(core.Select, "_dispatch_render_option", None)
    if original is None or not hasattr(original, "__func__"):
        return
    dispatch, dispatchers = original.__func__, {}

    def dispatch_once(cls):
        if cls not in dispatchers:
            dispatchers[cls] = dispatch(cls)
        return dispatchers[cls]

    if not getattr(original, "portal_cached", False):
        dispatch_once.portal_cached = True
        core.Select._dispatch_render_option = classmethod(dispatch_once)
