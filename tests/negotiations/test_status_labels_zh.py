"""The word "Signed" means two things: the agreement's status (已签署) and, in the PDF's
signature table, the moment each signer signed (签署时间, context "when"). A catalogue merge
once gave the status the column's word, so the agreement page said 签署时间 for "signed"."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import pgettext

from negotiations.models import AgreementStatus


def test_signed_as_a_status_and_as_a_moment_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert str(AgreementStatus.SIGNED.label) == "已签署"
        assert pgettext("when", "Signed") == "签署时间"
    with translation.override("en"):
        assert str(AgreementStatus.SIGNED.label) == "Signed"
