#!/usr/bin/env python3
"""Take the README's screenshots: runs the demo portal in a thread and drives Chromium.

Desktop pages at 1280×800 (docs/NAME.png), a few phone views at 390×844 in light and dark mode
(docs/phone-NAME.png, with the navigation menu open in docs/phone-menu.png) and the desktop in dark
mode (docs/dark-NAME.png).

Usage: .venv/bin/python scripts/screenshot.py [OUTPUT_DIR]   (default docs/)
"""
import os
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PORTAL_SECRET_KEY", "screenshots")
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.db import db, upgrade
    from portal.demo import load_demo

    url = f"sqlite:///{tempfile.mkdtemp(prefix='portal-shots-')}/demo.sqlite3"
    app = create_app({"DATABASE_URL": url, "DEMO_MODE": True})
    upgrade()
    with app.app_context(), db.connection_context():
        load_demo("small")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    shots = [("home", "/"), *[(name, path) for name, path in SHOTS]]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = _signed_in(browser, base, DESKTOP, out / "login.png")
        for name, path in shots:
            _shoot(page, path, out / f"{name}.png")
        page.context.close()
        # Phones (390×844), light and dark, the menu open on one of them.
        phone = _signed_in(browser, base, PHONE)
        for name, path, scheme in PHONE_SHOTS:
            phone.emulate_media(color_scheme=scheme)
            _shoot(phone, path, out / f"phone-{name}.png")
        phone.emulate_media(color_scheme="light")
        phone.goto("/")
        phone.get_by_text("Menu").click()
        phone.screenshot(path=str(out / "phone-menu.png"))
        print(f"wrote {out / 'phone-menu.png'}")
        phone.context.close()
        # The desktop in dark mode.
        dark = _signed_in(browser, base, DESKTOP, scheme="dark")
        for name, path in DARK_SHOTS:
            _shoot(dark, path, out / f"dark-{name}.png")
        dark.context.close()
        browser.close()
    server.shutdown()


DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _signed_in(browser, base, viewport, login_shot=None, scheme="light"):
    """A new tab signed in as the demo PMO (a picture of the login page first, when asked)."""
    context = browser.new_context(base_url=base, viewport=viewport, color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    page.goto("/login")
    if login_shot:
        page.screenshot(path=str(login_shot))
        print(f"wrote {login_shot}")
    page.get_by_label("E-mail").fill("pmo@demo.pmo")
    page.get_by_label("Password").fill("demo-pmo-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda u: "/login" not in u)
    return page


def _shoot(page, path, target):
    """Open `path`, let htmx load what comes after the page (charts, the bell), take the visible part."""
    page.goto(path)
    page.wait_for_timeout(100)
    page.wait_for_function("!document.querySelector('.htmx-request')")
    page.screenshot(path=str(target), full_page=False)
    print(f"wrote {target}")


# Phone pictures: (file name after "phone-", path, colour scheme).
PHONE_SHOTS = [("home", "/", "light"), ("dashboard", "/dashboard/", "light"),
               ("risks", "/projects/PRJ-2026-001/risks/", "light"), ("ticket", "/helpdesk/1003", "dark"),
               ("status", "/projects/PRJ-2026-001/status/", "dark")]
# Desktop pictures in dark mode: (file name after "dark-", path).
DARK_SHOTS = [("dashboard", "/dashboard/"), ("kb", "/kb/standards/status-reporting")]

# Further pages worth showing in the README: (file name, path).
SHOTS = [("helpdesk", "/helpdesk/"), ("ticket", "/helpdesk/1003"), ("projects", "/projects/"), ("kb", "/kb/"),
         ("dashboard", "/dashboard/"), ("risks", "/risks/"), ("project", "/projects/PRJ-2026-001"),
         ("status", "/projects/PRJ-2026-001/status/"), ("resources", "/resources/"),
         ("compliance", "/compliance/"), ("kpis", "/pmo/")]

if __name__ == "__main__":
    main()
