"""The sealed agreement is drawn up in the case's document language (the jurisdiction profile's
`document_language`: Chinese for cn), on its paper, whatever the language of the person who
signed last; a Chinese one embeds the CJK font it uses, and its stored SHA-256 is its own."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.utils import translation

from core.text import language_code_of
from negotiations import services
from negotiations.models import AgreementStatus, PleaAgreement
from parties.models import Defendant, Role
from tests.conftest import World
from tests.negotiation_helpers import CHECKLIST_ALL, cn_case, signed_agreement, statement_named
from tests.negotiations.test_agreement_pdf import (
    A4_POINTS,
    LETTER_POINTS,
    all_text,
    embedded_cjk_subsets,
    page_size,
)


def cn_sealed(world: World) -> tuple[Any, PleaAgreement]:
    cn = cn_case(world)
    offer = services.offer_create(
        case=cn.case,
        by=cn.prosecutor,
        data=services.OfferInput(custody_min_months=8, custody_max_months=10),
    )
    services.offer_send(offer=offer, by=cn.prosecutor)
    agreement = services.offer_accept(offer=offer, by=cn.duty_lawyer)
    statement_named(agreement, cn.prosecutor)
    services.agreement_checklist_complete(
        agreement=agreement, by=cn.duty_lawyer, items=CHECKLIST_ALL
    )
    services.agreement_sign(agreement=agreement, by=cn.defendant_user, witness=cn.duty_participant)
    services.agreement_sign(agreement=agreement, by=cn.duty_lawyer)
    # The prosecutor signs last, reading Parley in English: the document stays Chinese.
    with translation.override("en"):
        services.agreement_sign(agreement=agreement, by=cn.prosecutor)
    agreement.refresh_from_db()
    return cn, agreement


def test_cn_agreement_is_drawn_up_in_chinese_on_a4(world: World) -> None:
    _cn, agreement = cn_sealed(world)
    pdf = bytes(agreement.pdf or b"")

    assert agreement.status == AgreementStatus.SIGNED
    assert page_size(pdf) == A4_POINTS
    text = all_text(pdf)
    # The headings and the capacities of the signers, in the glossary's terms
    # (docs/glossary.md): 量刑建议 (CPL art. 176), 检察官, 值班律师 (CPL art. 36).
    for chinese in ("量刑建议", "自愿性核查清单", "签署", "检察官", "值班律师", "案号"):
        assert chinese in text, chinese
    for english in ("Sentence recommendation", "Signatures", "Docket No."):
        assert english not in text


def test_cn_agreement_embeds_the_cjk_font_and_its_digest_is_stored(world: World) -> None:
    _cn, agreement = cn_sealed(world)
    pdf = bytes(agreement.pdf or b"")

    assert embedded_cjk_subsets(pdf)
    assert agreement.pdf_sha256 == hashlib.sha256(pdf).hexdigest()


def test_us_agreement_stays_english_on_letter_when_the_last_signer_reads_chinese(
    world: World,
) -> None:
    with translation.override("zh-hans"):
        agreement = signed_agreement(world)
    pdf = bytes(agreement.pdf or b"")

    assert page_size(pdf) == LETTER_POINTS
    text = all_text(pdf)
    assert "Sentence recommendation" in text
    assert "量刑建议" not in text
    assert world.user(Role.PROSECUTOR).profile.preferred_language == ""


def test_cn_mandarin_speaker_gets_one_chinese_copy(world: World) -> None:
    # cn_case's defendant prefers "Mandarin": the case's language already.
    _cn, agreement = cn_sealed(world)

    assert agreement.document_languages == ["zh-hans"]
    assert "Sentence recommendation" not in all_text(bytes(agreement.pdf or b""))


def test_defendant_of_another_language_gets_a_copy_in_it_in_the_same_file(
    world: World,
) -> None:
    # A US case whose defendant reads Mandarin: the English agreement, then the Chinese copy;
    # one file, one digest over both.
    Defendant.objects.filter(pk=world.defendant.pk).update(preferred_language="Mandarin")
    agreement = signed_agreement(world)
    pdf = bytes(agreement.pdf or b"")

    assert agreement.document_languages == ["en", "zh-hans"]
    text = all_text(pdf)
    assert text.index("Sentence recommendation") < text.index("量刑建议")
    assert embedded_cjk_subsets(pdf)
    assert page_size(pdf) == LETTER_POINTS  # the case's paper for every copy
    assert agreement.pdf_sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_language_parley_has_no_catalogue_for_adds_no_copy(world: World) -> None:
    # Spanish: no catalogue, so no copy; the interpreter's attestation in the checklist stands.
    Defendant.objects.filter(pk=world.defendant.pk).update(preferred_language="Spanish")
    agreement = signed_agreement(world)

    assert agreement.document_languages == ["en"]
    assert "量刑建议" not in all_text(bytes(agreement.pdf or b""))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("English", "en"),
        ("english ", "en"),
        ("Mandarin", "zh-hans"),
        ("简体中文", "zh-hans"),
        ("Simplified Chinese", "zh-hans"),
        ("zh-hans", "zh-hans"),
        ("Spanish", ""),
        ("", ""),
    ],
)
def test_a_language_as_people_write_it(name: str, code: str) -> None:
    assert language_code_of(name) == code
