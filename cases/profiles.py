"""The jurisdiction profiles Parley ships with. Loaded by a data migration and by seed_demo."""

from __future__ import annotations

from typing import Any

from cases.models import Jurisdiction

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
            # Local rules: the earlier the plea, the larger the reduction it may earn.
            "leniency_stage_tiers": {
                "investigation": 0.30,
                "prosecution_review": 0.20,
                "trial": 0.10,
            },
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


def jurisdiction_profiles_load() -> dict[str, Jurisdiction]:
    """Create or refresh the shipped profiles; idempotent."""
    loaded = {}
    for code, fields in PROFILES.items():
        loaded[code], _ = Jurisdiction.objects.update_or_create(code=code, defaults=fields)
    return loaded
