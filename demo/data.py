"""Demo data for `make run`: one court per jurisdiction profile, the offices, a user for every
role and about twenty cases in every stage. Built through the services, so the demo obeys the
same rules as real use. Idempotent: a second run finds the demo and leaves it as it is."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from cases import party_services
from cases import services as case_services
from cases.models import Case, CaseStatus, Court, Jurisdiction, OffenceClass, Statute
from cases.profiles import jurisdiction_profiles_load
from deadlines import services as date_services
from deadlines.computation import calendar_for_court
from deadlines.models import DeadlineKind, DeadlineRule, HearingKind
from integrations import services as integration_services
from negotiations import agreement_rules
from negotiations import selectors as negotiation_selectors
from negotiations import services as negotiation_services
from negotiations.models import TermDisposition
from negotiations.services import OfferInput, TermInput
from parties.models import (
    CitizenshipStatus,
    CustodyStatus,
    Defendant,
    Organization,
    OrganizationKind,
    Role,
    Side,
)
from parties.services import profile_set
from records import services as record_services
from records.models import DocumentCategory, Visibility

# The words of the demo's record, negotiation and dates, in the document language of the court's
# profile (its `document_language` parameter): a Chinese court's case reads Chinese, with the
# provisions of Chinese law, never a US rule.
DEMO_TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "notes": {
            Visibility.PROSECUTION: (
                "Strategy: the lab report is strong; hold the cooperation credit for round two."
            ),
            Visibility.DEFENSE: "Client wants to discuss immigration consequences before any plea.",
            Visibility.SHARED: "Parties agreed to exchange discovery by e-mail and log it here.",
            Visibility.COURT: "Interpreter booked for the next hearing.",
        },
        "index_file": "discovery-index.pdf",
        "index_title": "Discovery index",
        "index_heading": "{docket} discovery index",
        "index_lines": ["1. Arrest report", "2. Laboratory report", "3. Witness statements"],
        "disclosed": "Arrest report and booking photographs (12 pages)",
        "witness_file": "witness-list.txt",
        "witness_text": "Witness list (not yet disclosed)\n1. Officer J. Park\n",
        "witness_title": "Witness list",
        "motion_file": "motion-to-continue.pdf",
        "motion_title": "Motion to continue",
        "motion_lines": ["The defense moves to continue the hearing."],
        "negotiating": "The parties told the court they are in plea discussions.",
        "moved": "Demo",
        "first_offer": "Early resolution spares the witnesses.",
        "counter": "First conviction; steady employment.",
        "answer": "Meets the defense part way.",
        "response": "The harm to the victims calls for custody within the range.",
        "interpreter": "Court interpreter",
        "accepted": "The plea is knowing and voluntary and has a factual basis.",
        "appeal_limits": (
            "The defendant may appeal only if the judgment departs from this agreement or the "
            "plea was not voluntary."
        ),
        "closure": "Building maintenance (demo)",
        "discovery_due": "Discovery due (Rule 16)",
        "pdf_font": "Helvetica",
        "clerks_office": "{court} (clerk's office)",
    },
    "zh-hans": {
        "notes": {
            Visibility.PROSECUTION: "审查意见：监控录像与被害人陈述相互印证，证据确实、充分。",
            Visibility.DEFENSE: "犯罪嫌疑人愿意认罪认罚，希望了解退赔对量刑建议的影响。",
            Visibility.SHARED: "控辩双方约定通过本系统交换阅卷材料并在此登记。",
            Visibility.COURT: "已为下次开庭预约书记员和法庭。",
        },
        "index_file": "yuejuan-mulu.pdf",
        "index_title": "案卷材料目录",
        "index_heading": "{docket} 案卷材料目录",
        "index_lines": ["一、受案登记表", "二、现场勘验笔录", "三、被害人陈述"],
        "disclosed": "讯问笔录及辨认笔录（共 12 页）",
        "witness_file": "zhengren-mingdan.txt",
        "witness_text": "证人名单（尚未开示）\n一、证人王某\n",
        "witness_title": "证人名单",
        "motion_file": "yanqi-shenqing.pdf",
        "motion_title": "延期审理申请书",
        "motion_lines": ["辩护人申请延期开庭审理。"],
        "negotiating": "控辩双方已告知法院正在就认罪认罚进行协商。",
        "moved": "演示数据",
        "first_offer": "犯罪嫌疑人到案后如实供述，建议依法从宽。",
        "counter": "初犯、偶犯，有稳定工作，已退赔被害人损失。",
        "answer": "采纳辩护人部分意见，调整量刑建议。",
        "response": "犯罪数额较大，量刑建议仍应在法定幅度之内。",
        "interpreter": "法院翻译人员",
        "accepted": "被告人认罪认罚系自愿，具结书内容真实、合法，量刑建议适当，予以采纳。",
        "appeal_limits": "被告人仅得以判决超出本具结书或者认罪认罚违背意愿为由提出上诉。",
        "closure": "法院办公楼检修（演示）",
        "discovery_due": "辩护人阅卷（《刑事诉讼法》第四十条）",
        "pdf_font": "STSong-Light",
        "clerks_office": "{court}书记室",
    },
}


def _language(court: Court) -> str:
    return court.jurisdiction.document_language


def _text(court: Court) -> dict[str, Any]:
    return DEMO_TEXT.get(_language(court), DEMO_TEXT["en"])


# A demo password for a local demo database; `seed_demo` refuses to run outside DEBUG.
DEMO_PASSWORD = "parley-demo"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str = DEMO_PASSWORD


DEMO_LOGINS = [
    DemoLogin("Prosecutor (US)", "prosecutor"),
    DemoLogin("Defense counsel (US, public defender)", "defense"),
    DemoLogin("Defense counsel (US, private firm)", "hale"),
    DemoLogin("Defendant (US)", "defendant"),
    DemoLogin("Judge (US)", "judge"),
    DemoLogin("Court staff (US)", "clerk"),
    DemoLogin("Office supervisor (US prosecution)", "supervisor"),
    DemoLogin("Prosecutor (CN)", "cn_prosecutor"),
    DemoLogin("Duty lawyer (CN)", "dutylawyer"),
    DemoLogin("Judge (CN)", "cn_judge"),
    DemoLogin("Court staff (CN)", "cn_clerk"),
    DemoLogin("Administrator", "admin"),
]

# Statutory ranges as enacted; custody in months, None = life. Fines per 18 U.S.C. 3571.
US_STATUTES = [
    # citation, title, class, severity, min, max, mandatory min, max fine
    (
        "21 U.S.C. 841(b)(1)(A)",
        "Distribution of a controlled substance (large quantity)",
        OffenceClass.FELONY,
        10,
        120,
        None,
        120,
        "10000000",
    ),
    (
        "21 U.S.C. 841(b)(1)(B)",
        "Distribution of a controlled substance (mid quantity)",
        OffenceClass.FELONY,
        9,
        60,
        480,
        60,
        "5000000",
    ),
    (
        "21 U.S.C. 841(b)(1)(C)",
        "Distribution of a controlled substance",
        OffenceClass.FELONY,
        7,
        0,
        240,
        0,
        "1000000",
    ),
    (
        "21 U.S.C. 844(a)",
        "Simple possession of a controlled substance",
        OffenceClass.MISDEMEANOR,
        2,
        0,
        12,
        0,
        "100000",
    ),
    (
        "18 U.S.C. 922(g)(1)",
        "Possession of a firearm by a prohibited person",
        OffenceClass.FELONY,
        7,
        0,
        180,
        0,
        "250000",
    ),
    ("18 U.S.C. 1343", "Wire fraud", OffenceClass.FELONY, 6, 0, 240, 0, "250000"),
    ("18 U.S.C. 1028A", "Aggravated identity theft", OffenceClass.FELONY, 6, 24, 24, 24, "250000"),
    ("18 U.S.C. 1028(a)(7)", "Identity fraud", OffenceClass.FELONY, 5, 0, 180, 0, "250000"),
    (
        "18 U.S.C. 924(c)(1)(A)(i)",
        "Using or carrying a firearm during a drug trafficking crime",
        OffenceClass.FELONY,
        8,
        60,
        None,
        60,
        "250000",
    ),
    ("18 U.S.C. 2113(a)", "Bank robbery", OffenceClass.FELONY, 8, 0, 240, 0, "250000"),
    ("18 U.S.C. 641", "Theft of public money", OffenceClass.FELONY, 4, 0, 120, 0, "250000"),
    (
        "18 U.S.C. 111(a)",
        "Assaulting a federal officer",
        OffenceClass.FELONY,
        5,
        0,
        96,
        0,
        "250000",
    ),
]
# What a statute says beyond its range: 18 U.S.C. 1028A(b)(2) and 924(c)(1)(D)(ii) make their
# mandatory terms run consecutively to every other term.
US_STATUTE_TRAITS: dict[str, dict[str, Any]] = {
    # 1028A(b)(4): terms under the section may run concurrently with one another.
    "18 U.S.C. 1028A": {
        "mandatory_term_consecutive": True,
        "consecutive_terms_concurrent_with_each_other": True,
    },
    "18 U.S.C. 924(c)(1)(A)(i)": {"mandatory_term_consecutive": True},
}
US_LESSER = {
    "21 U.S.C. 841(b)(1)(A)": [
        "21 U.S.C. 841(b)(1)(B)",
        "21 U.S.C. 841(b)(1)(C)",
        "21 U.S.C. 844(a)",
    ],
    "21 U.S.C. 841(b)(1)(B)": ["21 U.S.C. 841(b)(1)(C)", "21 U.S.C. 844(a)"],
    "21 U.S.C. 841(b)(1)(C)": ["21 U.S.C. 844(a)"],
    "18 U.S.C. 1028A": ["18 U.S.C. 1028(a)(7)"],
}
# 中华人民共和国刑法 (Criminal Law of the PRC); the amount tiers are separate entries.
CN_STATUTES = [
    (
        "刑法第264条（数额较大）",
        "盗窃罪（数额较大）",
        OffenceClass.ORDINARY,
        3,
        0,
        36,
        0,
        None,
    ),
    (
        "刑法第264条（数额巨大）",
        "盗窃罪（数额巨大）",
        OffenceClass.SERIOUS,
        6,
        36,
        120,
        36,
        None,
    ),
    ("刑法第133条之一", "危险驾驶罪", OffenceClass.ORDINARY, 1, 1, 6, 0, None),
    ("刑法第234条第1款", "故意伤害罪", OffenceClass.ORDINARY, 4, 0, 36, 0, None),
    ("刑法第266条", "诈骗罪", OffenceClass.ORDINARY, 4, 0, 36, 0, None),
]
# PRC Criminal Law: art. 133-1 "处拘役，并处罚金"; arts. 264 and 266 "并处或者单处罚金" (the huge
# amount tier of 264: "并处罚金"); art. 234(1) carries no fine.
CN_STATUTE_TRAITS: dict[str, dict[str, Any]] = {
    "刑法第133条之一": {"penalty_kind": "criminal_detention", "fine_applies": True},
    "刑法第264条（数额较大）": {"fine_applies": True},
    "刑法第264条（数额巨大）": {"fine_applies": True},
    "刑法第266条": {"fine_applies": True},
}
CN_LESSER = {"刑法第264条（数额巨大）": ["刑法第264条（数额较大）"]}

# The statutes' titles in the other language of Parley's catalogues (Statute.translations):
# a Chinese statute is titled in Chinese, a US one in English.
STATUTE_TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "刑法第264条（数额较大）": {"en": {"title": "Theft (large amount)"}},
    "刑法第264条（数额巨大）": {"en": {"title": "Theft (huge amount)"}},
    "刑法第133条之一": {"en": {"title": "Dangerous driving"}},
    "刑法第234条第1款": {"en": {"title": "Intentional injury"}},
    "刑法第266条": {"en": {"title": "Fraud"}},
    "21 U.S.C. 841(b)(1)(A)": {"zh-hans": {"title": "分销受管制物质（大量）"}},
    "21 U.S.C. 841(b)(1)(B)": {"zh-hans": {"title": "分销受管制物质（中等数量）"}},
    "21 U.S.C. 841(b)(1)(C)": {"zh-hans": {"title": "分销受管制物质"}},
    "21 U.S.C. 844(a)": {"zh-hans": {"title": "单纯持有受管制物质"}},
    "18 U.S.C. 922(g)(1)": {"zh-hans": {"title": "禁止持枪者持有枪支"}},
    "18 U.S.C. 1343": {"zh-hans": {"title": "电信欺诈"}},
    "18 U.S.C. 1028A": {"zh-hans": {"title": "加重身份盗窃"}},
    "18 U.S.C. 1028(a)(7)": {"zh-hans": {"title": "身份欺诈"}},
    "18 U.S.C. 924(c)(1)(A)(i)": {"zh-hans": {"title": "在毒品贩运犯罪中使用或携带枪支"}},
    "18 U.S.C. 2113(a)": {"zh-hans": {"title": "抢劫银行"}},
    "18 U.S.C. 641": {"zh-hans": {"title": "盗窃公款"}},
    "18 U.S.C. 111(a)": {"zh-hans": {"title": "袭击联邦官员"}},
}

US_DEFENDANTS = [
    ("Marcus", "Bell", CustodyStatus.DETAINED, "English", CitizenshipStatus.CITIZEN),
    ("Ana", "Ruiz", CustodyStatus.RELEASED, "Spanish", CitizenshipStatus.PERMANENT_RESIDENT),
    ("Dmitri", "Volkov", CustodyStatus.DETAINED, "Russian", CitizenshipStatus.VISA_HOLDER),
    ("Keisha", "Warren", CustodyStatus.RELEASED, "English", CitizenshipStatus.CITIZEN),
    ("Tomas", "Alvarez", CustodyStatus.AT_LARGE, "Spanish", CitizenshipStatus.UNDOCUMENTED),
    ("Grace", "Liu", CustodyStatus.RELEASED, "Mandarin", CitizenshipStatus.PERMANENT_RESIDENT),
    ("Samuel", "Okafor", CustodyStatus.DETAINED, "English", CitizenshipStatus.CITIZEN),
]
CN_DEFENDANTS = [("伟", "张"), ("芳", "王"), ("强", "李"), ("敏", "刘"), ("磊", "陈"), ("静", "杨")]

# (statute citations, status path, defendant index) per US case.
US_CASES = [
    (["21 U.S.C. 841(b)(1)(A)", "18 U.S.C. 922(g)(1)"], [CaseStatus.NEGOTIATING], 0),
    (["18 U.S.C. 1343", "18 U.S.C. 1343", "18 U.S.C. 1028A"], [CaseStatus.NEGOTIATING], 1),
    (["21 U.S.C. 841(b)(1)(B)"], [CaseStatus.NEGOTIATING], 2),
    (["18 U.S.C. 2113(a)"], [CaseStatus.NEGOTIATING, CaseStatus.AGREEMENT], 3),
    (["18 U.S.C. 641"], [CaseStatus.NEGOTIATING, CaseStatus.AGREEMENT, CaseStatus.PLEA_ENTERED], 4),
    (["18 U.S.C. 111(a)"], [CaseStatus.TRIAL], 5),
    (["21 U.S.C. 841(b)(1)(C)", "21 U.S.C. 844(a)"], [CaseStatus.DISMISSED], 6),
    (
        ["18 U.S.C. 1028(a)(7)"],
        [
            CaseStatus.NEGOTIATING,
            CaseStatus.AGREEMENT,
            CaseStatus.PLEA_ENTERED,
            CaseStatus.SENTENCED,
        ],
        0,
    ),
    (["18 U.S.C. 922(g)(1)"], [], 1),
    (["18 U.S.C. 1343"], [CaseStatus.NEGOTIATING], 2),
    (
        ["21 U.S.C. 844(a)"],
        [
            CaseStatus.NEGOTIATING,
            CaseStatus.AGREEMENT,
            CaseStatus.PLEA_ENTERED,
            CaseStatus.SENTENCED,
            CaseStatus.CLOSED,
        ],
        3,
    ),
    (["18 U.S.C. 2113(a)", "18 U.S.C. 922(g)(1)"], [], 4),
    (["21 U.S.C. 841(b)(1)(A)"], [CaseStatus.NEGOTIATING], 5),
    (["18 U.S.C. 641", "18 U.S.C. 1343"], [CaseStatus.TRIAL], 6),
]
CN_CASES = [
    (["刑法第264条（数额较大）"], [], 0),
    (["刑法第133条之一"], [CaseStatus.NEGOTIATING], 1),
    (["刑法第234条第1款"], [CaseStatus.NEGOTIATING, CaseStatus.AGREEMENT], 2),
    (["刑法第266条"], [CaseStatus.NEGOTIATING], 3),
    (
        ["刑法第264条（数额巨大）"],
        [CaseStatus.NEGOTIATING, CaseStatus.AGREEMENT, CaseStatus.PLEA_ENTERED],
        4,
    ),
    (["刑法第133条之一"], [], 5),
]


def _user(username: str, first: str, last: str, role: str, org: Organization | None) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@parley.test"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    profile_set(user=user, role_kind=role, organization=org)
    return user


def _statutes(
    jurisdiction: Jurisdiction,
    rows: list[tuple[Any, ...]],
    lesser: dict[str, list[str]],
    traits: dict[str, dict[str, Any]],
) -> None:
    for citation, title, klass, severity, lo, hi, mandatory, fine in rows:
        Statute.objects.update_or_create(
            jurisdiction=jurisdiction,
            citation=citation,
            defaults={
                "title": title,
                "offence_class": klass,
                "severity_rank": severity,
                "min_custody_months": lo,
                "max_custody_months": hi,
                "mandatory_minimum_months": mandatory,
                "max_fine": Decimal(fine) if fine else None,
                "translations": STATUTE_TRANSLATIONS.get(citation, {}),
                **traits.get(citation, {}),
            },
        )
    for greater, lessers in lesser.items():
        Statute.objects.get(jurisdiction=jurisdiction, citation=greater).lesser_included.set(
            Statute.objects.filter(jurisdiction=jurisdiction, citation__in=lessers)
        )


def _court(name: str, jurisdiction: Jurisdiction, tz: str, subdivision: str = "") -> Court:
    """The court, made once; `subdivision` is the state (or D.C.) where it sits, whose
    holidays are legal holidays for its deadlines (Fed. R. Crim. P. 45(a)(6)(C))."""
    existing = Court.objects.filter(name=name).first()
    if existing:
        if existing.subdivision != subdivision:
            existing.subdivision = subdivision
            existing.full_clean()
            existing.save(update_fields=["subdivision"])
        return existing
    org, _ = Organization.objects.get_or_create(
        name=DEMO_TEXT.get(jurisdiction.document_language, DEMO_TEXT["en"])["clerks_office"].format(
            court=name
        ),
        defaults={"kind": OrganizationKind.COURT, "jurisdiction": jurisdiction},
    )
    return case_services.court_create(
        name=name,
        jurisdiction=jurisdiction,
        time_zone=tz,
        organization=org,
        subdivision=subdivision,
    )


def _case(*, court: Court, **details: Any) -> None:
    """A case of `court`, its people acting in the court's language: what the system writes
    on their behalf (an offer's expiry deadline, a reason) reads in it too."""
    with translation.override(_language(court)):
        _case_in_language(court=court, **details)


def _case_in_language(
    *,
    court: Court,
    docket: str,
    caption: str,
    opened_on: dt.date,
    prosecutor: User,
    counsel: tuple[str, User],
    judge: User,
    clerk: User,
    defendant: Defendant,
    citations: list[str],
    path: list[CaseStatus],
    rounds: int = 1,
) -> None:
    case = case_services.case_open(
        court=court, docket_number=docket, caption=caption, by=prosecutor, opened_on=opened_on
    )
    party_services.participant_add(
        case=case, by=prosecutor, role=Role.DEFENDANT, defendant=defendant, start_date=opened_on
    )
    # Counsel and the judge are assigned by the court (cases.permissions).
    role, lawyer = counsel
    party_services.participant_add(
        case=case, by=clerk, role=role, user=lawyer, is_lead=True, start_date=opened_on
    )
    party_services.participant_add(
        case=case, by=clerk, role=Role.JUDGE, user=judge, is_lead=True, start_date=opened_on
    )
    for citation in citations:
        statute = Statute.objects.get(jurisdiction=court.jurisdiction, citation=citation)
        case_services.charge_add(case=case, statute=statute, by=prosecutor)
    _record(case, prosecutor=prosecutor, lawyer=lawyer, clerk=clerk, opened_on=opened_on)
    # The negotiation moves the case to negotiating, agreement and plea entered (see _negotiate).
    negotiated = [s for s in path if s in _NEGOTIATED]
    if negotiated:
        _negotiate(case, prosecutor, lawyer, judge, negotiated[-1], rounds=rounds)
    for to_status in path:
        if to_status in _NEGOTIATED:
            continue
        mover = prosecutor if to_status == CaseStatus.DISMISSED else judge
        case_services.case_transition(
            case=case, to_status=to_status, by=mover, reason=_text(court)["moved"]
        )


def _demo_pdf(title: str, lines: list[str], font: str = "Helvetica") -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER)
    pdf.setTitle(title)
    if font != "Helvetica":
        # reportlab's metrics of Adobe's CJK font; a demo file, not a signed document.
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    pdf.setFont("Helvetica-Bold" if font == "Helvetica" else font, 14)
    pdf.drawString(72, 720, title)
    pdf.setFont(font, 11)
    for n, line in enumerate(lines):
        pdf.drawString(72, 690 - 16 * n, line)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _record(case: Case, *, prosecutor: User, lawyer: User, clerk: User, opened_on: dt.date) -> None:
    """Notes behind each wall, the prosecution's discovery (two items disclosed before the first
    offer, one kept back) and a defense motion, in the words of the court's language."""
    text = _text(case.court)
    authors = {
        Visibility.PROSECUTION: prosecutor,
        Visibility.DEFENSE: lawyer,
        Visibility.SHARED: prosecutor,
        Visibility.COURT: clerk,
    }
    for visibility, author in authors.items():
        record_services.note_add(
            case=case, by=author, visibility=visibility, body=text["notes"][visibility]
        )
    index = record_services.document_upload(
        case=case,
        by=prosecutor,
        upload=SimpleUploadedFile(
            text["index_file"],
            _demo_pdf(
                text["index_heading"].format(docket=case.docket_number),
                text["index_lines"],
                text["pdf_font"],
            ),
        ),
        category=DocumentCategory.DISCOVERY,
        title=text["index_title"],
        visibility=Visibility.PROSECUTION,
    )
    record_services.disclosure_add(case=case, by=prosecutor, disclosed_on=opened_on, document=index)
    record_services.disclosure_add(
        case=case, by=prosecutor, disclosed_on=opened_on, description=text["disclosed"]
    )
    record_services.document_upload(
        case=case,
        by=prosecutor,
        upload=SimpleUploadedFile(text["witness_file"], text["witness_text"].encode()),
        category=DocumentCategory.EVIDENCE,
        title=text["witness_title"],
        visibility=Visibility.PROSECUTION,
    )
    record_services.document_upload(
        case=case,
        by=lawyer,
        upload=SimpleUploadedFile(
            text["motion_file"],
            _demo_pdf(text["motion_title"], text["motion_lines"], text["pdf_font"]),
        ),
        category=DocumentCategory.MOTION,
        title=text["motion_title"],
        visibility=Visibility.SHARED,
    )


_NEGOTIATED = (CaseStatus.NEGOTIATING, CaseStatus.AGREEMENT, CaseStatus.PLEA_ENTERED)


def _offer_input(case: Case, *, rationale: str) -> OfferInput:
    """A plausible prosecution offer: under the US profile the top count reduced where the
    catalogue has a lesser offence and the others dismissed, custody at the guideline range
    with acceptance; under the CN profile the sentence only, with the leniency reduction."""
    charges = list(case.charges.select_related("statute").order_by("count_number"))
    expires = timezone.now() + dt.timedelta(days=5)
    if case.court.jurisdiction.charges_negotiable:
        terms = []
        lesser = charges[0].statute.lesser_included.order_by("-severity_rank").first()
        if lesser is not None:
            terms.append(TermInput(charges[0].pk, TermDisposition.LESSER, lesser.pk))
        terms += [TermInput(c.pk, TermDisposition.DISMISS) for c in charges[1:]]
        data = OfferInput(
            terms=terms,
            offense_level=22,
            criminal_history_category="II",
            appeal_waiver=True,
            expires_at=expires,
            rationale=rationale,
        )
    else:
        # The baseline lies within the statutory range of the offence (2021 Guiding Opinions
        # on Sentencing, part II): midway, and no more than three years.
        statute = charges[0].statute
        top = statute.max_custody_months
        middle = (statute.min_custody_months + (top if top is not None else 120)) // 2
        data = OfferInput(
            baseline_months=max(statute.min_custody_months, min(36, middle)),
            leniency_stage="prosecution_review",
            expires_at=expires,
            rationale=rationale,
        )
    exposure = negotiation_selectors.exposure_of(
        case, negotiation_services.offer_contents_validate(case, Side.PROSECUTION, data), data
    )
    applicable = exposure.plea_applicable
    parameters = case.court.jurisdiction.parameters or {}
    data.custody_min_months = applicable.low or 0
    data.custody_max_months = (
        applicable.high if applicable.high is not None else data.custody_min_months
    )
    if parameters.get("recommendation_fixed_term"):
        # A fixed term (确定刑), at the most lenient end of the range.
        data.custody_max_months = data.custody_min_months
    if parameters.get("recommendation_fine_amount") and any(
        c.statute.fine_applies for c in charges
    ):
        data.fine = Decimal("5000")
    return data


def _negotiate(
    case: Case, prosecutor: User, lawyer: User, judge: User, until: str, *, rounds: int
) -> None:
    """Play a negotiation up to `until`: offers and counters, then the agreement, the
    checklist, the signatures, its submission and the court's acceptance. Nothing of it moves
    the case before the submission (the court reads the status): as parties do at a status
    conference, the prosecution first tells the court they are in plea discussions."""
    ns = negotiation_services
    text = _text(case.court)
    case_services.case_transition(
        case=case, to_status=CaseStatus.NEGOTIATING, by=prosecutor, reason=text["negotiating"]
    )
    offer = ns.offer_send(
        offer=ns.offer_create(
            case=case,
            by=prosecutor,
            data=_offer_input(case, rationale=text["first_offer"]),
        ),
        by=prosecutor,
    )
    for _ in range(rounds - 1):
        counter_data = _offer_input(case, rationale=text["counter"])
        counter_data.custody_min_months = max(0, (counter_data.custody_min_months or 0) // 2)
        counter_data.custody_max_months = counter_data.custody_min_months
        counter = ns.offer_counter(offer=offer, by=lawyer, data=counter_data)
        offer = ns.offer_counter(
            offer=counter,
            by=prosecutor,
            data=_offer_input(case, rationale=text["answer"]),
            response=text["response"],
        )
    if until == CaseStatus.NEGOTIATING:
        return
    agreement = ns.offer_accept(offer=offer, by=lawyer)
    jurisdiction = case.court.jurisdiction
    if agreement_rules.statement_needed(jurisdiction):
        # The demo's Chinese sentences are short: the expedited procedure where the profile
        # has it (CPL art. 222), else its first.
        procedures = agreement_rules.plea_procedures(jurisdiction)
        procedure = agreement_rules.item_named(procedures, "expedited") or (
            procedures[0] if procedures else None
        )
        ns.agreement_statement_set(
            agreement=agreement,
            by=prosecutor,
            procedure=procedure.code if procedure else "",
            appeal_limits=(
                text["appeal_limits"] if agreement_rules.appeal_limits_source(jurisdiction) else ""
            ),
        )
        agreement.refresh_from_db()
    ns.agreement_checklist_complete(
        agreement=agreement,
        by=lawyer,
        items={
            item.code: True
            for item in agreement_rules.checklist_items_for(jurisdiction, agreement.terms)
        },
        interpreter_used=agreement.interpreter_needed,
        interpreter_name=text["interpreter"] if agreement.interpreter_needed else "",
    )
    ns.agreement_sign(agreement=agreement, by=lawyer, on_behalf_of_defendant=True)
    ns.agreement_sign(agreement=agreement, by=lawyer)
    ns.agreement_sign(agreement=agreement, by=prosecutor)
    ns.agreement_submit(agreement=agreement, by=prosecutor)
    if until == CaseStatus.AGREEMENT:
        return
    ns.agreement_review(
        agreement=agreement,
        by=judge,
        decision=agreement_rules.ACCEPT,
        reasons=text["accepted"],
    )


# The hearing each stage of a case is waiting for.
_NEXT_HEARING = {
    CaseStatus.INTAKE: HearingKind.ARRAIGNMENT,
    CaseStatus.NEGOTIATING: HearingKind.STATUS_CONFERENCE,
    CaseStatus.AGREEMENT: HearingKind.PLEA_HEARING,
    CaseStatus.PLEA_ENTERED: HearingKind.SENTENCING,
    CaseStatus.TRIAL: HearingKind.TRIAL,
}


def _court_dates(court: Court, clerk: User, judge: User, rooms: list[str]) -> None:
    with translation.override(_language(court)):
        _court_dates_in_language(court, clerk, judge, rooms)


def _court_dates_in_language(court: Court, clerk: User, judge: User, rooms: list[str]) -> None:
    """Courtrooms, a closure day, the next hearing of every open case over the coming two
    weeks (on court days, in the court's time zone), and its deadlines: the Speedy Trial Act
    limit or the expedited-procedure limit computed by rule, and discovery due by hand."""
    text = _text(court)
    courtrooms = [date_services.courtroom_create(court=court, by=clerk, name=n) for n in rooms]
    calendar = calendar_for_court(court)
    today = case_services.court_today(court)
    closure = calendar.next_court_day(today + dt.timedelta(days=9))
    date_services.closure_add(court=court, by=clerk, date=closure, reason=text["closure"])
    calendar = calendar_for_court(court)
    zone = zoneinfo.ZoneInfo(court.time_zone)
    speedy = DeadlineRule.objects.filter(
        code__in=["us-usc-3161c1-trial", "cn-cpl-172-expedited-review"],
        jurisdiction=court.jurisdiction_id,
    ).first()
    day, n = today, -1
    for case in court.cases.order_by("id"):
        kind = _NEXT_HEARING.get(CaseStatus(case.status))
        if kind is None:
            continue
        n += 1
        if n % 3 == 0:
            day = calendar.next_court_day(day)
        starts = dt.datetime.combine(day, dt.time(9 + n % 3 * 2, 30), tzinfo=zone)
        date_services.hearing_schedule(
            case=case,
            by=clerk,
            kind=kind,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            courtroom=courtrooms[n % len(courtrooms)],
            judge=judge,
        )
        if case.status in (CaseStatus.INTAKE, CaseStatus.NEGOTIATING):
            if speedy is not None:
                date_services.deadline_create(
                    case=case,
                    by=clerk,
                    kind=speedy.kind,
                    title=speedy.name,
                    responsible_side=speedy.responsible_side,
                    rule=speedy,
                    trigger_date=max(case.opened_on, today - dt.timedelta(days=3)),
                )
            date_services.deadline_create(
                case=case,
                by=clerk,
                kind=DeadlineKind.DISCOVERY_DUE,
                title=text["discovery_due"],
                responsible_side=Side.PROSECUTION,
                due_date=calendar.next_court_day(today + dt.timedelta(days=3 + n % 7)),
            )


@transaction.atomic
def seed_demo() -> bool:
    """Load the demo. Returns False when it was already there."""
    profiles = jurisdiction_profiles_load()
    us, cn = profiles["us-fed"], profiles["cn"]
    if Case.objects.filter(docket_number="1:26-cr-00101").exists():
        return False

    orgs = {
        "usao": Organization.objects.get_or_create(
            name="U.S. Attorney's Office, District of Columbia",
            defaults={"kind": OrganizationKind.PROSECUTOR_OFFICE, "jurisdiction": us},
        )[0],
        "fpd": Organization.objects.get_or_create(
            name="Federal Public Defender, District of Columbia",
            defaults={"kind": OrganizationKind.PUBLIC_DEFENDER, "jurisdiction": us},
        )[0],
        "firm": Organization.objects.get_or_create(
            name="Hale & Ortiz LLP",
            defaults={"kind": OrganizationKind.PRIVATE_FIRM, "jurisdiction": us},
        )[0],
        "procuratorate": Organization.objects.get_or_create(
            name="北京市海淀区人民检察院",
            defaults={"kind": OrganizationKind.PROSECUTOR_OFFICE, "jurisdiction": cn},
        )[0],
        "legal_aid": Organization.objects.get_or_create(
            name="北京市海淀区法律援助中心",
            defaults={"kind": OrganizationKind.LEGAL_AID, "jurisdiction": cn},
        )[0],
    }
    us_court = _court(
        "U.S. District Court for the District of Columbia", us, "America/New_York", "DC"
    )
    cn_court = _court("北京市海淀区人民法院", cn, "Asia/Shanghai")
    _statutes(us, US_STATUTES, US_LESSER, US_STATUTE_TRAITS)
    _statutes(cn, CN_STATUTES, CN_LESSER, CN_STATUTE_TRAITS)

    prosecutor = _user("prosecutor", "Paula", "Reyes", Role.PROSECUTOR, orgs["usao"])
    defense = _user("defense", "David", "Kim", Role.DEFENSE_COUNSEL, orgs["fpd"])
    private = _user("hale", "Miriam", "Hale", Role.DEFENSE_COUNSEL, orgs["firm"])
    judge = _user("judge", "Eleanor", "Marsh", Role.JUDGE, us_court.organization)
    clerk = _user("clerk", "Carlos", "Mendez", Role.COURT_STAFF, us_court.organization)
    supervisor = _user("supervisor", "Grace", "Whitfield", Role.PROSECUTOR, orgs["usao"])
    supervisor.profile.is_supervisor = True
    supervisor.profile.save(update_fields=["is_supervisor"])
    defendant_user = _user("defendant", "Marcus", "Bell", Role.DEFENDANT, None)
    cn_prosecutor = _user("cn_prosecutor", "明", "赵", Role.PROSECUTOR, orgs["procuratorate"])
    duty = _user("dutylawyer", "丽", "孙", Role.DUTY_LAWYER, orgs["legal_aid"])
    cn_judge = _user("cn_judge", "华", "周", Role.JUDGE, cn_court.organization)
    cn_clerk = _user("cn_clerk", "军", "吴", Role.COURT_STAFF, cn_court.organization)
    for member, court in (
        (judge, us_court),
        (clerk, us_court),
        (cn_judge, cn_court),
        (cn_clerk, cn_court),
    ):
        case_services.court_member_add(court=court, user=member)
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()

    us_defendants = [
        Defendant.objects.create(
            first_name=first,
            last_name=last,
            custody_status=custody,
            preferred_language=lang,
            interpreter_needed=lang != "English",
            citizenship_status=citizenship,
            date_of_birth=dt.date(1975 + 3 * i, 1 + i, 10 + i),
            created_by=prosecutor,
        )
        for i, (first, last, custody, lang, citizenship) in enumerate(US_DEFENDANTS)
    ]
    us_defendants[0].user = defendant_user
    us_defendants[0].save(update_fields=["user"])
    cn_defendants = [
        Defendant.objects.create(
            first_name=first,
            last_name=last,
            preferred_language="汉语",
            citizenship_status=CitizenshipStatus.CITIZEN,
            custody_status=CustodyStatus.RELEASED,
            date_of_birth=dt.date(1980 + 2 * i, 2 + i, 3 + i),
            created_by=cn_prosecutor,
        )
        for i, (first, last) in enumerate(CN_DEFENDANTS)
    ]

    start = dt.date(2026, 9, 1)
    for n, (citations, path, who) in enumerate(US_CASES):
        defendant = us_defendants[who]
        lawyer = defense if n % 3 else private
        _case(
            court=us_court,
            docket=f"1:26-cr-{101 + n:05d}",
            caption=f"United States v. {defendant.full_name}",
            opened_on=start + dt.timedelta(days=4 * n),
            prosecutor=prosecutor,
            counsel=(Role.DEFENSE_COUNSEL, lawyer),
            judge=judge,
            clerk=clerk,
            defendant=defendant,
            citations=citations,
            path=path,
            # The defendant's own case shows a negotiation of three rounds.
            rounds=3 if n == 0 else 1,
        )
    for n, (citations, path, who) in enumerate(CN_CASES):
        defendant = cn_defendants[who]
        _case(
            court=cn_court,
            docket=f"(2026)京0108刑初{201 + n}号",
            caption=f"北京市海淀区人民检察院诉{defendant.last_name}{defendant.first_name}",
            opened_on=start + dt.timedelta(days=5 * n),
            prosecutor=cn_prosecutor,
            counsel=(Role.DUTY_LAWYER, duty),
            judge=cn_judge,
            clerk=cn_clerk,
            defendant=defendant,
            citations=citations,
            path=path,
        )
    # The office supervisor follows two of the office's cases and hears of every missed deadline.
    for case in us_court.cases.order_by("id")[:2]:
        party_services.participant_add(
            case=case,
            by=prosecutor,
            role=Role.PROSECUTOR,
            user=supervisor,
            start_date=case.opened_on,
        )
    _court_dates(us_court, clerk, judge, ["Courtroom 4B", "Courtroom 12", "Courtroom 19"])
    _court_dates(cn_court, cn_clerk, cn_judge, ["第三法庭", "第五法庭"])
    # The court's docket system, ready for a token (Integrations, signed in as the clerk).
    integration_services.api_client_create(
        court=us_court, name="D.C. docket system", owner=clerk, by=clerk
    )
    return True
