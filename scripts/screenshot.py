#!/usr/bin/env python3
"""Take the README's screenshots: runs the demo portal in a thread and drives Chromium.

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
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 800})
        page.goto("/login")
        page.screenshot(path=str(out / "login.png"))
        page.get_by_label("E-mail").fill("pmo@demo.pmo")
        page.get_by_label("Password").fill("demo-pmo-pass")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda u: "/login" not in u)
        for name, path in shots:
            page.goto(path)
            page.screenshot(path=str(out / f"{name}.png"), full_page=False)
            print(f"wrote {out / (name + '.png')}")
        browser.close()
    server.shutdown()


# Further pages worth showing in the README: (file name, path).
SHOTS = [("helpdesk", "/helpdesk/"), ("ticket", "/helpdesk/1003"), ("projects", "/projects/"), ("kb", "/kb/"),
         ("dashboard", "/dashboard/"), ("risks", "/risks/"), ("project", "/projects/PRJ-2026-001"),
         ("status", "/projects/PRJ-2026-001/status/"), ("resources", "/resources/"),
         ("compliance", "/compliance/"), ("kpis", "/pmo/")]

if __name__ == "__main__":
    main()
