"""The plea agreement in words: its terms, recommendation, conditions and checklist as people
read them (the agreement page, the negotiation pages), and the whole AgreementDocument built
from the record, which negotiations.documents renders as the PDF that is signed and sealed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from negotiations import agreement_rules, sentencing
from negotiations.agreement_rules import ListedItem
from negotiations.documents import AgreementDocument, ChargeLine, SignatureLine
from negotiations.exposure import derived_concession_words
from negotiations.models import Concession, Offer, PleaAgreement, TermDisposition
from parties.models import CaseParticipant, Role

_SENTENCE_LABELS = {
    "custody_min_months": gettext_lazy("Custody, at least (months)"),
    "custody_max_months": gettext_lazy("Custody, at most (months)"),
    "probation_months": gettext_lazy("Probation (months)"),
    "fine": gettext_lazy("Fine"),
    "restitution": gettext_lazy("Restitution"),
}
_CONDITION_LABELS = {
    "cooperation": gettext_lazy("Cooperation with the government"),
    "appeal_waiver": gettext_lazy("Waiver of appeal"),
    "immigration_safe_plea": gettext_lazy("Immigration-safe plea"),
    "no_enhancement": gettext_lazy("No sentencing enhancement sought"),
}


def term_label(item: dict[str, Any]) -> str:
    if item["disposition"] == TermDisposition.LESSER:
        return _("Plead guilty to %(citation)s %(title)s") % {
            "citation": item["lesser_citation"],
            "title": item["lesser_title"],
        }
    return str(TermDisposition(item["disposition"]).label)


def sentence_lines(terms: dict[str, Any]) -> list[tuple[str, str]]:
    sentence = terms["sentence"]
    lines = []
    low, high = sentence.get("custody_min_months"), sentence.get("custody_max_months")
    if low is not None or high is not None:
        low_months = int(low or 0)
        high_months = int(high) if high is not None else low_months
        lines.append((_("Custody"), str(sentencing.MonthsRange(low_months, high_months))))
    if sentence.get("probation_months") is not None:
        months = int(sentence["probation_months"])
        lines.append(
            (
                _("Probation"),
                ngettext("%(count)d month", "%(count)d months", months) % {"count": months},
            )
        )
    for name in ("fine", "restitution"):
        if sentence.get(name) is not None:
            lines.append((str(_SENTENCE_LABELS[name]), f"{Decimal(sentence[name]):,.2f}"))
    return lines


def condition_labels(terms: dict[str, Any]) -> list[str]:
    return [str(_CONDITION_LABELS[name]) for name in terms["conditions"]]


def checklist_rows(agreement: PleaAgreement) -> list[tuple[ListedItem, bool]]:
    """The checklist of `agreement` and what was confirmed: the profile's items that apply to
    its terms, and any item recorded that the profile no longer lists (a checklist is read as
    it was completed). Reads the case's jurisdiction (select it with the agreement)."""
    jurisdiction = agreement.case.court.jurisdiction
    answers = agreement.checklist_answers or {}
    items = agreement_rules.checklist_items_for(jurisdiction, agreement.terms)
    known = {item.code for item in items}
    everything = agreement_rules.checklist_items_of(jurisdiction)
    for code in answers:
        if code not in known:
            items.append(
                agreement_rules.item_named(everything, code)
                or ListedItem(code=code, label=code.replace("_", " ").capitalize(), source="")
            )
    return [(item, bool(answers.get(item.code))) for item in items]


def checklist_lines(agreement: PleaAgreement) -> list[tuple[str, str]]:
    yes, no = _("Yes"), _("No")
    lines = [
        (
            item.display_with_source,
            yes if confirmed else no,
        )
        for item, confirmed in checklist_rows(agreement)
    ]
    if agreement.interpreter_needed:
        if not agreement.interpreter_used:
            used = _("No")
        elif agreement.interpreter_language:
            used = _("Yes — %(name)s (%(language)s)") % {
                "name": agreement.interpreter_name,
                "language": agreement.interpreter_language,
            }
        else:
            used = _("Yes — %(name)s") % {"name": agreement.interpreter_name}
        lines.append((_("Interpreter used"), used))
    else:
        lines.append((_("Interpreter used"), _("Not needed")))
    return lines


def procedure_label(agreement: PleaAgreement) -> str:
    """The procedure the plea statement names, as read ("Fast-track procedure (速裁程序)");
    "" when it names none."""
    if not agreement.procedure:
        return ""
    procedures = agreement_rules.plea_procedures(agreement.case.court.jurisdiction)
    item = agreement_rules.item_named(procedures, agreement.procedure)
    return item.display if item else agreement.procedure


def review_ground_label(agreement: PleaAgreement) -> str:
    """The ground the court's decision named, as read; "" when it named none."""
    if not agreement.review_ground:
        return ""
    jurisdiction = agreement.case.court.jurisdiction
    grounds = agreement_rules.rejection_grounds(jurisdiction) + agreement_rules.adjustment_grounds(
        jurisdiction
    )
    item = agreement_rules.item_named(grounds, agreement.review_ground)
    if item is None:
        return agreement.review_ground
    return f"{item.display} — {item.cited}" if item.source else item.display


def statement_lines(agreement: PleaAgreement) -> list[tuple[str, str]]:
    """What the plea statement names beyond the offer's terms: the procedure agreed to and the
    limits on appeal, where the profile has them."""
    lines = []
    if agreement.procedure:
        lines.append((_("Procedure agreed to"), procedure_label(agreement)))
    if agreement.appeal_limits:
        lines.append((_("Limits on appeal"), agreement.appeal_limits))
    return lines


def _local(moment: dt.datetime, time_zone: str) -> str:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M %Z")


def agreement_document(agreement: PleaAgreement, *, generated_at: dt.datetime) -> AgreementDocument:
    case = agreement.case
    court = case.court
    defendants = tuple(
        p.display_name
        for p in CaseParticipant.objects.active()
        .filter(case=case, role=Role.DEFENDANT)
        .select_related("defendant")
    )
    signatures = []
    for sig in agreement.signatures.select_related(
        "signer_participant", "witness__user", "witness__defendant"
    ).order_by("signed_at", "id"):
        witness = ""
        if sig.witness is not None:
            witness = _("Witnessed by %(name)s, %(role)s") % {
                "name": sig.witness.display_name,
                "role": sig.witness.get_role_display().lower(),
            }
        signatures.append(
            SignatureLine(
                role=sig.capacity_label,
                name=sig.signer_name,
                signed_at=_local(sig.signed_at, court.time_zone),
                witness=witness,
            )
        )
    terms = agreement.terms
    return AgreementDocument(
        reference=_("Plea agreement %(agreement)s, offer %(offer)s (round %(round)s)")
        % {"agreement": agreement.pk, "offer": terms["offer_id"], "round": terms["round_number"]},
        court=court.name,
        jurisdiction=court.jurisdiction.name_shown,
        docket_number=case.docket_number,
        caption=case.caption,
        defendants=defendants,
        charges=tuple(
            ChargeLine(
                count=item["count"],
                citation=item["citation"],
                title=item["title"],
                disposition=term_label(item),
            )
            for item in terms["charges"]
        ),
        sentence=tuple(sentence_lines(terms)),
        statement=tuple(statement_lines(agreement)),
        conditions=tuple(condition_labels(terms)),
        checklist=tuple(checklist_lines(agreement)),
        signatures=tuple(signatures),
        generated_at=_local(generated_at, court.time_zone),
        # The words are in the active language: the caller picks it (translation.override);
        # else the profile's `document_language` (docs/profiles.md).
        language=translation.get_language() or court.jurisdiction.document_language,
        paper=court.jurisdiction.paper_size,
    )


def concessions_worded(offer: Offer) -> list[tuple[Concession, str]]:
    """Each concession of `offer` with its words: a derived one said in the reader's language
    from its facts (its stored description is the English record), a logged one as the
    prosecutor wrote it. Reads the offer's prefetched terms (their charges and statutes)."""
    terms = {t.charge_id: t for t in offer.terms.all()}
    worded = []
    for concession in offer.concessions.all():
        term = terms.get(concession.charge_id) if concession.charge_id else None
        if not concession.derived or (concession.charge_id and term is None):
            worded.append((concession, concession.description))
            continue
        text = derived_concession_words(
            concession.kind,
            term.charge if term else None,
            lesser=term.lesser_statute if term else None,
            drop=concession.severity_reduction,
            months=concession.months_below,
        )
        worded.append((concession, text))
    return worded
