"""The plea agreement in words: its terms, recommendation, conditions and checklist as people
read them (the agreement page, the negotiation pages), and the whole AgreementDocument built
from the record, which negotiations.documents renders as the PDF that is signed and sealed."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from negotiations import agreement_rules, sentencing
from negotiations.agreement_rules import ListedItem
from negotiations.documents import AgreementDocument, ChargeLine, SignatureLine
from negotiations.models import PleaAgreement, TermDisposition
from parties.models import CaseParticipant, Role

_SENTENCE_LABELS = {
    "custody_min_months": "Custody, at least (months)",
    "custody_max_months": "Custody, at most (months)",
    "probation_months": "Probation (months)",
    "fine": "Fine",
    "restitution": "Restitution",
}
_CONDITION_LABELS = {
    "cooperation": "Cooperation with the government",
    "appeal_waiver": "Waiver of appeal",
    "immigration_safe_plea": "Immigration-safe plea",
    "no_enhancement": "No sentencing enhancement sought",
}


def term_label(item: dict[str, Any]) -> str:
    if item["disposition"] == TermDisposition.LESSER:
        return f"Plead guilty to {item['lesser_citation']} {item['lesser_title']}"
    return str(TermDisposition(item["disposition"]).label)


def sentence_lines(terms: dict[str, Any]) -> list[tuple[str, str]]:
    sentence = terms["sentence"]
    lines = []
    low, high = sentence.get("custody_min_months"), sentence.get("custody_max_months")
    if low is not None or high is not None:
        low_months = int(low or 0)
        high_months = int(high) if high is not None else low_months
        lines.append(("Custody", str(sentencing.MonthsRange(low_months, high_months))))
    if sentence.get("probation_months") is not None:
        lines.append(("Probation", f"{sentence['probation_months']} months"))
    for name in ("fine", "restitution"):
        if sentence.get(name) is not None:
            lines.append((_SENTENCE_LABELS[name], f"{Decimal(sentence[name]):,.2f}"))
    return lines


def condition_labels(terms: dict[str, Any]) -> list[str]:
    return [_CONDITION_LABELS[name] for name in terms["conditions"]]


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
    yes, no = gettext("Yes"), gettext("No")
    lines = [
        (
            f"{item.display} — {item.source}" if item.source else item.display,
            yes if confirmed else no,
        )
        for item, confirmed in checklist_rows(agreement)
    ]
    if agreement.interpreter_needed:
        used = (
            f"Yes — {agreement.interpreter_name}"
            + (f" ({agreement.interpreter_language})" if agreement.interpreter_language else "")
            if agreement.interpreter_used
            else "No"
        )
        lines.append(("Interpreter used", used))
    else:
        lines.append(("Interpreter used", "Not needed"))
    return lines


def procedure_label(agreement: PleaAgreement) -> str:
    """The procedure the plea statement names, as read ("Expedited procedure (速裁程序)");
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
    return f"{item.display} — {item.source}" if item.source else item.display


def statement_lines(agreement: PleaAgreement) -> list[tuple[str, str]]:
    """What the plea statement names beyond the offer's terms: the procedure agreed to and the
    limits on appeal, where the profile has them."""
    lines = []
    if agreement.procedure:
        lines.append((gettext("Procedure agreed to"), procedure_label(agreement)))
    if agreement.appeal_limits:
        lines.append((gettext("Limits on appeal"), agreement.appeal_limits))
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
            witness = (
                f"Witnessed by {sig.witness.display_name}, {sig.witness.get_role_display().lower()}"
            )
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
        reference=f"Plea agreement {agreement.pk}, offer {terms['offer_id']} "
        f"(round {terms['round_number']})",
        court=court.name,
        jurisdiction=court.jurisdiction.name,
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
        language="zh" if court.jurisdiction.country == "CN" else "en",
    )
