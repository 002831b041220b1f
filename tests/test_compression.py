"""Compressed answers and cacheable static files: what a browser on a slow link receives."""
import gzip
import re

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_are_gzipped_for_browsers_that_accept_it(client, login):
    login("pmo")
    plain = client.get("/")
    packed = client.get("/", headers=GZIP)
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data)
    # The same page once unpacked, apart from the per-request CSRF token.
    strip = re.compile(r'"X-CSRFToken": "[^"]+"|name="csrf_token" value="[^"]+"')
    assert strip.sub("", gzip.decompress(packed.data).decode()) == strip.sub("", plain.get_data(as_text=True))


def test_static_files_are_versioned_cached_for_a_year_and_gzipped(client):
    urls = _static_urls(client.get("/login").get_data(as_text=True))
    assert urls and all("?v=" in url for url in urls)
    css = next(url for url in urls if "pico" in url)
    plain = client.get(css)
    packed = client.get(css, headers=GZIP)
    assert "immutable" in plain.headers["Cache-Control"] and "max-age=31536000" in plain.headers["Cache-Control"]
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]  # two representations, two tags
    plain.close()
    packed.close()


def test_a_stale_or_missing_version_is_not_cached_for_long(client):
    for url in ("/static/app.css", "/static/app.css?v=0123456789ab"):
        response = client.get(url)
        assert "immutable" not in response.headers.get("Cache-Control", ""), url
        response.close()


def test_streamed_exports_and_partial_content_pass_through(client, login):
    login("pmo")
    export = client.get("/pmo/export.csv", headers=GZIP)
    assert export.status_code == 200 and export.headers.get("Content-Encoding") is None
    assert export.get_data(as_text=True).splitlines()[0]  # a readable CSV header line
    ranged = client.get("/static/app.css", headers={**GZIP, "Range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.headers.get("Content-Encoding") is None
    assert len(ranged.data) == 10
    ranged.close()
