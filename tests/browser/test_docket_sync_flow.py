"""A clerk imports a docket CSV in a real browser, with the keyboard: choose the file, see the
dry run's preview (nothing written yet), apply it, see the results.

    PARLEY_SCREENSHOTS=1 pytest tests/browser/test_docket_sync_flow.py   # docs/screenshots
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from deadlines.models import Hearing
from parties.models import Role
from tests.browser.conftest import People, shoot
from tests.conftest import World
from tests.deadline_helpers import courtroom

pytestmark = pytest.mark.browser


def _docket(world: World, monday: dt.date) -> str:
    day = monday.isoformat()
    tue = (monday + dt.timedelta(days=1)).isoformat()
    return "\r\n".join(
        [
            "type,external_id,case_external_id,docket_number,caption,opened_on,statute,count,"
            "role,user,first_name,last_name,date_of_birth,custody_status,kind,starts_at,ends_at,"
            "courtroom,judge",
            f"case,CR-26-0101,,1:26-cr-00101,United States v. Alvarez,{monday.replace(day=1)},"
            ",,,,,,,,,,,,",
            'charge,CR-26-0101-1,CR-26-0101,,,,"21 U.S.C. 841(a)(1)",1,,,,,,,,,,,',
            "party,P-88412,CR-26-0101,,,,,,defendant,,Maria,Alvarez,1991-07-14,released,,,,,",
            "party,,CR-26-0101,,,,,,defense_counsel,defense,,,,,,,,,",
            f"hearing,H-551902,CR-26-0101,,,,,,,,,,,,arraignment,{day} 09:30,{day} 10:00,"
            "Courtroom 1,judge",
            f"case,{world.case.docket_number},,{world.case.docket_number},United States v. Doe "
            "(Jane),,,,,,,,,,,,,,",
            f"hearing,H-551903,CR-26-0101,,,,,,,,,,,,status_conference,{tue} 14:00,{tue} 14:30,"
            "Courtroom 9,",
            "charge,CR-26-0101-2,CR-26-0101,,,,18 U.S.C. 9999,2,,,,,,,,,,,",
        ]
    )


def test_clerk_previews_and_applies_a_docket_file(
    live_server: Any, world: World, people: People, tmp_path: Path
) -> None:
    User.objects.filter(username="clerk").update(first_name="Chris", last_name="Lee")
    courtroom(world, "Courtroom 1")
    zone = zoneinfo.ZoneInfo(world.court.time_zone)
    today = timezone.localtime(timezone.now(), zone).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    file = tmp_path / "docket-2026-11-24.csv"
    file.write_text(_docket(world, monday), encoding="utf-8-sig")
    cases = Case.objects.count()

    page = people("clerk")
    page.goto(live_server.url + reverse("docketsync:sync", args=[world.court.pk]))
    chooser = page.get_by_label("Docket file (CSV)")
    chooser.set_input_files(str(file))
    chooser.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Preview of docket-2026-11-24.csv")).to_be_visible()
    expect(page.get_by_role("heading", name="Preview of docket-2026-11-24.csv")).to_be_focused()
    table = page.get_by_role("table", name="What each record would do")
    expect(table.get_by_role("row")).to_have_count(9)
    expect(table).to_contain_text("has no courtroom “Courtroom 9”")
    expect(table).to_contain_text("external_id, caption")
    assert Case.objects.count() == cases
    shoot(page, "docket-sync-preview")

    apply = page.get_by_role("button", name="Apply 6 changes")
    apply.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Imported from docket-2026-11-24.csv")).to_be_visible()
    expect(page.get_by_role("table", name="What became of each record")).to_contain_text("created")
    shoot(page, "docket-sync-results")
    case = Case.objects.get(court=world.court, external_id="CR-26-0101")
    assert Hearing.objects.get(case=case, external_id="H-551902").courtroom.name == "Courtroom 1"
    world.case.refresh_from_db()
    assert (world.case.external_id, world.case.caption) == (
        world.case.docket_number,
        "United States v. Doe (Jane)",
    )
    assert world.user(Role.COURT_STAFF).pk == case.created_by_id
