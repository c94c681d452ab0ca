"""Courts, jurisdiction profiles, the statute catalogue, cases and charges."""

from __future__ import annotations

import zoneinfo

import holidays
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.choices import ChoiceLabels
from core.text import in_language


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("%(zone)s is not a known IANA time zone.") % {"zone": repr(value)}
        )


def holiday_subdivisions(calendar: str) -> tuple[str, ...]:
    """The subdivisions (US states, D.C., territories) the `holidays` package knows for a
    holiday calendar; none for no calendar or one it does not know."""
    if not calendar:
        return ()
    try:
        return tuple(holidays.country_holidays(calendar).subdivisions)
    except NotImplementedError:
        return ()


class Audience(models.TextChoices):
    """The walls of a case: who may read what sits behind one (cases.permissions decides who
    stands behind which). The audit trail (audit.models) and the record file data behind them."""

    SHARED = "shared", _("Everyone on the case")
    PROSECUTION = "prosecution", _("Prosecution only")
    DEFENSE = "defense", _("Defense only")
    COURT = "court", _("Court only")
    NEGOTIATION = "negotiation", _("Those who read the negotiation")
    # A row whose wall could not be worked out (its parent was gone): nobody on the case.
    RESTRICTED = "restricted", _("Operators only")


class Jurisdiction(models.Model):
    """A jurisdiction profile: what may be negotiated there and how a plea is signed.

    Rules that differ between legal systems are data here, never branches in code.
    """

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text=_("ISO 3166-1 alpha-2"))
    holiday_calendar = models.CharField(
        max_length=16, blank=True, help_text=_("Country code for the `holidays` package")
    )
    charges_negotiable = models.BooleanField(
        help_text=_("Whether charges may be dismissed or reduced in a plea offer.")
    )
    sentence_negotiable = models.BooleanField(default=True)
    witness_required_for_signing = models.BooleanField(
        default=False,
        help_text=_(
            "Plea must be signed before defense counsel or a duty lawyer "
            "(China: Criminal Procedure Law art. 174)."
        ),
    )
    court_sees_offers_before_agreement = models.BooleanField(
        default=False,
        help_text=_(
            "US federal: false; the court stays out of negotiations (Fed. R. Crim. P. 11(c)(1))."
        ),
    )
    parameters = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "The profile's rules: who negotiates, what is negotiable, sentencing and deadline "
            "counting (cases/data/profiles.schema.json, docs/profiles.md)."
        ),
    )
    sources = models.JSONField(
        default=dict,
        blank=True,
        db_default=Value({}, output_field=models.JSONField()),
        help_text=_("Where each rule of the profile comes from, by field or parameter name."),
    )
    profile_version = models.PositiveIntegerField(
        default=0,
        db_default=0,
        help_text=_("The version of cases/data/profiles.json this profile was loaded from."),
    )
    # The profile's name in other languages: {"zh-hans": {"name": "美国联邦法院"}}
    # (core.text.in_language).
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        db_default=Value({}, output_field=models.JSONField()),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name_shown

    @property
    def name_shown(self) -> str:
        return in_language(self.translations, "name", self.name)

    @property
    def document_language(self) -> str:
        """The language (a code of settings.LANGUAGES) its agreements are drawn up in: the
        profile's `document_language`, else the site's."""
        language = str(self.parameters.get("document_language", ""))
        return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE

    @property
    def paper_size(self) -> str:
        """ "A4" or "letter": the paper its documents are printed on (profile data)."""
        return "letter" if self.parameters.get("document_paper") == "letter" else "A4"


class Court(models.Model):
    name = models.CharField(max_length=200, unique=True)
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="courts")
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    # Fed. R. Crim. P. 45(a)(6)(C): "legal holiday" includes, for periods measured after an
    # event, "any other day declared a holiday by the state where the district court is
    # located". Validated in clean() against the jurisdiction's holiday calendar.
    subdivision = models.CharField(
        _("state or district"),
        max_length=8,
        blank=True,
        db_default="",  # rows written outside the ORM (bench/seed.py)
        help_text=_(
            "Where the court sits, as the holiday calendar names it (e.g. NY, CA, DC): its "
            "holidays are legal holidays in computing deadlines (Fed. R. Crim. P. 45(a)(6)(C))."
        ),
    )
    organization = models.OneToOneField(
        "parties.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="court",
    )
    # Judges and court staff are members; the group holds view permission on the court's cases.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="court")
    # Its members (judges and staff) sign in with a second factor (accounts.mfa).
    mfa_required = models.BooleanField(
        _("requires two-factor sign-in"),
        default=False,
        help_text=_("Judges and court staff of this court must sign in with a one-time code."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        self.subdivision = self.subdivision.strip().upper()
        if not self.subdivision or self.jurisdiction_id is None:
            return
        calendar = self.jurisdiction.holiday_calendar
        known = holiday_subdivisions(calendar)
        if self.subdivision not in known:
            if known:
                message = gettext(
                    "%(subdivision)s is not a subdivision of the %(calendar)s holiday "
                    "calendar; choose one of %(known)s."
                ) % {
                    "subdivision": self.subdivision,
                    "calendar": calendar,
                    "known": ", ".join(known),
                }
            else:
                message = gettext(
                    "This jurisdiction's holiday calendar has no subdivisions; leave it empty."
                )
            raise ValidationError({"subdivision": message})


class OffenceClass(models.TextChoices):
    FELONY = "felony", _("Felony")
    MISDEMEANOR = "misdemeanor", _("Misdemeanor")
    INFRACTION = "infraction", _("Infraction")
    SERIOUS = "serious", _("Serious crime")
    ORDINARY = "ordinary", _("Ordinary crime")


class PenaltyKind(models.TextChoices):
    """The custodial penalty a statute's range of months is in."""

    IMPRISONMENT = "imprisonment", _("imprisonment")
    # PRC Criminal Law art. 42: 拘役, one month to six months.
    CRIMINAL_DETENTION = "criminal_detention", _("criminal detention (拘役)")
    # PRC Criminal Law art. 38: 管制, three months to two years.
    PUBLIC_SURVEILLANCE = "public_surveillance", _("public surveillance (管制)")


class Statute(ChoiceLabels, models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="statutes"
    )
    citation = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    offence_class = models.CharField(max_length=16, choices=OffenceClass.choices)
    severity_rank = models.PositiveSmallIntegerField(
        help_text=_("Higher is more serious; used to measure charge reductions.")
    )
    min_custody_months = models.PositiveIntegerField(default=0)
    max_custody_months = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Empty means life imprisonment.")
    )
    mandatory_minimum_months = models.PositiveIntegerField(default=0)
    mandatory_term_consecutive = models.BooleanField(
        _("mandatory term consecutive"),
        default=False,
        db_default=False,
        help_text=_(
            "The statute requires its mandatory term to run consecutively to any other term "
            "(e.g. 18 U.S.C. 1028A(b)(2), 924(c)(1)(D)(ii)): it is added to the range of the "
            "other counts, not taken as a floor within it (USSG 5G1.2(a))."
        ),
    )
    penalty_kind = models.CharField(
        _("penalty kind"),
        max_length=24,
        choices=PenaltyKind.choices,
        default=PenaltyKind.IMPRISONMENT,
        db_default=PenaltyKind.IMPRISONMENT,
        help_text=_("The penalty the statutory range of months is in."),
    )
    fine_applies = models.BooleanField(
        _("carries a fine"),
        default=False,
        db_default=False,
        help_text=_(
            "The offence carries a fine, with or instead of custody (e.g. PRC Criminal Law "
            "art. 266, 并处或者单处罚金; art. 133-1, 并处罚金)."
        ),
    )
    consecutive_terms_concurrent_with_each_other = models.BooleanField(
        _("consecutive terms may run concurrently with each other"),
        default=False,
        db_default=False,
        help_text=_(
            "Terms under this statute may run concurrently with one another, though "
            "consecutively to every other term (18 U.S.C. 1028A(b)(4))."
        ),
    )
    max_fine = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    lesser_included = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="greater_offences"
    )
    # The title in other languages: {"en": {"title": "Theft (large amount)"}} on a Chinese
    # statute (core.text.in_language); the title itself is in the jurisdiction's language.
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        db_default=Value({}, output_field=models.JSONField()),
    )

    class Meta:
        ordering = ["jurisdiction", "citation"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "citation"], name="statute_citation_unique"
            ),
            models.CheckConstraint(
                name="statute_min_not_above_max",
                condition=Q(max_custody_months__isnull=True)
                | Q(min_custody_months__lte=F("max_custody_months")),
            ),
            models.CheckConstraint(
                name="statute_mandatory_min_not_above_max",
                condition=Q(max_custody_months__isnull=True)
                | Q(mandatory_minimum_months__lte=F("max_custody_months")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.citation} {self.title_shown}"

    @property
    def title_shown(self) -> str:
        """The title in the reader's language where the catalogue has it."""
        return in_language(self.translations, "title", self.title)


class CaseStatus(models.TextChoices):
    INTAKE = "intake", _("Intake")
    NEGOTIATING = "negotiating", _("Negotiating")
    AGREEMENT = "agreement", _("Agreement reached")
    PLEA_ENTERED = "plea_entered", _("Plea entered")
    TRIAL = "trial", _("Trial")
    SENTENCED = "sentenced", _("Sentenced")
    DISMISSED = "dismissed", _("Dismissed")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


class Case(ChoiceLabels, models.Model):
    court = models.ForeignKey(Court, on_delete=models.PROTECT, related_name="cases")
    docket_number = models.CharField(max_length=64)
    caption = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.INTAKE)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    sealed = models.BooleanField(default=False)
    # NULL, not "", for "none": the per-court unique constraint must ignore cases without one.
    external_id = models.CharField(  # noqa: DJ001
        max_length=128, null=True, blank=True, help_text=_("Identifier in the court docket system.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        permissions = [
            ("manage_charges", "Add and amend the charges of a case"),
            ("manage_participants", "Add and remove participants of a case"),
            ("transition_case", "Move a case through its status workflow"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["court", "docket_number"], name="case_docket_number_unique_per_court"
            ),
            models.UniqueConstraint(
                fields=["court", "external_id"],
                condition=Q(external_id__isnull=False),
                name="case_external_id_unique_per_court",
            ),
            models.CheckConstraint(
                name="case_closed_not_before_opened",
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("opened_on")),
            ),
            models.CheckConstraint(
                name="case_closed_has_date",
                condition=Q(status=CaseStatus.CLOSED, closed_on__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
            ),
        ]
        indexes = [
            # A court's cases of one status, newest first: the case list's status filter walks
            # it from the cursor (cases.selectors.case_page_for_user).
            models.Index(fields=["court", "status", "id"], name="case_court_status_id"),
            models.Index(fields=["updated_at"], name="case_updated_at"),
        ]

    def __str__(self) -> str:
        return f"{self.docket_number} {self.caption}"


class CaseStatusCount(ChoiceLabels, models.Model):
    """How many cases of a court are in each status, so that the court's dashboard reads a few
    rows instead of counting up to hundreds of thousands of cases.

    Kept by triggers on cases_case (migration 0013_case_status_counts), in the transaction of
    every insert, status change and delete, whichever code path or bulk statement makes it;
    no Python writes it. cases.selectors.case_status_count_mismatches checks it against the
    cases themselves.
    """

    court = models.ForeignKey(Court, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    count = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["court", "status"], name="case_status_count_unique"),
            models.CheckConstraint(
                condition=Q(count__gte=0), name="case_status_count_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.court_id} {self.status}: {self.count}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key table: a user's permission on one case."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    # guardian's unique_together (user or group, permission, content_object) is the index
    # the visibility subquery uses; content_object's own index serves the reverse lookups.


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Guardian's direct foreign-key table: a group's (a court's) permission on one case."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    # guardian's unique_together (user or group, permission, content_object) is the index
    # the visibility subquery uses; content_object's own index serves the reverse lookups.


class CaseStatusChange(ChoiceLabels, models.Model):
    """The history of a case's status; one row per transition, written by the service."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class ChargeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    AMENDED = "amended", _("Amended")
    DISPOSED = "disposed", _("Disposed")


class Disposition(models.TextChoices):
    GUILTY_PLEA = "guilty_plea", _("Guilty plea")
    NO_CONTEST = "no_contest", _("No contest plea")
    CONVICTED_AT_TRIAL = "convicted_at_trial", _("Convicted at trial")
    ACQUITTED = "acquitted", _("Acquitted")
    DISMISSED = "dismissed", _("Dismissed")
    REDUCED = "reduced", _("Reduced to lesser offence")


class Charge(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="charges")
    count_number = models.PositiveSmallIntegerField()
    statute = models.ForeignKey(Statute, on_delete=models.PROTECT, related_name="charges")
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=ChargeStatus.choices, default=ChargeStatus.PENDING
    )
    disposition = models.CharField(max_length=32, choices=Disposition.choices, blank=True)
    disposition_date = models.DateField(null=True, blank=True)
    # NULL, not "", for "none": the per-case unique constraint must ignore charges without one.
    external_id = models.CharField(  # noqa: DJ001
        max_length=128, null=True, blank=True, help_text=_("Identifier in the court docket system.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "count_number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "count_number"], name="charge_count_unique"),
            models.UniqueConstraint(
                fields=["case", "external_id"],
                condition=Q(external_id__isnull=False),
                name="charge_external_id_unique_per_case",
            ),
            models.CheckConstraint(name="charge_count_positive", condition=Q(count_number__gte=1)),
            models.CheckConstraint(
                name="charge_disposed_has_disposition",
                condition=Q(
                    status=ChargeStatus.DISPOSED,
                    disposition_date__isnull=False,
                )
                & ~Q(disposition="")
                | (~Q(status=ChargeStatus.DISPOSED) & Q(disposition="", disposition_date=None)),
            ),
        ]

    def __str__(self) -> str:
        return f"Count {self.count_number}: {self.statute.citation}"
