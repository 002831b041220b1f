"""PMO Portal: the application factory."""
from flask import Flask, abort, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import assets as portal_assets
from portal import compression as portal_compression
from portal import config as portal_config
from portal import db as portal_db
from portal import logs as portal_logs
from portal.knowledge_seed import seed_knowledge
from portal.numbers import BoundedIntegerConverter
from portal.web import htmx, login_required_response, query_args, render, session_lost_response, speed_up_form_rendering

csrf = CSRFProtect()
login_manager = LoginManager()

# No inline script anywhere: htmx reads its settings from a <meta> tag and our
# own behaviour lives in static/app.js.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def create_app(config: dict | None = None) -> Flask:
    """Build the portal: config, database, extensions, blueprints, errors, headers."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(portal_config.load(app.instance_path))
    if config:
        app.config.update(config)
    _offer_demo_accounts(app)
    # First run: an empty knowledge folder gets the shipped articles; an edited one is never touched.
    app.extensions["portal.knowledge_seeded"] = seed_knowledge(app.config["KNOWLEDGE_DIR"])

    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUST_PROXY"],
                                x_proto=app.config["TRUST_PROXY"], x_host=app.config["TRUST_PROXY"])

    # Before any blueprint adds its rules: a converter is chosen when a rule is bound.
    app.url_map.converters["int"] = BoundedIntegerConverter
    # Logging first: the request id and start time exist even when connecting to the database fails.
    portal_logs.init_app(app)
    portal_db.init_app(app)
    _init_metrics(app)
    csrf.init_app(app)
    htmx.init_app(app)
    speed_up_form_rendering()
    _init_login(app)
    _register_blueprints(app)
    _register_errors(app)
    _refuse_nul_characters(app)
    _accept_form_bodies_only(app)
    _register_headers(app)
    portal_assets.init_app(app)
    portal_compression.init_app(app)
    _register_template_helpers(app)
    return app


def _offer_demo_accounts(app):
    """The accounts the login page lists in demo mode (DEMO_MODE may be switched on after start)."""
    from portal.demo import login_page_accounts

    app.config.setdefault("DEMO_ACCOUNTS", login_page_accounts())


def _init_login(app):
    from portal.auth.services import load_session_user

    login_manager.init_app(app)
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)
    login_manager.unauthorized_handler(login_required_response)


def _init_metrics(app):
    from portal.ops.metrics import observe
    app.after_request(observe)


def _register_blueprints(app):
    from portal.activity import bp as activity_bp
    from portal.admin import bp as admin_bp
    from portal.api import bp as api_bp
    from portal.auth import bp as auth_bp
    from portal.changes import bp as changes_bp
    from portal.closure import bp as closure_bp
    from portal.compliance import bp as compliance_bp
    from portal.dashboard import bp as dashboard_bp
    from portal.decisions import bp as decisions_bp
    from portal.discussion import bp as discussion_bp
    from portal.documents import bp as documents_bp
    from portal.gates import bp as gates_bp
    from portal.helpdesk import bp as helpdesk_bp
    from portal.imports import bp as imports_bp
    from portal.intake import bp as intake_bp
    from portal.issues import bp as issues_bp
    from portal.kb import bp as kb_bp
    from portal.kpis import bp as kpis_bp
    from portal.lessons import bp as lessons_bp
    from portal.main import bp as main_bp
    from portal.milestones import bp as milestones_bp
    from portal.notify import bp as notify_bp
    from portal.ops import bp as ops_bp
    from portal.projects import bp as projects_bp
    from portal.resources import bp as resources_bp
    from portal.risks import bp as risks_bp
    from portal.roadmap import bp as roadmap_bp
    from portal.savedviews import bp as savedviews_bp
    from portal.search import bp as search_bp
    from portal.status import bp as status_bp
    from portal.tokens import bp as tokens_bp
    from portal.webhooks import bp as webhooks_bp

    for bp in (main_bp, auth_bp, admin_bp, kb_bp, projects_bp, intake_bp, helpdesk_bp, notify_bp, risks_bp,
               issues_bp, status_bp, dashboard_bp, documents_bp, discussion_bp, activity_bp, lessons_bp,
               resources_bp, milestones_bp, compliance_bp, kpis_bp, ops_bp, webhooks_bp, imports_bp, tokens_bp, api_bp,
               decisions_bp, changes_bp, gates_bp, roadmap_bp, closure_bp,
               savedviews_bp, search_bp):
        app.register_blueprint(bp)
    # The API takes no cookies and changes nothing: a Bearer token, not a form, is its proof.
    csrf.exempt(api_bp)
    from portal.api.access import keep_sessions_off_the_api
    keep_sessions_off_the_api(app)


def _register_errors(app):
    from portal.api.access import error_for, is_api_request
    from portal.errors import PortalError

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        # Usually the session ended while the form was open: keep what was typed and offer to sign in.
        from flask_login import current_user
        kept = session_lost_response(signed_in=current_user.is_authenticated)
        if kept is not None:
            return kept
        return render("errors/error.html", fragment="errors/_message.html", status=400, code=400, title="Form expired",
                      message="This form is out of date or was sent without its security token. "
                              "Reload the page and try again.")

    @app.errorhandler(413)
    def too_large(exc):
        limit = (request.max_content_length or app.config["MAX_CONTENT_LENGTH"]) / (1024 * 1024)
        return render("errors/error.html", fragment="errors/_message.html", status=413, code=413,
                      title="Too large",
                      message=f"That is larger than the portal accepts ({limit:g} MB in one go). "
                              "Make the file smaller, or share a link to it instead.")

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if is_api_request():  # JSON under /api/v1, even for addresses and methods no route knows
            return error_for(exc)
        titles = {400: "Bad request", 401: "Please sign in", 403: "Not allowed",
                  404: "Not found", 405: "Not allowed here", 409: "Changed by someone else",
                  413: "Too large", 429: "Too many requests"}
        if exc.code == 403:
            _log_forbidden()
        return render("errors/error.html", fragment="errors/_message.html", status=exc.code, code=exc.code,
                      title=titles.get(exc.code, exc.name), message=exc.description)

    @app.errorhandler(PortalError)
    def refused(exc):
        # A domain error no view turned into a form message (a one-click action on a record that
        # moved on, say) is still the user's answer, with its own status, never a 500.
        if is_api_request():
            return error_for(exc)
        status = getattr(exc, "status", 422)
        titles = {403: "Not allowed", 404: "Not found", 409: "Changed by someone else", 429: "Too many requests"}
        return render("errors/error.html", fragment="errors/_message.html", status=status, code=status,
                      title=titles.get(status, "Cannot do that"), message=str(exc))

    @app.errorhandler(Exception)
    def server_error(exc):
        if app.testing:
            raise exc  # let the test see the real traceback
        app.logger.exception("Unhandled error on %s %s", request.method, portal_logs.mask_path(request.path))
        if is_api_request():
            return error_for(exc)
        return render("errors/error.html", fragment="errors/_message.html", status=500, code=500, title="Something went wrong",
                      message="The portal hit an unexpected error. Nothing you sent was half-saved; "
                              "try again, and tell the PMO if it keeps happening.")


def _log_forbidden():
    """A refused request is a security event: who asked for what."""
    from flask import g
    user = g.get("_login_user")
    path = portal_logs.mask_path(request.path)
    portal_logs.security_event("forbidden", f"Forbidden: {request.method} {path}",
                               user_id=getattr(user, "id", None), method=request.method, path=path,
                               remote_addr=request.remote_addr)


def _refuse_nul_characters(app):
    """Refuse NUL characters in paths, query strings and forms with a 400.

    No field has a use for them, and PostgreSQL cannot store them: refused at the
    door, they cannot turn a search box into a server error.
    """
    @app.before_request
    def refuse_nul():
        values = list(request.args.values()) + list((request.view_args or {}).values())
        # Only plain forms are read here: parsing an upload early would apply the
        # global size limit before a view can set its own.
        if request.mimetype == "application/x-www-form-urlencoded":
            values += list(request.form.values())
        if any("\x00" in str(v) for v in values):
            abort(400, description="The request contains a NUL character, which no field accepts.")


FORM_BODIES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _accept_form_bodies_only(app):
    """Refuse a POST, PUT, PATCH or DELETE whose body is not a form with 415.

    Every write is an HTML form, and htmx sends the same encodings. Flask-WTF
    would otherwise bind a JSON body's numbers, lists and booleans to fields
    that expect text. A request without a body (no content type) is a form too.
    """
    @app.before_request
    def form_bodies_only():
        if request.method in {"POST", "PUT", "PATCH", "DELETE"} and request.mimetype \
                and request.mimetype not in FORM_BODIES:
            abort(415, description=f"This address accepts form submissions only, not {request.mimetype[:100]}. "
                                   "Use the form on the page.")


def _register_headers(app):
    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# The main navigation: (endpoint, label, permission or None, menu or None). An entry
# shows once its feature is registered and the user holds the permission; entries
# with a menu name are grouped under that menu so the bar stays one line.
NAV = [
    ("kb.index", "Knowledge", None, None),
    ("projects.index", "Projects", None, None),
    ("risks.portfolio", "Risks", None, None),
    ("helpdesk.index", "Help desk", None, None),
    ("lessons.index", "Lessons", None, None),
    ("dashboard.index", "Dashboard", "dashboard.view", None),
    ("roadmap.index", "Roadmap", None, None),
    ("intake.index", "Intake", "intake.view", "PMO"),
    ("resources.index", "Resources", "pmo.views", "PMO"),
    ("milestones.index", "Dependencies", "pmo.views", "PMO"),
    ("compliance.index", "Compliance", "pmo.views", "PMO"),
    ("kpis.index", "PMO KPIs", "pmo.views", "PMO"),
    ("webhooks.index", "Webhooks", "webhooks.manage", "PMO"),
    ("imports.index", "Import", "imports.run", "PMO"),
    ("gates.index", "Gate reviews", "pmo.views", "PMO"),
    ("decisions.index", "Decisions", "pmo.views", "PMO"),
    ("changes.index", "Change requests", "pmo.views", "PMO"),
    ("admin.users", "Admin", "admin.users", None),
]


def _register_template_helpers(app):
    from flask import has_request_context, url_for
    from flask_login import current_user

    from portal.config import ROLES
    from portal.formats import FILTERS
    from portal.markdown import render_markdown
    from portal.permissions import can, has_role
    from portal.rendered import stored_html

    def nav_items(menu=False):
        """(endpoint, label, allowed) for the bar (menu=False), a menu's name, or every entry (None)."""
        return [(endpoint, label, perm is None or can(current_user, perm))
                for endpoint, label, perm, group in NAV
                if endpoint in app.view_functions and (menu is None or group == (menu or None))]

    # Every page's layout builds the same ~25 addresses (the bar, the menus, the static files); building
    # one with Werkzeug's router costs ~10 µs. Outside debug mode an address without arguments, and a
    # static file's (whose content hash is then settled), cannot change while the worker lives.
    built_urls: dict[tuple, str] = {}

    def template_url_for(endpoint, **values):
        """url_for for templates, remembering the per-process constant addresses."""
        constant = (not values or (endpoint == "static" and len(values) == 1 and "filename" in values))
        if not constant or app.debug or endpoint.startswith(".") or not has_request_context():
            return url_for(endpoint, **values)
        key = (request.script_root, endpoint, values.get("filename"))
        url = built_urls.get(key)
        if url is None:
            url = built_urls[key] = url_for(endpoint, **values)
        return url

    # The bar depends on the role alone (every NAV permission is a role check): worked out once per role.
    main_navs: dict[tuple, tuple] = {}

    def main_nav():
        """(links, menu, menu sections) for the signed-in user: the bar's and the PMO menu's (url, label, section)."""
        key = (current_user.role, current_user.active, request.script_root)
        nav = main_navs.get(key)
        if nav is None or app.debug:
            entries = [(template_url_for(endpoint), label, endpoint.split(".")[0], group)
                       for endpoint, label, perm, group in NAV
                       if endpoint in app.view_functions and (perm is None or can(current_user, perm))]
            menu = tuple(entry[:3] for entry in entries if entry[3] == "PMO")
            nav = main_navs[key] = (tuple(entry[:3] for entry in entries if entry[3] is None), menu,
                                    frozenset(section for _, _, section in menu))
        return nav

    app.jinja_env.globals.update(can=can, has_role=has_role, ROLES=ROLES, nav_items=nav_items, main_nav=main_nav,
                                 query_args=query_args, url_for=template_url_for)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters.update(FILTERS)
    # Rows keep the HTML rendered when they were saved: pages show it without rendering again.
    app.jinja_env.filters["stored_markdown"] = stored_html
