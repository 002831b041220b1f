"""Governance in a real browser: a gate passed, a change moving the baseline, a viewer who cannot edit, the roadmap."""
import datetime
import time

import pytest
from playwright.sync_api import expect

from portal.documents.models import Document
from portal.gates.phases import save_model
from portal.milestones.models import Milestone
from portal.projects.models import Project
from tests.conftest import browser_sign_in
from tests.factories import make_project, make_user

pytestmark = pytest.mark.browser

MODEL = {"phases": [{"key": "start", "name": "Start"}, {"key": "build", "name": "Build"}],
         "gates": {"build": {"checklist": ["Kick-off held"], "documents": ["plans"], "fields": [],
                             "compliance": [], "sponsor_decides": False}}}


def test_a_project_passes_a_gate(page):
    pmo = make_user("pmo", name="Priya Patel")
    save_model(MODEL, pmo)
    project = make_project()
    Document.create(project=project, folder="plans", name="Plan.pdf", live_key="plan.pdf")
    browser_sign_in(page, project.manager)
    page.goto(f"/projects/{project.code}/gates/")
    expect(page.locator("#current-phase")).to_have_text("Start")
    page.get_by_role("button", name="Request gate review").click()
    expect(page.get_by_text("Not ready for the gate: Kick-off held.")).to_be_visible()
    page.get_by_label("Kick-off held").check()
    page.get_by_role("button", name="Request gate review").click()
    expect(page.locator(".flash-success")).to_contain_text("Gate review requested")
    browser_sign_in(page, pmo)
    page.goto("/gates/")
    page.get_by_role("link", name=project.code).click()
    page.get_by_role("button", name="Pass gate").click()
    expect(page.locator("#current-phase")).to_have_text("Build")
    expect(page.locator("#phase-history")).to_contain_text("Start")


def test_a_change_request_updates_the_baseline(page):
    sponsor = make_user("executive", name="Eva Schmidt")
    project = make_project(sponsor=sponsor, end_date=datetime.date(2026, 12, 31))
    browser_sign_in(page, project.manager)
    page.goto(f"/projects/{project.code}/changes/")
    page.locator("#new-change #title").fill("Two more weeks for testing")
    page.get_by_label("New end date").fill("2027-01-14")
    page.get_by_label("Budget change (+ more, − less)").fill("5000")
    page.get_by_role("button", name="Submit change request").click()
    expect(page.locator("#change-state")).to_have_text("Awaiting decision")
    url = page.url
    browser_sign_in(page, sponsor)
    page.goto(url)
    page.get_by_label("Comment").fill("Agreed")
    page.get_by_role("button", name="Approve change").click()
    expect(page.locator("#change-state")).to_have_text("Approved")
    page.goto(f"/projects/{project.code}/changes/")
    expect(page.locator("#baseline-end")).to_have_text("2027-01-14")
    expect(page.locator("#baseline-history")).to_contain_text("2026-12-31")


def test_a_viewer_cannot_edit(page):
    viewer = make_user("member", name="Vera Viewer")
    project = make_project(members=[(viewer, "viewer")])
    browser_sign_in(page, viewer)
    page.goto(f"/projects/{project.code}")
    expect(page.locator("#team")).to_contain_text("Viewer")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("button", name="Add to team")).to_have_count(0)
    page.goto(f"/projects/{project.code}/risks/")
    expect(page.get_by_role("link", name="New risk")).to_have_count(0)
    response = page.goto(f"/projects/{project.code}/risks/new")
    assert response.status == 403


def test_the_roadmap_at_a_thousand_projects(page):
    pmo = make_user("pmo")
    today = datetime.date.today()
    rows = [{"code": f"PRJ-2025-{i:04d}", "name": f"Bulk {i}", "requester": pmo.id, "manager": pmo.id,
             "state": "active", "department": f"Dept {i % 12}", "category": "Digital",
             "start_date": today - datetime.timedelta(days=i % 300),
             "end_date": today + datetime.timedelta(days=30 + i % 400)} for i in range(1000)]
    for start in range(0, 1000, 200):
        Project.insert_many(rows[start:start + 200]).execute()
    first, second = Project.select().order_by(Project.id).limit(2)
    late = Milestone.create(project=first, name="Slipped design", due_date=today + datetime.timedelta(days=10),
                            forecast_date=today + datetime.timedelta(days=40))
    Milestone.create(project=second, name="Waiting launch", due_date=today + datetime.timedelta(days=20),
                     depends_on=late)
    browser_sign_in(page, pmo)
    started = time.perf_counter()
    page.goto("/roadmap/")
    expect(page.locator("svg.roadmap a.rm-row")).to_have_count(1000)
    elapsed = time.perf_counter() - started
    print(f"roadmap in the browser, 1,000 projects: {elapsed * 1000:.0f} ms to load and lay out")
    expect(page.locator("svg.roadmap .ms-slipped")).to_have_count(1)
    expect(page.locator("svg.roadmap .ms-at-risk")).to_have_count(1)
    expect(page.locator("svg.roadmap .dep-risk")).to_have_count(1)
    expect(page.locator("svg.roadmap .today")).to_have_count(1)
    page.keyboard.press("Tab")
    for _ in range(60):  # the bars are links: the keyboard reaches them
        if page.evaluate("document.activeElement && document.activeElement.closest('svg') !== null"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('svg') !== null")
    page.get_by_role("link", name="Show as table").click()
    expect(page.locator("#roadmap-table tbody tr")).to_have_count(1000)
    expect(page.locator("#roadmap-table")).to_contain_text("slipped")
