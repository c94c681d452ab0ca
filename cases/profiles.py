"""The jurisdiction profiles Parley ships with. Loaded by a data migration and by seed_demo."""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_noop

from cases.models import Jurisdiction

# --- the plea agreement and the court's review --------------------------------------------------
#
# Labels are English, marked for translation (shown through gettext); `text` is the statute's
# own words where they are Chinese, shown beside the label; `source` is the citation shown with
# each item. Codes are stable: agreements store them.

# Fed. R. Crim. P. 11(b)(1): "the court must inform the defendant of, and determine that the
# defendant understands, the following: (A) the government's right, in a prosecution for perjury
# or false statement, to use against the defendant any statement that the defendant gives under
# oath; (B) the right to plead not guilty ...; (C) the right to a jury trial; (D) the right to be
# represented by counsel ...; (E) the right at trial to confront and cross-examine adverse
# witnesses, to be protected from compelled self-incrimination, to testify and present evidence,
# and to compel the attendance of witnesses; (F) the defendant's waiver of these trial rights if
# the court accepts a plea of guilty or nolo contendere; (G) the nature of each charge to which
# the defendant is pleading; (H) any maximum possible penalty, including imprisonment, fine, and
# term of supervised release; (I) any mandatory minimum penalty; (J) any applicable forfeiture;
# (K) the court's authority to order restitution; (L) the court's obligation to impose a special
# assessment; (M) in determining a sentence, the court's obligation to calculate the applicable
# sentencing-guideline range and to consider that range, possible departures under the
# Sentencing Guidelines, and other sentencing factors under 18 U.S.C. §3553(a); (N) the terms
# of any plea-agreement provision waiving the right to appeal or to collaterally attack the
# sentence; and (O) that, if convicted, a defendant who is not a United States citizen may be
# removed from the United States, denied citizenship, and denied admission to the United States
# in the future." Rule 11(b)(2): the plea must not result from "force, threats, or promises
# (other than promises in a plea agreement)".
US_CHECKLIST = [
    {
        "code": "perjury_use_explained",
        "label": gettext_noop(
            "The government may use the defendant's statements under oath in a prosecution "
            "for perjury or false statement"
        ),
        "source": "Fed. R. Crim. P. 11(b)(1)(A)",
    },
    {
        "code": "rights_explained",
        "label": gettext_noop(
            "Rights explained (to plead not guilty, a jury trial, counsel, confrontation, "
            "silence, to testify and call witnesses) and that the plea waives the trial rights"
        ),
        "source": "Fed. R. Crim. P. 11(b)(1)(B)-(F)",
    },
    {
        "code": "charges_and_sentence_explained",
        "label": gettext_noop("The nature of each charge pled to, and the sentence recommended"),
        "source": "Fed. R. Crim. P. 11(b)(1)(G)",
    },
    {
        "code": "maximum_penalty_explained",
        "label": gettext_noop(
            "The maximum possible penalty, including imprisonment, fine, and term of "
            "supervised release"
        ),
        "source": "Fed. R. Crim. P. 11(b)(1)(H)",
    },
    {
        "code": "mandatory_minimum_explained",
        "label": gettext_noop("Any mandatory minimum penalty"),
        "source": "Fed. R. Crim. P. 11(b)(1)(I)",
    },
    {
        "code": "forfeiture_restitution_assessment_explained",
        "label": gettext_noop(
            "Any forfeiture, the court's authority to order restitution, and the special assessment"
        ),
        "source": "Fed. R. Crim. P. 11(b)(1)(J)-(L)",
    },
    {
        "code": "guidelines_explained",
        "label": gettext_noop(
            "The court calculates and considers the guideline range, possible departures and "
            "the factors of 18 U.S.C. 3553(a)"
        ),
        "source": "Fed. R. Crim. P. 11(b)(1)(M)",
    },
    {
        "code": "appeal_waiver_explained",
        "label": gettext_noop(
            "The terms of the waiver of the right to appeal or collaterally attack"
        ),
        "source": "Fed. R. Crim. P. 11(b)(1)(N)",
        # Only an agreement with the appeal-waiver condition has terms to explain.
        "applies_if": {"condition": "appeal_waiver"},
    },
    {
        "code": "immigration_consequences_explained",
        "label": gettext_noop(
            "Immigration consequences: a defendant who is not a citizen may be removed, denied "
            "citizenship and denied admission"
        ),
        "source": "Fed. R. Crim. P. 11(b)(1)(O); Padilla v. Kentucky, 559 U.S. 356 (2010)",
    },
    {
        "code": "employment_consequences_explained",
        "label": gettext_noop("Employment consequences explained"),
        "source": "Padilla v. Kentucky, 559 U.S. 356 (2010) (collateral consequences)",
    },
    {
        "code": "licence_consequences_explained",
        "label": gettext_noop("Licence consequences explained"),
        "source": "Padilla v. Kentucky, 559 U.S. 356 (2010) (collateral consequences)",
    },
    {
        "code": "fine_consequences_explained",
        "label": gettext_noop("Fines and financial consequences explained"),
        "source": "Fed. R. Crim. P. 11(b)(1)(H), (K), (L)",
    },
    {
        # USSG §5E1.2(a): "The court shall impose a fine in all cases, except where the
        # defendant establishes that he is unable to pay and is not likely to become able to
        # pay any fine." 18 U.S.C. 3572(a)(1): the court considers "the defendant's income,
        # earning capacity, and financial resources".
        "code": "ability_to_pay_assessed",
        "label": gettext_noop("The defendant's ability to pay a fine was discussed with them"),
        "source": "USSG §5E1.2(a); 18 U.S.C. 3572(a)(1)",
    },
    {
        "code": "no_promises_outside_agreement",
        "label": gettext_noop("No force, threats or promises outside the agreement"),
        "source": "Fed. R. Crim. P. 11(b)(2)",
    },
]

# CPL art. 173(2): "犯罪嫌疑人认罪认罚的，人民检察院应当告知其享有的诉讼权利和认罪认罚的法律规定";
# art. 174(1): "犯罪嫌疑人自愿认罪，同意量刑建议和程序适用的，应当在辩护人或者值班律师在场的情况下
# 签署认罪认罚具结书。" The SPC Provisions on Property Penalties (2000), art. 2: the court fixes a
# fine "综合考虑犯罪分子缴纳罚金的能力".
CN_CHECKLIST = [
    {
        "code": "rights_explained",
        "label": gettext_noop(
            "Procedural rights and the law on admitting guilt and accepting punishment explained"
        ),
        "text": "告知其享有的诉讼权利和认罪认罚的法律规定",
        "source": "CPL art. 173(2)",
    },
    {
        "code": "charges_and_sentence_explained",
        "label": gettext_noop("The charge and the sentencing recommendation explained"),
        "text": "同意量刑建议",
        "source": "CPL art. 174(1)",
    },
    {
        "code": "procedure_explained",
        "label": gettext_noop("The procedure the case will be tried under explained"),
        "text": "同意……程序适用",
        "source": "CPL art. 174(1)",
    },
    {
        "code": "ability_to_pay_assessed",
        "label": gettext_noop(
            "The defendant's ability to pay the fine recommended was discussed with them"
        ),
        "text": "综合考虑犯罪分子缴纳罚金的能力",
        "source": "SPC Provisions on Property Penalties (2000), art. 2",
        "applies_if": {"sentence": "fine"},
    },
    {
        "code": "voluntariness_confirmed",
        "label": gettext_noop(
            "The defendant admits guilt and accepts punishment of their own will"
        ),
        "text": "自愿认罪",
        "source": "CPL arts. 174(1), 201(1)(2)",
    },
]

# CPL art. 201(1): "对于认罪认罚案件，人民法院依法作出判决时，一般应当采纳人民检察院指控的罪名和
# 量刑建议，但有下列情形的除外：(一)被告人的行为不构成犯罪或者不应当追究其刑事责任的；(二)被告人
# 违背意愿认罪认罚的；(三)被告人否认指控的犯罪事实的；(四)起诉指控的罪名与审理认定的罪名不一致的；
# (五)其他可能影响公正审判的情形。"
CPL_201_GROUNDS = [
    {
        "code": "not_a_crime",
        "label": gettext_noop(
            "The accused's act is not a crime, or criminal responsibility is not to be pursued"
        ),
        "text": "被告人的行为不构成犯罪或者不应当追究其刑事责任的",
        "source": "CPL art. 201(1)(i)",
    },
    {
        "code": "involuntary",
        "label": gettext_noop(
            "The accused admitted guilt and accepted punishment against their will"
        ),
        "text": "被告人违背意愿认罪认罚的",
        "source": "CPL art. 201(1)(ii)",
    },
    {
        "code": "facts_denied",
        "label": gettext_noop("The accused denies the criminal facts charged"),
        "text": "被告人否认指控的犯罪事实的",
        "source": "CPL art. 201(1)(iii)",
    },
    {
        "code": "charge_differs",
        "label": gettext_noop(
            "The charge in the indictment differs from the offence found at trial"
        ),
        "text": "起诉指控的罪名与审理认定的罪名不一致的",
        "source": "CPL art. 201(1)(iv)",
    },
    {
        "code": "fair_trial",
        "label": gettext_noop("Another circumstance that may affect a fair trial"),
        "text": "其他可能影响公正审判的情形",
        "source": "CPL art. 201(1)(v)",
    },
]

# CPL art. 201(2): "人民法院经审理认为量刑建议明显不当，或者被告人、辩护人对量刑建议提出异议的，
# 人民检察院可以调整量刑建议。人民检察院不调整量刑建议或者调整量刑建议后仍然明显不当的，人民法院
# 应当依法作出判决。"
CPL_201_ADJUST = {
    "source": "CPL art. 201(2)",
    "grounds": [
        {
            "code": "clearly_inappropriate",
            "label": gettext_noop(
                "The court finds the sentencing recommendation clearly inappropriate"
            ),
            "text": "人民法院经审理认为量刑建议明显不当",
            "source": "CPL art. 201(2)",
        },
        {
            "code": "defense_objection",
            "label": gettext_noop(
                "The accused or defense counsel objects to the sentencing recommendation"
            ),
            "text": "被告人、辩护人对量刑建议提出异议",
            "source": "CPL art. 201(2)",
        },
    ],
}

# CPL art. 174(1): the suspect agrees to the sentencing recommendation "和程序适用" (and to the
# procedure applied); the 2018 CPL's procedures of first instance for a public prosecution.
CN_PLEA_PROCEDURES = [
    {
        "code": "expedited",
        "label": gettext_noop("Fast-track procedure"),
        "text": "速裁程序",
        "source": "CPL arts. 222-226",
    },
    {
        "code": "summary",
        "label": gettext_noop("Summary procedure"),
        "text": "简易程序",
        "source": "CPL arts. 214-221",
    },
    {
        "code": "ordinary",
        "label": gettext_noop("Ordinary procedure"),
        "text": "普通程序",
        "source": "CPL part three, chapter II, section 1",
    },
]

PROFILES: dict[str, dict[str, Any]] = {
    "us-fed": {
        "name": "United States federal courts",
        "country": "US",
        "holiday_calendar": "US",
        "charges_negotiable": True,
        "sentence_negotiable": True,
        "witness_required_for_signing": False,
        # Fed. R. Crim. P. 11(c)(1): the court must not participate in plea discussions.
        "court_sees_offers_before_agreement": False,
        "parameters": {
            # The language (a code of settings.LANGUAGES) its documents are drawn up in, and
            # the one its people see until they choose another (docs/translating.md).
            "document_language": "en",
            "document_paper": "letter",
            "guidelines": "USSG Chapter 5, Part A sentencing table",
            # USSG 3E1.1(a) and (b).
            "acceptance_of_responsibility_levels": 2,
            "acceptance_extra_level_on_motion": 1,
            "acceptance_extra_level_min_offense_level": 16,
            # USSG Ch. 5, Pt. A (zones as revised by amendment 738, 2010): a range's zone is
            # the first whose bound its minimum does not exceed. Zone A: minimum 0; B: 1-9
            # months; C: 10-12; D: above.
            "sentencing_zones": [
                {
                    "zone": "A",
                    "max_minimum_months": 0,
                    "probation": True,
                    "probation_with_confinement": True,
                    "split_sentence": True,
                    "source": "USSG §5B1.1(a)(1), §5C1.1(b)",
                },
                {
                    "zone": "B",
                    "max_minimum_months": 9,
                    "probation": False,
                    "probation_with_confinement": True,
                    "split_sentence": True,
                    "split_min_imprisonment_months": 1,
                    "source": "USSG §5B1.1(a)(2), §5C1.1(c)",
                },
                {
                    "zone": "C",
                    "max_minimum_months": 12,
                    "probation": False,
                    "probation_with_confinement": False,
                    "split_sentence": True,
                    "split_min_imprisonment_share": "0.5",
                    "source": "USSG §5C1.1(d)",
                },
                {
                    "zone": "D",
                    "max_minimum_months": None,
                    "probation": False,
                    "probation_with_confinement": False,
                    "split_sentence": False,
                    "source": "USSG §5C1.1(f)",
                },
            ],
            # The plea agreement and the court's review (negotiations.agreement_rules).
            # Fed. R. Crim. P. 11(c)(3)(A): "the court may accept the agreement, reject it, or
            # defer a decision"; 11(c)(5): a rejection is stated on the record. No list of
            # grounds, no adjustment.
            "review_outcomes": ["accept", "reject"],
            "review_source": "Fed. R. Crim. P. 11(c)(3)-(5)",
            "rejection_grounds": [],
            "review_adjust": None,
            "plea_procedures": [],
            "appeal_limits_recorded": None,
            "checklist_items": US_CHECKLIST,
            # USSG §5B1.1(b)(1): "A sentence of probation may not be imposed in the event:
            # (1) the offense of conviction is a Class A or B felony, 18 U.S.C. § 3561(a)(1)";
            # 18 U.S.C. 3559(a)(1)-(2): life imprisonment (or death) is Class A, a maximum of
            # twenty-five years or more is Class B.
            "probation_precluded": {
                "max_custody_months_at_least": 300,
                "source": "USSG §5B1.1(b)(1); 18 U.S.C. 3561(a)(1), 3559(a)(1)-(2)",
            },
            # How deadlines are counted (deadlines.computation.Counting).
            "deadline_counting": {
                "counting_citation": "Rule 45(a)(1)(A)",
                # Fed. R. Crim. P. 45(a)(3)(A): the clerk's office inaccessible on the last day
                # extends the time to the first accessible day that is not a Saturday, Sunday
                # or legal holiday, forward even for a period counted backward (2009 note).
                "closure_extends_forward": True,
                "closure_citation": "Rule 45(a)(3)(A)",
                # Fed. R. Crim. P. 45(a)(6)(C): a state's holidays are legal holidays only
                # "for periods that are measured after an event".
                "subdivision_holidays_after_only": True,
                "holiday_extension_suspended_in_custody": False,
            },
        },
    },
    "cn": {
        "name": "People's Republic of China",
        "country": "CN",
        "holiday_calendar": "CN",
        # 认罪认罚从宽 (2018 CPL): only the sentence is negotiated, never the charge.
        "charges_negotiable": False,
        "sentence_negotiable": True,
        # CPL art. 174: the plea statement is signed before defense counsel or a duty lawyer.
        "witness_required_for_signing": True,
        "court_sees_offers_before_agreement": False,
        "parameters": {
            # CPL art. 9: proceedings in the language in common use locally; documents of a
            # Chinese court are in Chinese.
            "document_language": "zh-hans",
            "document_paper": "A4",
            # 2021 Guiding Opinions on Sentencing for Common Crimes.
            "leniency_max_reduction": 0.30,
            "leniency_max_reduction_with_circumstances": 0.60,
            # With any of these the cap is leniency_max_reduction_with_circumstances.
            "leniency_circumstances": [
                "surrender",
                "major_confession",
                "restitution",
                "compensation_forgiveness",
                "reconciliation",
            ],
            # III(14): with one of those circumstances "犯罪较轻的，可以减少基准刑的60%以上或者
            # 依法免除处罚": a minor crime may earn more than 60% off, or exemption.
            "leniency_minor_crime_max_reduction": 1.0,
            # Part II: the starting point (量刑起点) and so the baseline lie within the
            # statutory range of the offence. The value is the source, cited in the error.
            "baseline_within_statutory_range": (
                "Guiding Opinions on Sentencing for Common Crimes (2021), part II"
            ),
            # Recommendations are normally a fixed term (确定刑), with the fine's amount where
            # the offence carries a fine: 2019 Guiding Opinions on the leniency system, art.
            # 33; SPP Guiding Opinions on sentencing recommendations in leniency cases (2021).
            "recommendation_fixed_term": "2019 Guiding Opinions on the leniency system, art. 33",
            "recommendation_fine_amount": ("2019 Guiding Opinions on the leniency system, art. 33"),
            # Criminal Law art. 69 (as amended 2015): "判决宣告以前一人犯数罪的，除判处死刑和无期
            # 徒刑的以外，应当在总和刑期以下、数刑中最高刑期以上，酌情决定执行的刑期，但是管制最高
            # 不能超过三年，拘役最高不能超过一年，有期徒刑总和刑期不满三十五年的，最高不能超过二十
            # 年，总和刑期在三十五年以上的，最高不能超过二十五年。数罪中有判处有期徒刑和拘役的，执行
            # 有期徒刑。"
            "combined_punishment_caps": {
                "source": "Criminal Law art. 69",
                "tiers": {
                    "imprisonment": [
                        {"total_below_months": 420, "cap_months": 240},
                        {"total_below_months": None, "cap_months": 300},
                    ],
                    "criminal_detention": [{"total_below_months": None, "cap_months": 12}],
                    "public_surveillance": [{"total_below_months": None, "cap_months": 36}],
                },
                "absorbing_kind": "imprisonment",
                "absorbed_kinds": ["criminal_detention"],
            },
            # Local rules: the earlier the plea, the larger the reduction it may earn.
            "leniency_stage_tiers": {
                "investigation": 0.30,
                "prosecution_review": 0.20,
                "trial": 0.10,
            },
            # The plea agreement and the court's review (negotiations.agreement_rules).
            # CPL art. 201(1): the court generally adopts the charge and recommendation unless
            # a listed ground applies; art. 201(2): it may have the procuratorate adjust it.
            "review_outcomes": ["accept", "reject", "adjust"],
            "review_source": "CPL art. 201",
            "rejection_grounds": CPL_201_GROUNDS,
            "review_adjust": CPL_201_ADJUST,
            # CPL art. 174(1): the plea statement names the procedure agreed to.
            "plea_procedures": CN_PLEA_PROCEDURES,
            "appeal_limits_recorded": None,
            "checklist_items": CN_CHECKLIST,
            # How deadlines are counted (deadlines.computation.Counting).
            "deadline_counting": {
                # CPL art. 105: the day the period starts is not counted.
                "counting_citation": "CPL art. 105",
                "closure_extends_forward": False,
                "subdivision_holidays_after_only": False,
                # CPL art. 105: "期间的最后一日为节假日的，以节假日后的第一日为期满日期，
                # 但犯罪嫌疑人、被告人或者罪犯在押期间，应当至期满之日为止，
                # 不得因节假日而延长。"
                "holiday_extension_suspended_in_custody": True,
                "custody_citation": "《刑事诉讼法》第一百零五条 (CPL art. 105)",
            },
        },
    },
}


def _cn_reform() -> dict[str, Any]:
    """The reform proposal (Kelin Meng, 2023, doi:10.56397/LE.2023.09.04) over current CN law:
    here, what it changes about the agreement and its review. "The signed agreement limits
    appeal; the court recognises the agreement except for listed grounds": the listed grounds
    are CPL art. 201's, and the court may still have the recommendation adjusted."""
    profile = copy.deepcopy(PROFILES["cn"])
    profile["name"] = "People's Republic of China (reform proposal, Meng 2023)"
    parameters = profile["parameters"]
    parameters["review_source"] = "Meng (2023); CPL art. 201"
    parameters["appeal_limits_recorded"] = "Meng (2023), doi:10.56397/LE.2023.09.04"
    parameters["checklist_items"] = [
        *CN_CHECKLIST,
        {
            "code": "appeal_limits_explained",
            "label": gettext_noop("The limits on appeal that the agreement records"),
            "source": "Meng (2023), doi:10.56397/LE.2023.09.04",
        },
    ]
    return profile


PROFILES.setdefault("cn-reform", _cn_reform())


def jurisdiction_profiles_load() -> dict[str, Jurisdiction]:
    """Create or refresh the shipped profiles; idempotent."""
    loaded = {}
    for code, fields in PROFILES.items():
        loaded[code], _ = Jurisdiction.objects.update_or_create(code=code, defaults=fields)
    return loaded
