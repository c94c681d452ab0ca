"""Parley in Simplified Chinese beyond the pages: API errors by Accept-Language (ours and DRF's
own), the labels of statuses, roles and kinds, notifications, alert e-mails in the recipient's
language, the calendar feed in its owner's language, the history export's header row, and the
catalogue data (deadline rules, statutes) in both languages.

The expected Chinese is the catalogue's (each app's locale/zh_Hans), written out here: a change
of wording shows up as a failing test. The legal terms are those of the glossary
(docs/glossary.md): 值班律师, 辩护人, 审判员, 书记员, 检察官, 认罪认罚具结书, 犯罪嫌疑人 for the
signer of the plea statement (CPL art. 174: "犯罪嫌疑人自愿认罪……签署认罪认罚具结书").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import icalendar
import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cases.models import CaseStatus, Disposition
from deadlines import alerts, feeds
from deadlines import notifications as inbox_of
from deadlines.models import (
    AlertSubject,
    DeadlineKind,
    DeadlineRule,
    HearingKind,
    HearingStatus,
)
from negotiations.models import OfferStatus, SignatoryRole
from parties.models import Role, Side, UserProfile
from tests import deadline_helpers as helpers
from tests.conftest import World, api_as
from tests.deadline_helpers import at
from tests.negotiation_helpers import sent_offer

ZH: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# Tuesday 24 November 2026, 10:00 in New York (the world's court).
NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def prefers_chinese(user: Any) -> None:
    UserProfile.objects.filter(user=user).update(preferred_language="zh-hans")


# --- labels ------------------------------------------------------------------------------------


def test_status_role_and_kind_labels_are_chinese() -> None:
    with translation.override("zh-hans"):
        assert str(CaseStatus.NEGOTIATING.label) == "协商中"
        assert str(CaseStatus.PLEA_ENTERED.label) == "已作认罪答辩"
        assert str(Role.DUTY_LAWYER.label) == "值班律师"
        assert str(Role.DEFENSE_COUNSEL.label) == "辩护人"
        assert str(Role.PROSECUTOR.label) == "检察官"
        assert str(Role.JUDGE.label) == "审判员"
        assert str(Role.COURT_STAFF.label) == "书记员"
        assert str(Side.PROSECUTION.label) == "控方"
        assert str(Disposition.GUILTY_PLEA.label) == "认罪"
        assert str(OfferStatus.COUNTERED.label) == "已提出反提议"
        assert str(HearingKind.PRETRIAL_CONFERENCE.label) == "庭前会议"
        assert str(HearingStatus.CONTINUED.label) == "已延期"
        assert str(DeadlineKind.DISCOVERY_DUE.label) == "证据开示期限"
        # CPL art. 174: the plea statement is signed by the suspect.
        assert str(SignatoryRole.DEFENDANT.label) == "犯罪嫌疑人"
        # A checklist item of the cn profile (cases.profiles), through the cases catalogue.
        assert gettext("The defendant admits guilt and accepts punishment of their own will") == (
            "犯罪嫌疑人、被告人系自愿认罪认罚"
        )
        assert gettext("Fast-track procedure") == "速裁程序"


def test_labels_stay_english_in_english() -> None:
    with translation.override("en"):
        assert str(CaseStatus.NEGOTIATING.label) == "Negotiating"
        assert str(Role.DUTY_LAWYER.label) == "Duty lawyer"
        assert str(SignatoryRole.DEFENDANT.label) == "Defendant"


# --- the API, by Accept-Language ----------------------------------------------------------------


def transition_url(case_id: int) -> str:
    return reverse("case-transition", args=[case_id])


def test_api_conflict_is_answered_in_chinese_for_accept_language_zh_hans(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).post(
        transition_url(world.case.pk), {"to_status": "sentenced"}, format="json", **ZH
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "处于“受理”状态的案件不能转为“已判决”。当前可转为：协商中, 审判, 已撤销。",
        "code": "illegal_status_move",
    }
    assert response["Content-Language"] == "zh-hans"


def test_api_drf_own_messages_are_chinese_too(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).post(
        transition_url(world.case.pk), {}, format="json", **ZH
    )

    assert response.status_code == 400
    assert response.json()["to_status"] == ["该字段是必填项。"]


def test_api_permission_denied_is_chinese(world: World) -> None:
    response = api_as(world.user(Role.DEFENSE_COUNSEL)).post(
        transition_url(world.case.pk), {"to_status": "negotiating"}, format="json", **ZH
    )

    assert response.status_code == 403
    assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"])


def test_api_accept_language_wins_over_the_persons_own_language(world: World) -> None:
    """A client that sends Accept-Language asks for that language, whatever the person chose."""
    judge = world.user(Role.JUDGE)
    UserProfile.objects.filter(user=judge).update(preferred_language="en")
    client = Client()
    client.force_login(judge)

    response = client.post(
        transition_url(world.case.pk),
        {"to_status": "sentenced"},
        content_type="application/json",
        **ZH,
    )

    assert response.status_code == 409
    assert response.json()["detail"].startswith("处于“受理”状态的案件")


def test_api_without_accept_language_stays_english(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).post(
        transition_url(world.case.pk), {"to_status": "sentenced"}, format="json"
    )

    assert response.json()["detail"].startswith("A case in status “Intake” cannot move")


def test_unknown_api_route_answers_in_chinese(world: World) -> None:
    response = api_as(world.user(Role.JUDGE)).get("/api/v1/no-such-thing/", **ZH)

    assert response.status_code == 404
    assert response.json()["detail"] == "未找到。"


# --- notifications and e-mail --------------------------------------------------------------------


def test_offer_expired_notification_reads_chinese_for_a_chinese_reader(
    world: World, clock: Any
) -> None:
    offer = sent_offer(world)
    alerts.notify_offer_expired(offer)
    alerts.sweep()
    defense = world.user(Role.DEFENSE_COUNSEL)

    rows = list(inbox_of.notifications_for(defense).filter(subject=AlertSubject.OFFER_EXPIRED))

    with translation.override("zh-hans"):
        titles = [i.shown.title for i in inbox_of.notifications_shown(defense, rows)]
    with translation.override("en"):
        english = [i.shown.title for i in inbox_of.notifications_shown(defense, rows)]

    assert titles == [
        "United States v. Doe (1:26-cr-00001) 的一项方案已过期（2026年12月1日（星期二） 10:00 EST）"
    ]
    assert english == [
        "An offer in United States v. Doe (1:26-cr-00001) expired (Tue 1 Dec 2026, 10:00 EST)"
    ]


def test_alert_email_is_in_the_recipients_language(world: World, clock: Any) -> None:
    prefers_chinese(world.user(Role.DEFENSE_COUNSEL))
    offer = sent_offer(world)
    alerts.notify_offer_expired(offer)
    alerts.sweep()

    by_recipient = {m.to[0]: m for m in mail.outbox}
    chinese = by_recipient["defense@example.org"]
    english = by_recipient["prosecutor@example.org"]

    assert "United States v. Doe (1:26-cr-00001) 的一项方案已过期" in chinese.subject
    # Dates with the names of the locale, the court's zone explicit.
    assert re.search(r"2026年\d+月\d+日（星期.）", str(chinese.body)), chinese.body
    assert "未获答复" in chinese.body
    assert english.subject.startswith("An offer in United States v. Doe (1:26-cr-00001) expired")


# --- the calendar feed ---------------------------------------------------------------------------


def test_calendar_feed_is_in_its_owners_language(world: World, clock: Any) -> None:
    defense = world.user(Role.DEFENSE_COUNSEL)
    prefers_chinese(defense)
    helpers.hearing(
        world,
        kind=HearingKind.ARRAIGNMENT,
        starts_at=at(2026, 12, 1, 10),
        room=helpers.courtroom(world, "Courtroom 4B"),
    )
    token = feeds.feed_issue(user=defense)

    response = Client().get(reverse("deadlines:feed-ics", args=[token]))

    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "我的庭审日程 · Parley"
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "传讯 — United States v. Doe（1:26-cr-00001）"
    assert "时间均为法院所在时区 America/New_York。" in str(event["DESCRIPTION"])


# --- the history export ------------------------------------------------------------------------


def test_history_csv_header_is_chinese_and_english_unchanged(world: World) -> None:
    prosecutor = world.user(Role.PROSECUTOR)
    url = reverse("case-history-export", args=[world.case.pk])

    chinese = api_as(prosecutor).get(url, {"as": "csv"}, **ZH)
    english = api_as(prosecutor).get(url, {"as": "csv"})

    header = b"".join(chinese.streaming_content).decode().splitlines()[0]  # type: ignore[attr-defined]
    assert header == (
        "编号,发生时间,类型,操作人编号,操作人,途径,请求编号,数据表,记录编号,摘要,变更前,变更后,数据"
    )
    assert b"".join(english.streaming_content).decode().splitlines()[0] == (  # type: ignore[attr-defined]
        "id,occurred_at,kind,actor_id,actor_name,via,request_id,table,row_id,summary,before,"
        "after,data"
    )


def test_a_note_notification_and_a_change_summary_punctuate_as_chinese_does(
    world: World,
) -> None:
    """ "刘敏：请于开庭前提交书面意见。", not "刘敏: …": the name and the excerpt, and a change's
    label and what moved, joined by the language's colon (and its semicolon between changes)."""
    from audit import presentation
    from audit.models import AuditEvent
    from records import services as record_services

    prosecutor = world.user(Role.PROSECUTOR)
    record_services.note_add(
        case=world.case, by=prosecutor, visibility="shared", body="请于开庭前提交书面意见。"
    )
    alerts.sweep()
    defense = world.user(Role.DEFENSE_COUNSEL)
    rows = list(inbox_of.notifications_for(defense))
    with translation.override("zh-hans"):
        bodies = [i.shown.body for i in inbox_of.notifications_shown(defense, rows)]
    with translation.override("en"):
        english = [i.shown.body for i in inbox_of.notifications_shown(defense, rows)]
    name = inbox_of.notifications_shown(defense, rows)[0].shown.body.split(":")[0]
    assert f"{name}：请于开庭前提交书面意见。" in bodies
    assert f"{name}: 请于开庭前提交书面意见。" in english

    world.case.caption = "United States v. Roe"
    world.case.save(update_fields=["caption"])
    changed = AuditEvent.objects.filter(case_id=world.case.pk, kind__endswith=".changed").latest(
        "id"
    )
    with translation.override("zh-hans"):
        assert "：" in presentation.summary_of(changed)
    with translation.override("en"):
        assert presentation.summary_of(changed).count(": ") == 1


# --- catalogue data in both languages ----------------------------------------------------------


def test_shipped_deadline_rules_read_in_both_languages(world: World) -> None:
    expedited = DeadlineRule.objects.get(code="cn-cpl-172-expedited-review")
    speedy = DeadlineRule.objects.get(code="us-usc-3161c1-trial")

    # Stored in the language of the law they come from.
    assert expedited.name == "认罪认罚速裁案件审查起诉决定"
    assert expedited.citation.startswith("《刑事诉讼法》第一百七十二条第一款")
    assert speedy.name == "Trial within 70 days (Speedy Trial Act)"
    with translation.override("en"):
        assert expedited.name_shown == "Charging decision in an expedited leniency case"
        assert speedy.name_shown == "Trial within 70 days (Speedy Trial Act)"
    with translation.override("zh-hans"):
        assert expedited.name_shown == "认罪认罚速裁案件审查起诉决定"
        assert speedy.name_shown == "70 日内开始审判（《迅速审判法》）"
        assert speedy.trigger_label_shown == "提出起诉书或首次到庭，以较晚者为准"


def test_statute_title_in_the_readers_language(world: World) -> None:
    statute = world.foreign_statute
    statute.translations = {"en": {"title": "Theft"}}
    statute.save(update_fields=["translations"])

    with translation.override("en"):
        assert str(statute) == "刑法第264条 Theft"
    with translation.override("zh-hans"):
        assert str(statute) == "刑法第264条 盗窃罪"
