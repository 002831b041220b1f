"""Every main page in a real browser as every role: fits a phone and a desktop, light and dark, and passes axe.

One demo portal (`portal demo`) serves the whole module; each role signs in once and its tab visits
every page it may see (tests/ui_pages.py). On each page: at 390×844 in light mode no horizontal
scrolling and no serious or critical axe-core violation; then at 1280×800 in dark mode the same.
axe-core comes from npm (tests/axe/package.json); the fixture runs `npm ci` when it is missing.
"""
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import CHROMIUM, _missing, read_whole
from tests.ui_pages import ROLES, pages_for

pytestmark = pytest.mark.browser

AXE_DIR = Path(__file__).parent / "axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# WCAG 2.1 A and AA plus axe's best practices; a violation of impact serious or critical fails.
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"],
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture(scope="module")
def axe_source():
    """axe.min.js, installed from tests/axe/package-lock.json when node_modules is missing."""
    if not AXE_JS.exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm is not installed (apt-get install npm): needed for axe-core")
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=AXE_DIR, capture_output=True, text=True,
                              timeout=300)
        if done.returncode != 0 or not AXE_JS.exists():
            _missing(f"npm ci in {AXE_DIR} failed: {done.stderr[-500:]}")
    return AXE_JS.read_text()


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo portal (every feature's demo data) on SQLite, served in a thread; yields its base URL."""
    if not os.path.exists(CHROMIUM):
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.db import db, upgrade
    from portal.demo import load_demo

    folder = tmp_path_factory.mktemp("layout")
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/demo.sqlite3", "DEMO_MODE": True,
                      "SECRET_KEY": "layout-tests", "KNOWLEDGE_DIR": str(folder / "knowledge"),
                      "UPLOAD_DIR": str(folder / "uploads")})
    with app.app_context():
        upgrade()
        with db.connection_context():
            load_demo("small")
            pages = {role: pages_for(f"{role}@demo.pmo") for role in ROLES}
    server = make_server("127.0.0.1", 0, read_whole(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", pages
    server.shutdown()
    thread.join(timeout=5)
    if not db.is_closed():
        db.close()


@pytest.fixture(scope="module")
def browser(_browser):
    """The run's one Chromium (a second Playwright in the same process cannot start)."""
    return _browser


@pytest.fixture(scope="module")
def tabs(browser, demo_site):
    """`tabs(role)`: that role's tab, signed in once with the demo account, reused by every test."""
    base, _pages = demo_site
    opened = {}

    def tab(role):
        if role not in opened:
            context = browser.new_context(base_url=base, viewport=PHONE, bypass_csp=True)
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("E-mail").fill(f"{role}@demo.pmo")
            page.get_by_label("Password").fill(f"demo-{role}-pass")
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/login" not in url)
            opened[role] = page
        page = opened[role]
        page.set_viewport_size(PHONE)
        page.emulate_media(color_scheme="light")
        return page

    yield tab
    for page in opened.values():
        page.context.close()


def _check(page, path: str, axe_source: str, size: dict, scheme: str, with_axe: bool = True) -> list[str]:
    """What is wrong with the page as shown now at `size` in `scheme`: horizontal scrolling, axe violations."""
    page.set_viewport_size(size)
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")  # no colour transitions half-way
    where = f"{path} at {size['width']}px {scheme}"
    problems = []
    scroll_width, inner_width = page.evaluate(OVERFLOW)
    if scroll_width > inner_width:
        problems.append(f"{where}: page is {scroll_width}px wide in a {inner_width}px window")
    if not with_axe:
        return problems
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    problems += [f"{where}: {v}" for v in page.evaluate(AXE_RUN)]
    return problems


def _open(page, path: str) -> None:
    """Go to `path` and wait until what htmx loads after the page (charts, the bell) has arrived."""
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    page.wait_for_timeout(50)
    page.wait_for_function("!document.querySelector('.htmx-request')")


@pytest.fixture(scope="module")
def axe_checked():
    """Paths axe already checked in this run: a page other roles see alike is checked once (as the first role
    that has it: admin, then pmo, manager, member, executive); every role still checks every page's width."""
    return set()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("role", ROLES)
def test_every_main_page_fits_a_phone_and_passes_axe_in_light_and_dark(role, tabs, demo_site, axe_source,
                                                                       axe_checked):
    _base, pages = demo_site
    page = tabs(role)
    problems = []
    for path in pages[role]:
        page.set_viewport_size(PHONE)
        _open(page, path)
        with_axe = path not in axe_checked or path == "/"  # the home page differs most between roles
        axe_checked.add(path)
        problems += _check(page, path, axe_source, PHONE, "light", with_axe)
        problems += _check(page, path, axe_source, DESKTOP, "dark", with_axe)
    assert not problems, f"{len(problems)} problem(s) for {role}:\n" + "\n".join(problems)


def test_login_page_fits_a_phone_and_passes_axe(browser, demo_site, axe_source):
    base, _pages = demo_site
    context = browser.new_context(base_url=base, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto("/login")
    problems = _check(page, "/login", axe_source, PHONE, "light") + _check(page, "/login", axe_source, DESKTOP,
                                                                            "dark")
    context.close()
    assert not problems, "\n".join(problems)


def test_phone_menu_reaches_notifications_and_sign_out(tabs):
    page = tabs("member")
    page.goto("/kb/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Notifications")).to_be_hidden()
    nav.get_by_text("Menu").click()
    nav.get_by_role("link", name="Notifications").click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    assert page.evaluate(OVERFLOW)[0] <= PHONE["width"]
    nav.get_by_text("Menu").click()
    nav.get_by_text("Mei Lin").click()
    sign_out = nav.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_in_viewport()
    sign_out.click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_desktop_shows_the_links_in_a_row_without_the_menu_button(browser, demo_site):
    base, _pages = demo_site
    context = browser.new_context(base_url=base, viewport=DESKTOP)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("E-mail").fill("pmo@demo.pmo")
    page.get_by_label("Password").fill("demo-pmo-pass")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_text("Menu")).to_be_hidden()
    expect(nav.get_by_role("link", name="Notifications")).to_be_visible()
    expect(nav.get_by_role("link", name="Projects")).to_be_in_viewport()
    nav.get_by_role("link", name="Projects").click()
    expect(page.get_by_role("heading", name="Projects", exact=True)).to_be_visible()
    context.close()


def test_pages_are_dark_when_the_system_is(tabs):
    page = tabs("executive")
    page.goto("/")
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    dark = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    page.emulate_media(color_scheme="light", reduced_motion="reduce")
    light = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert dark != light
    assert sum(int(c) for c in dark[dark.index("(") + 1:-1].split(",")[:3]) < 150  # a dark background



# Is each select at least as wide as its longest option (plus room for the arrow)? Measured with the select's font.
SELECTS_FIT = """(selector) => {
  const ctx = document.createElement("canvas").getContext("2d");
  const cut = [];
  for (const s of document.querySelectorAll(selector)) {
    const st = getComputedStyle(s);
    ctx.font = st.fontWeight + " " + st.fontSize + " " + st.fontFamily;
    const longest = Math.max(...[...s.options].map(o => ctx.measureText(o.text).width));
    const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight);
    if (room + 1 < longest) cut.push((s.name || s.id) + ": " + Math.round(room) + " < " + Math.round(longest));
  }
  return cut;
}"""


def test_risk_log_fits_at_1280(tabs, demo_site):
    _base, pages = demo_site
    page = tabs("manager")
    page.set_viewport_size(DESKTOP)
    log = next(p for p in pages["manager"] if p.startswith("/projects/") and p.endswith("/risks/"))
    _open(page, log)
    box = page.locator(".quick-add-box")
    expect(box.get_by_role("heading", name="Add a risk")).to_be_visible()
    expect(page.get_by_role("form", name="Add a risk")).to_be_visible()
    expect(page.get_by_role("search", name="Find risks")).to_be_visible()
    # The quick-add form is not inside the filters, and sits apart from them.
    assert page.locator("form.filters .quick-add").count() == 0
    filters_bottom = page.locator("form.filters").bounding_box()
    add_top = box.bounding_box()
    assert add_top["y"] >= filters_bottom["y"] + filters_bottom["height"]
    assert page.evaluate(SELECTS_FIT, ".quick-add select, .risk-table select, form.filters select") == []
    wrap = page.locator("#risk-log .table-wrap")
    assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), "the risk table scrolls sideways at 1280 px"
    actions = page.locator(".row-actions").first.bounding_box()
    assert actions["x"] + actions["width"] <= DESKTOP["width"]
    button = page.locator(".row-actions").first.get_by_role("button", name="Reviewed today").bounding_box()
    assert button["x"] + button["width"] <= wrap.bounding_box()["x"] + wrap.bounding_box()["width"]
    page.set_viewport_size(PHONE)
