"""The discovery index as a document in the case's document language (issue 18: "the plea
agreement and the discovery index render in the case's document language from the profile",
Chinese for cn and cn-reform), whatever the reader's own language; another copy on
`?language=`; read by everyone who reads the disclosure log, and by no one else.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parties.models import Role, UserProfile
from records import services
from records.models import Disclosure
from tests.conftest import ROLES, World
from tests.negotiation_helpers import CnCase, cn_case


def _disclose(case: Any, by: User, description: str, on: dt.date) -> Disclosure:
    return services.disclosure_add(
        case=case, by=by, disclosed_on=on, description=description, document=None
    )


def _get(user: User, url: str, language: str = "en") -> Any:
    UserProfile.objects.filter(user=user).update(preferred_language=language)
    client = Client()
    client.force_login(user)
    return client.get(url)


def _document(html: str) -> str:
    found = re.search(r'<article class="document" lang="([^"]+)"(.*?)</article>', html, re.S)
    assert found is not None
    return f"{found.group(1)}|{found.group(2)}"


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def cn(world: World) -> Iterator[CnCase]:
    """Opened on 1 March 2026 in Beijing; two items disclosed, on 1 and 5 March."""
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False) as clock:
        cn = cn_case(world)
        _disclose(cn.case, cn.prosecutor, "现场勘验笔录", dt.date(2026, 3, 1))
        clock.move_to(dt.datetime(2026, 3, 6, 9, 0, tzinfo=SHANGHAI))
        _disclose(cn.case, cn.prosecutor, "监控录像光盘一张", dt.date(2026, 3, 5))
        yield cn


def test_a_chinese_case_index_is_in_chinese_for_an_english_reader(cn: CnCase) -> None:
    """The duty lawyer reads Parley in English; the index of a Chinese court's case is a
    Chinese document (the profile's document_language), marked lang="zh-hans", its items in the
    order disclosed and its dates written the Chinese way; the page around it stays English."""
    response = _get(cn.duty_lawyer, reverse("records:discovery-index", args=[cn.case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    document = _document(html)
    assert document.startswith("zh-hans|")
    assert "证据开示清单" in document
    assert "检察机关已向辩护方开示 2 项材料" in document
    assert document.index("现场勘验笔录") < document.index("监控录像光盘一张")
    assert "2026年3月1日" in document and "2026年3月5日" in document
    assert "Discovery" not in document and "March" not in document
    assert '<html lang="en">' in html
    assert "Other copies:" in html  # the page's own words, in the reader's language


def test_an_english_copy_on_request(cn: CnCase) -> None:
    url = reverse("records:discovery-index", args=[cn.case.pk])
    document = _document(_get(cn.duty_lawyer, f"{url}?language=en", "zh-hans").content.decode())
    assert document.startswith("en|")
    assert "Discovery index" in document
    assert "1 March 2026" in document
    assert "2 items disclosed by the prosecution to the defense" in document


def test_an_unknown_language_is_a_400_that_says_which_exist(cn: CnCase) -> None:
    url = reverse("records:discovery-index", args=[cn.case.pk])
    response = _get(cn.duty_lawyer, f"{url}?language=xx")
    assert response.status_code == 400
    assert "xx" in response.content.decode() and "zh-hans" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_everyone_who_reads_the_log_reads_the_index(world: World, role: Role) -> None:
    """A US case's index is in English (us-fed's document language)."""
    _disclose(world.case, world.user(Role.PROSECUTOR), "Lab report", dt.date(2026, 2, 16))
    response = _get(world.user(role), reverse("records:discovery-index", args=[world.case.pk]))
    assert response.status_code == 200
    document = _document(response.content.decode())
    assert document.startswith("en|")
    assert "Lab report" in document
    assert "16 February 2026" in document


@pytest.mark.parametrize("role", ROLES)
def test_strangers_find_no_index(world: World, role: Role) -> None:
    url = reverse("records:discovery-index", args=[world.case.pk])
    assert _get(world.strangers[role], url).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client: Client, world: World) -> None:
    response = client.get(reverse("records:discovery-index", args=[world.case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_discovery_page_links_the_index(world: World) -> None:
    html = _get(
        world.user(Role.DEFENSE_COUNSEL), reverse("records:discovery", args=[world.case.pk])
    ).content.decode()
    assert reverse("records:discovery-index", args=[world.case.pk]) in html


def test_the_index_reads_in_fixed_statements(world: World, django_assert_num_queries: Any) -> None:
    """One disclosure or five: the same statements (the log is one query with its documents
    and authors)."""
    prosecutor = world.user(Role.PROSECUTOR)
    url = reverse("records:discovery-index", args=[world.case.pk])
    client = Client()
    client.force_login(world.user(Role.DEFENSE_COUNSEL))
    _disclose(world.case, prosecutor, "Item 1", dt.date(2026, 2, 1))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(2, 6):
        _disclose(world.case, prosecutor, f"Item {n}", dt.date(2026, 2, n))
    with CaptureQueriesContext(connection) as five:
        assert client.get(url).status_code == 200
    assert len(five) == len(one)
    assert "Item 5" in client.get(url).content.decode()
