"""The board pack PDF: one click from the dashboard, dated, paginated, with the organisation's name, scoped."""
import datetime

import pytest

from portal.decisions.services import record_decision
from tests.conftest import sign_in
from tests.factories import make_project, make_user
from tests.risk_helpers import make_risk
from tests.status_helpers import make_report

pytest.importorskip("weasyprint")
pytest.importorskip("pypdf")


def _pages(pdf: bytes) -> list[str]:
    """The text of each page of the PDF."""
    import io

    from pypdf import PdfReader
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_board_pack_is_a_pdf_for_the_reader(app, client):
    app.config["ORGANISATION_NAME"] = "Acme Water"
    pmo = make_user("pmo")
    project = make_project(name="Red canary")
    make_report(project, datetime.date.today() - datetime.timedelta(days=2), rag="red")
    make_risk(project, title="Pumps fail", probability=5, impact=5)
    record_decision(project, pmo, {"title": "Pick the pump vendor", "status": "pending"})
    sign_in(client, pmo)
    assert "board-pack.pdf" in client.get("/dashboard/").get_data(as_text=True)
    response = client.get("/dashboard/board-pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and "attachment" in response.headers["Content-Disposition"]
    pages = _pages(response.data)
    text = "\n".join(pages)
    assert len(pages) >= 4 and f"Page 1 of {len(pages)}" in pages[0] and datetime.date.today().isoformat() in pages[0]
    assert "Acme Water" in text and "Red canary" in text and "Pumps fail" in text
    assert "Pick the pump vendor" in text and "Roadmap" in text
    sign_in(client, make_user("member"))
    outsider = "\n".join(_pages(client.get("/dashboard/board-pack.pdf").data))
    assert "Red canary" not in outsider and "Pumps fail" not in outsider and "Pick the pump" not in outsider
