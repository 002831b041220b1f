"""Project documents: folders, versions, downloads and templates from the knowledge base."""
from flask import Blueprint, current_app, request

bp = Blueprint("documents", __name__)


@bp.url_value_preprocessor
def _document_upload_limit(endpoint, values):
    """Documents may be larger than other uploads; set the limit before anything reads the body.

    URL value preprocessors run before every before_request hook, including the CSRF
    check that parses the form, so the per-request limit is in force when it does.
    """
    if endpoint == "documents.upload":
        request.max_content_length = current_app.config["MAX_DOCUMENT_LENGTH"]


from portal.documents import views  # noqa: E402,F401
