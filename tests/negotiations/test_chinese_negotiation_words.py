"""What Parley itself says about a Chinese negotiation, said in the reader's language.

A derived concession ("Count 1 reduced from ... to ...") was stored as an English sentence and
shown as stored, so a Chinese offer page read "Count 1 reduced from 刑法第264条 to 刑法第275条
(2 severity steps)."; the grounds of a complex case read "Joint crime (共同犯罪)" in Chinese; the
negotiation page's scope line ended in an English full stop and said "仅量刑可协商" on a case
whose charges the complex mark had made negotiable (Meng 2023: charges negotiable in complex
cases). The stored description stays the English record (the API's `description`), whoever
writes the offer; the pages say it from its facts.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cases import permissions
from negotiations import services
from negotiations.models import Concession, ConcessionKind, TermDisposition
from negotiations.services import TermInput
from parties.models import UserProfile
from tests import factories
from tests.conftest import World
from tests.negotiation_helpers import ProfileCase, profile_case, sentence_offer

ZH = "zh-hans"
EN = "en"


@pytest.fixture
def reduced(world: World) -> tuple[ProfileCase, int]:
    """A cn-reform case marked complex, with a sent offer that reduces the theft count
    (severity 5) to the lesser offence (severity 3) and recommends no enhancement."""
    pc = profile_case(factories.jurisdiction("cn-reform"), prefix="zw")
    services.rights_explanation_record(case=pc.case, by=pc.prosecutor, note="已充分告知。")
    services.case_complex_mark(
        case=pc.case,
        by=pc.prosecutor,
        grounds=["joint_crime", "evidence_hard_to_collect"],
        reason="三人结伙作案。",
    )
    data = sentence_offer(
        pc,
        terms=[TermInput(pc.charge.pk, TermDisposition.LESSER, pc.lesser.pk)],
        no_enhancement=True,
    )
    with translation.override("zh-hans"):  # written by a Chinese reader: stored in English
        draft = services.offer_create(case=pc.case, by=pc.prosecutor, data=data)
    services.offer_send(offer=draft, by=pc.prosecutor)
    return pc, draft.pk


def _page(pc: ProfileCase, url: str, language: str) -> str:
    """The page as the duty lawyer reads it, in the language of their profile."""
    UserProfile.objects.filter(user=pc.duty_lawyer).update(preferred_language=language)
    client = Client()
    client.force_login(pc.duty_lawyer)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_derived_concessions_are_stored_in_english(reduced: tuple[ProfileCase, int]) -> None:
    _pc, offer_id = reduced
    stored = dict(Concession.objects.filter(offer_id=offer_id).values_list("kind", "description"))
    assert stored == {
        ConcessionKind.CHARGE_REDUCED: "Count 1 reduced from 刑法第264条 to 刑法第275条 "
        "(2 severity steps).",
        ConcessionKind.ENHANCEMENT_WITHDRAWN: "The prosecution withdraws or will not seek a "
        "sentencing enhancement.",
    }


def test_the_offer_page_says_the_concessions_in_the_readers_language(
    reduced: tuple[ProfileCase, int],
) -> None:
    pc, offer_id = reduced
    url = reverse("negotiations:offer", args=[offer_id])
    chinese = _page(pc, url, ZH)
    assert "第 1 项指控由 刑法第264条 降为 刑法第275条（严重程度降低 2 级）。" in chinese
    assert "控方撤回或不寻求加重量刑。" in chinese
    assert "Count 1" not in chinese
    assert "severity step" not in chinese
    # Marked complex, its charges were negotiable: the page does not say only the sentence is.
    assert "仅量刑可协商" not in chinese
    english = _page(pc, url, EN)
    assert "Count 1 reduced from 刑法第264条 to 刑法第275条 (2 severity steps)." in english


def test_the_negotiation_page_says_the_complex_grounds_and_the_scope_in_chinese(
    reduced: tuple[ProfileCase, int],
) -> None:
    pc, _offer_id = reduced
    url = reverse("negotiations:negotiation", args=[pc.case.pk])
    chinese = _page(pc, url, ZH)
    assert "共同犯罪、证据收集困难" in chinese
    assert "Joint crime" not in chinese
    # Marked complex, the charges are negotiable: the scope line does not say otherwise, and it
    # ends as a Chinese sentence does.
    lede = re.search(r'<p class="lede">(.*?)</p>', chinese, re.S)
    assert lede is not None
    assert "仅量刑可协商" not in lede.group(1)
    assert lede.group(1).endswith("。")
    english = _page(pc, url, EN)
    assert "Joint crime (共同犯罪)" in english


def test_a_sentence_only_case_says_so_in_a_chinese_sentence(world: World) -> None:
    pc = profile_case(factories.jurisdiction("cn"), prefix="zs")
    chinese = _page(pc, reverse("negotiations:negotiation", args=[pc.case.pk]), ZH)
    lede = re.search(r'<p class="lede">(.*?)</p>', chinese, re.S)
    assert lede is not None
    assert lede.group(1).endswith("：仅量刑可协商。")
    english = _page(pc, reverse("negotiations:negotiation", args=[pc.case.pk]), EN)
    assert ": only the sentence is negotiable.</p>" in english


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Long interval between the acts (作案间隔时间长)"),
        ("zh-hans", "作案间隔时间长"),
    ],
)
def test_complex_grounds_read_in_the_readers_language(
    world: World, language: str, expected: str
) -> None:
    """The grounds as the form and the page list them: the label translated, the source's
    words beside it only where the label does not already say them."""
    with translation.override(language):
        grounds = permissions.complex_case_grounds(factories.jurisdiction("cn-reform"))
    assert grounds["long_interval"] == expected


def test_a_listed_item_beside_its_words_uses_the_languages_parentheses() -> None:
    """A checklist item whose Chinese label differs from the statute's words: the words
    beside it in full-width parentheses in Chinese, in ASCII ones in English."""
    from cases.profiles import listed_label

    with translation.override("zh-hans"):
        assert listed_label("Joint crime", "共同作案") == "共同犯罪（共同作案）"
    with translation.override("en"):
        assert listed_label("Joint crime", "共同作案") == "Joint crime (共同作案)"


def test_a_chinese_offer_pages_warning_cites_the_opinions_in_chinese(world: World) -> None:
    """A range instead of a fixed term (2019 Guiding Opinions on the leniency system, art. 33:
    一般应当提出确定刑量刑建议) warns on the offer page, citing the Opinions in Chinese."""
    pc = profile_case(factories.jurisdiction("cn"), prefix="zc")
    draft = services.offer_create(case=pc.case, by=pc.prosecutor, data=sentence_offer(pc))
    services.offer_send(offer=draft, by=pc.prosecutor)
    chinese = _page(pc, reverse("negotiations:offer", args=[draft.pk]), ZH)
    assert "《关于适用认罪认罚从宽制度的指导意见》（2019年）第三十三条" in chinese
    assert "Guiding Opinions" not in chinese
