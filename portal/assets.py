"""Static files with a content hash in their URL, so browsers keep them for a year.

`url_for('static', filename=...)` adds `?v=<hash of the file>`; a request that
carries the current hash is answered with `Cache-Control: immutable`. A new
release changes the hash, hence the URL, so nobody is left with stale CSS or
JavaScript, and no page load revalidates the ~150 KB of Pico and htmx.
"""
import hashlib
from pathlib import Path

from flask import request

ONE_YEAR = 365 * 24 * 60 * 60


def init_app(app):
    """Version static URLs and let browsers cache the versioned ones."""
    hashes: dict[tuple, str] = {}
    settled: dict[str, str | None] = {}  # outside debug mode: a file's hash once known (a release restarts workers)

    def version(filename: str) -> str | None:
        """Short content hash of a static file, recomputed only when the file changes (in debug mode)."""
        if filename in settled:
            return settled[filename]
        path = Path(app.static_folder) / filename
        try:
            stat = path.stat()
        except (OSError, ValueError):
            return None
        key = (filename, stat.st_mtime_ns, stat.st_size)
        if key not in hashes:
            hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        if not app.debug:
            settled[filename] = hashes[key]
        return hashes[key]

    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "v" not in values:
            digest = version(values.get("filename", ""))
            if digest:
                values["v"] = digest

    @app.after_request
    def cache_versioned(response):
        if (request.endpoint == "static" and response.status_code in (200, 304)
                and request.args.get("v")
                and request.args["v"] == version((request.view_args or {}).get("filename", ""))):
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response
