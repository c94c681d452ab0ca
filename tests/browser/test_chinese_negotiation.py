"""The CN negotiation in Chinese, in a real browser on a machine with no CJK font installed:
the duty lawyer of a Chinese legal aid centre reads Parley in Chinese from the first sign-in,
reviews the procuratorate's offer, accepts it, and reads the sealed 认罪认罚具结书 and the
notifications; the page's Chinese is set in the font Parley serves (core.fonts), and the PDF
embeds it.

PARLEY_SCREENSHOTS=1 saves docs/screenshots/cn-offer-review*.png, cn-agreement*.png,
cn-notifications*.png and cn-agreement-pdf.png (the PDF's first page, by pdftoppm).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from negotiations import services
from negotiations.models import AgreementStatus, PleaAgreement
from records import services as record_services
from tests.browser.conftest import SHOTS, People, shoot
from tests.conftest import World
from tests.negotiation_helpers import CHECKLIST_ALL, cn_case, statement_named
from tests.negotiations.test_agreement_pdf import all_text, embedded_cjk_subsets

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def shoot_both(page: Any, name: str) -> None:
    """At 1366 px and at phone width."""
    page.set_viewport_size({"width": 1366, "height": 900})
    shoot(page, name)
    page.set_viewport_size(PHONE)
    shoot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1366, "height": 900})


def cjk_font_loaded(page: Any) -> bool:
    page.evaluate("document.fonts.ready.then(() => true)")
    return bool(page.evaluate("document.fonts.check('16px \"Parley CJK\"', '认罪认罚')"))


def test_the_cn_negotiation_reads_chinese_end_to_end(
    live_server: Any, world: World, people: People
) -> None:
    url = live_server.url
    cn = cn_case(world)
    offer = services.offer_create(
        case=cn.case,
        by=cn.prosecutor,
        data=services.OfferInput(custody_min_months=8, custody_max_months=10),
    )
    services.offer_send(offer=offer, by=cn.prosecutor)

    # 1. The duty lawyer signs in (the sign-in page follows the browser: English) and reads
    # Chinese from then on, the office's language.
    duty = people(cn.duty_lawyer.username)
    expect(duty.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(duty.get_by_role("link", name="我的案件")).to_be_visible()

    # 2. The offer under review: the glossary's terms, the court's time zone named.
    duty.goto(url + reverse("negotiations:offer", args=[offer.pk]))
    expect(duty.get_by_role("heading", level=1)).to_contain_text("第 1 轮")
    body = duty.locator("main").inner_text()
    assert "量刑建议" in body
    assert "CST" in body  # Asia/Shanghai, explicit
    assert "prosecution_review" not in body
    assert cjk_font_loaded(duty), "the page's Chinese is not set in Parley's CJK font"
    shoot_both(duty, "cn-offer-review")

    # 3. The duty lawyer accepts on the suspect's instruction.
    form = duty.locator("form[action$='/accept/']")
    boxes = form.locator("input[type=checkbox]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    form.get_by_role("button", name="接受").click()
    duty.wait_for_url(re.compile(r"/agreements/\d+/"))
    agreement = PleaAgreement.objects.get(case=cn.case)

    # 4. The checklist and the signatures (CPL art. 174: before the duty lawyer), then the
    # sealed agreement as the duty lawyer reads it.
    statement_named(agreement, cn.prosecutor)
    services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )
    services.agreement_sign(agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant)
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    services.agreement_sign(agreement=agreement, by=cn.prosecutor)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED

    duty.goto(url + reverse("negotiations:agreement", args=[agreement.pk]))
    expect(duty.get_by_role("heading", level=1)).to_contain_text("认罪认罚具结书")
    expect(duty.locator("main")).to_contain_text("自愿性核查清单")
    expect(duty.locator("main")).to_contain_text("值班律师")
    shoot_both(duty, "cn-agreement")

    # 5. The PDF the duty lawyer downloads is the stored one, in Chinese, with its font.
    response = duty.request.get(url + reverse("negotiations:agreement-pdf", args=[agreement.pk]))
    assert response.ok
    pdf = response.body()
    assert pdf == bytes(agreement.pdf or b"")
    assert embedded_cjk_subsets(pdf)
    text = all_text(pdf)
    for chinese in ("量刑建议", "自愿性核查清单", "签署", "检察官", "值班律师"):
        assert chinese in text, chinese
    _pdf_page_shot(pdf, "cn-agreement-pdf")

    # 6. The notifications, in Chinese: the procuratorate discloses a record and writes a note.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(cn.case.court.time_zone))
    record_services.disclosure_add(
        case=cn.case, by=cn.prosecutor, disclosed_on=today, description="被害人李某询问笔录"
    )
    record_services.note_add(
        case=cn.case, by=cn.prosecutor, visibility="shared", body="请于开庭前提交书面意见。"
    )
    duty.goto(url + reverse("deadlines:notifications"))
    expect(duty.get_by_role("heading", level=1)).to_have_text("通知")
    expect(duty.locator("main")).to_contain_text("已开示证据")
    expect(duty.locator("main")).to_contain_text("2 条未读")
    shoot_both(duty, "cn-notifications")


def _pdf_page_shot(pdf: bytes, name: str) -> None:
    if not os.environ.get("PARLEY_SCREENSHOTS") or shutil.which("pdftoppm") is None:
        return
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "agreement.pdf"
        source.write_bytes(pdf)
        subprocess.run(  # noqa: S603 (pdftoppm, found on PATH)
            [  # noqa: S607
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(source),
                str(Path(work) / "page"),
            ],
            check=True,
        )
        SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(work) / "page.png", SHOTS / f"{name}.png")
