"""The sealed agreement is drawn up in the case's document language (the jurisdiction profile's
`document_language`: Chinese for cn), on its paper, whatever the language of the person who
signed last; a Chinese one embeds the CJK font it uses, and its stored SHA-256 is its own."""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import translation

from negotiations import services
from negotiations.models import AgreementStatus, PleaAgreement
from parties.models import Role
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
