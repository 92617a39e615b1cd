"""The monthly report as a real PDF: WeasyPrint renders the small month (:mod:`tests.support.report_month`);
``pdftotext -layout`` reads back the title, the month, a department's name and grade and the page numbers,
``pdffonts`` shows every font embedded, ``pdftoppm`` renders pages 1–2. No citizen's words in it."""

from __future__ import annotations

import re
import subprocess  # nosec B404 # runs poppler's tools on a file the test wrote
from pathlib import Path

import pytest
from sqlalchemy import Connection

from db.scope import RowScope
from ops.reports.monthly import gather
from ops.reports.render import to_html, to_pdf
from tests.support.report_month import JUNE, NOW, PRIVATE, build

#: poppler's tools run as processes of their own, installed with the browser lane's packages (make test)
pytestmark = pytest.mark.process


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # nosec B603 # fixed tools


def test_pdf_text_fonts_and_pages(conn: Connection, tmp_path: Path) -> None:
    world = build(conn)
    report = gather(conn, RowScope.city(), JUNE, now=NOW, min_cases=1)
    pdf = tmp_path / "monthly.pdf"
    pdf.write_bytes(to_pdf(report))
    assert pdf.read_bytes().startswith(b"%PDF-")
    body = _run("pdftotext", "-layout", str(pdf), "-")
    assert "月度考核通报" in body
    assert "2025 年 6 月" in body
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*\d+\s*页", body)
    pages = int(re.search(r"共\s*(\d+)\s*页", body).group(1))  # type: ignore[union-attr]
    assert pages >= 2 and re.search(rf"第\s*{pages}\s*页", body)
    dep = next(x for x in report.departments if x.row.key == "520103-CGJ")
    line = next(ln for ln in body.splitlines() if dep.row.name_zh in ln and "%" in ln)
    assert re.search(rf"\b{dep.row.evaluation.grade}\b", line), line
    assert f"{dep.row.evaluation.score:.1f}" in line
    assert world.tickets["C"] in body  # the overdue case is listed
    assert PRIVATE not in body and "张小明" not in body
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all("Noto" in f for f in fonts)
    assert all(f.split()[-5] == "yes" for f in fonts), fonts  # the "emb" column
    _run("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page"))
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 2 and all(p.stat().st_size > 5_000 for p in pngs)


def test_web_page_has_no_script_and_the_same_numbers(conn: Connection) -> None:
    build(conn)
    report = gather(conn, RowScope.city(), JUNE, now=NOW, min_cases=1)
    page = to_html(report, web=True, pdf_href="/reports/monthly.pdf?month=2025-06")
    assert "<script" not in page
    assert "@page" in page and "size: A4" in page
    assert 'data-key="filed"' in page and PRIVATE not in page
    assert page.count("<svg") == 3
