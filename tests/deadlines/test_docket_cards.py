"""The docket's hearing cards (deadlines.docket_cards), rendered in Python rather than through a
template partial: what each card says and links to, in the court's time zone and the reader's
language, with what people typed escaped.

The clock is frozen on Monday 2026-12-14 at 10:00 in New York (the world court's zone).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from deadlines import services
from deadlines.docket_cards import hearing_cards
from deadlines.models import Hearing, HearingKind, HearingStatus
from parties.models import Role, UserProfile
from tests.conftest import World
from tests.deadline_helpers import at, clerk, courtroom, hearing

NOW = at(2026, 12, 14, 10)
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def card_of(html: str, hearing: Hearing) -> str:
    start = html.rindex("<article", 0, html.index(f'id="hearing-{hearing.pk}-title"'))
    return html[start : html.index("</article>", start) + len("</article>")]


def loaded(pk: int) -> Hearing:
    return Hearing.objects.select_related("case", "courtroom", "judge").get(pk=pk)


def test_a_card_names_the_hearing_its_case_its_times_its_judge_and_links_to_them(
    world: World,
) -> None:
    judge = world.user(Role.JUDGE)
    plea = loaded(hearing(world, judge_user=judge).pk)
    card = str(hearing_cards([plea], here="/docket/?view=week&court=1", zone=NEW_YORK)[plea.pk])
    assert card.startswith('<article class="hearing-card hearing-card--scheduled"')
    # 09:00 in New York is 14:00 UTC: the court's time, with its zone's name, and ISO in <time>.
    assert '<time datetime="2026-12-15T09:00:00-05:00">09:00 EST</time>' in card
    assert '<time datetime="2026-12-15T10:00:00-05:00">10:00</time>' in card
    assert f'<a href="{reverse("deadlines:hearing", args=[plea.pk])}">Plea hearing</a>' in card
    case_link = reverse("cases:detail", args=[world.case.pk])
    assert f'<a href="{case_link}"><span class="mono">{world.case.docket_number}</span>' in card
    assert f"Judge {judge.first_name} {judge.last_name}" in card
    assert '<span class="visually-hidden">Hearing status: </span>Scheduled</span>' in card
    reschedule = reverse("deadlines:hearing-reschedule", args=[plea.pk])
    assert f'href="{reschedule}?next=/docket/%3Fview%3Dweek%26court%3D1"' in card
    assert f'aria-label="Reschedule plea hearing in {world.case.docket_number} at 09:00"' in card


def test_only_a_scheduled_or_continued_hearing_offers_rescheduling(world: World) -> None:
    room = courtroom(world)
    made = [hearing(world, starts_at=at(2026, 12, 15, 9 + n), room=room) for n in range(3)]
    services.hearing_cancel(hearing=made[1], by=clerk(world), reason="Plea withdrawn")
    Hearing.objects.filter(pk=made[2].pk).update(status=HearingStatus.CONTINUED)
    rows = [loaded(h.pk) for h in made]
    cards = hearing_cards(rows, here="/docket/", zone=NEW_YORK)
    assert [("Reschedule" in cards[h.pk]) for h in rows] == [True, False, True]
    assert "hearing-card--cancelled" in cards[rows[1].pk]
    assert ">Cancelled</span>" in cards[rows[1].pk]
    assert "No judge assigned" in cards[rows[0].pk]


def test_what_people_typed_is_escaped(world: World) -> None:
    Case.objects.filter(pk=world.case.pk).update(caption='United States v. <script>alert("x")')
    plea = loaded(hearing(world).pk)
    card = str(hearing_cards([plea], here='/docket/?"><b>', zone=NEW_YORK)[plea.pk])
    assert "<script>" not in card
    assert "United States v. &lt;script&gt;alert(&quot;x&quot;)" in card
    assert "<b>" not in card


def test_a_card_reads_in_the_readers_language_and_names_family_first(world: World) -> None:
    judge = world.user(Role.JUDGE)
    User.objects.filter(pk=judge.pk).update(first_name="敏", last_name="刘")
    judge.refresh_from_db()
    plea = loaded(hearing(world, kind=HearingKind.PLEA_HEARING, judge_user=judge).pk)
    with translation.override("zh-hans"):
        card = str(hearing_cards([plea], here="/docket/", zone=NEW_YORK)[plea.pk])
    assert "审判员 刘敏" in card and "敏 刘" not in card
    assert '<span class="visually-hidden">庭审状态： </span>' in card
    assert "改期" in card and "Judge" not in card
    with translation.override("zh-hans"):
        kind, status = str(HearingKind.PLEA_HEARING.label), str(HearingStatus.SCHEDULED.label)
    assert kind != "Plea hearing" and f">{kind}</a>" in card
    assert f"</span>{status}</span>" in card
    assert "Reschedule" not in re.sub(r'href="[^"]*"', "", card)


def test_the_docket_page_shows_each_hearing_as_its_card(client: Client, world: World) -> None:
    plea = loaded(hearing(world, judge_user=world.user(Role.JUDGE)).pk)
    client.force_login(world.user(Role.COURT_STAFF))
    with translation.override("en"):
        html = client.get(reverse("deadlines:docket")).content.decode()
        expected = str(
            hearing_cards([plea], here=reverse("deadlines:docket"), zone=NEW_YORK)[plea.pk]
        )
    assert card_of(html, plea) == expected


def test_the_chinese_docket_writes_dates_and_steps_as_chinese_does(
    client: Client, world: World
) -> None:
    """Month names and day-first dates are English forms: in Chinese the week reads
    2026年12月14日 星期一, each day's column 12月15日 星期二, and the steps name the week, not the
    view's internal code ("week")."""
    hearing(world)
    staff = world.user(Role.COURT_STAFF)
    UserProfile.objects.filter(user=staff).update(preferred_language="zh-hans")
    client.force_login(staff)
    html = client.get(reverse("deadlines:docket")).content.decode()
    assert "2026年12月14日 星期一" in html and "2026年12月20日 星期日" in html
    assert "12月15日 星期二" in html
    assert "← 上一周" in html and "下一周 →" in html
    assert "week" not in re.sub(r'(href|class|value|name|id)="[^"]*"', "", html)
    day = client.get(reverse("deadlines:docket"), {"view": "day"})
    assert "← 前一天" in day.content.decode() and "后一天 →" in day.content.decode()
    UserProfile.objects.filter(user=staff).update(preferred_language="en")
    reader = Client()
    reader.force_login(staff)
    english = reader.get(reverse("deadlines:docket")).content.decode()
    assert "Mon 14 Dec 2026" in english and "← Previous week" in english
