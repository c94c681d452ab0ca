"""The negotiation: offers and their terms, concessions, defense suggestions, the plea
agreement, its voluntariness checklist, signatures and the court's review.

Every rule about who may do what lives in cases.permissions; every write goes through
negotiations.services; the database holds the invariants the services rely on.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.choices import ChoiceLabels
from parties.models import Role, Side


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("offer status", "Sent")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    REJECTED = "rejected", pgettext_lazy("offer status", "Rejected")
    COUNTERED = "countered", _("Countered")
    ACCEPTED = "accepted", pgettext_lazy("offer status", "Accepted")


class CriminalHistoryCategory(models.TextChoices):
    I = "I", _("I (0 or 1 points)")  # noqa: E741
    II = "II", _("II (2 or 3 points)")
    III = "III", _("III (4, 5, 6 points)")
    IV = "IV", _("IV (7, 8, 9 points)")
    V = "V", _("V (10, 11, 12 points)")
    VI = "VI", _("VI (13 or more points)")


class Offer(ChoiceLabels, models.Model):
    """One side's proposal for a plea, in one round of a case's negotiation.

    A sent offer never changes: its terms are what the other side saw. It ends as withdrawn,
    expired, rejected, countered (by the answer in `answers`) or accepted.
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="offers", db_index=False
    )
    round_number = models.PositiveSmallIntegerField()
    side = models.CharField(max_length=16, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_by",
        help_text=_("The offer this one counters."),
    )
    status = models.CharField(max_length=16, choices=OfferStatus.choices, default=OfferStatus.DRAFT)

    # Sentence recommendation.
    custody_min_months = models.PositiveIntegerField(null=True, blank=True)
    custody_max_months = models.PositiveIntegerField(null=True, blank=True)
    probation_months = models.PositiveIntegerField(null=True, blank=True)
    fine = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    restitution = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    # Conditions.
    cooperation = models.BooleanField(default=False)
    appeal_waiver = models.BooleanField(default=False)
    immigration_safe_plea = models.BooleanField(default=False)
    no_enhancement = models.BooleanField(
        default=False, help_text=_("The prosecution withdraws or will not seek an enhancement.")
    )

    # Inputs of the exposure calculation (which ones apply depends on the profile).
    offense_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("US: total offense level before acceptance (1-43).")
    )
    criminal_history_category = models.CharField(
        max_length=3, choices=CriminalHistoryCategory.choices, blank=True
    )
    acceptance_motion = models.BooleanField(
        default=False,
        db_default=False,  # rows written outside the ORM (bench/seed.py)
        help_text=_(
            "US: the government moves for the third level of acceptance of "
            "responsibility (USSG 3E1.1(b)); without the motion only 3E1.1(a) applies."
        ),
    )
    baseline_months = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("CN: baseline sentence before leniency, in months.")
    )
    leniency_stage = models.CharField(max_length=32, blank=True)
    leniency_circumstances = models.JSONField(default=list, blank=True)

    expires_at = models.DateTimeField(null=True, blank=True)
    rationale = models.TextField(blank=True)

    # What discovery the defense had when the offer was sent (documents fill it in later).
    discovery_items_disclosed = models.PositiveIntegerField(default=0)
    discovery_last_disclosed_on = models.DateField(null=True, blank=True)
    # Which items of the disclosure log (records.Disclosure ids) the defense had by then.
    discovery_disclosure_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)

    # The other side's written response (required to reject or counter a defense offer).
    response = models.TextField(blank=True)
    withdrawal_reason = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the agreement made from this accepted offer is rejected by the court or
    # withdrawn by the defendant: the case may then reach another agreement.
    set_aside_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "round_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=OfferStatus.SENT),
                name="offer_one_live_per_case",
                violation_error_message=_("This case already has an offer awaiting an answer."),
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status=OfferStatus.ACCEPTED, set_aside_at__isnull=True),
                name="offer_one_accepted_per_case",
                violation_error_message=_("This case already has an accepted offer."),
            ),
            models.UniqueConstraint(
                fields=["answers"],
                condition=Q(answers__isnull=False) & ~Q(status=OfferStatus.DRAFT),
                name="offer_answered_once",
            ),
            models.CheckConstraint(
                name="offer_side_negotiates",
                condition=Q(side__in=[Side.PROSECUTION, Side.DEFENSE]),
            ),
            models.CheckConstraint(
                name="offer_custody_min_not_above_max",
                condition=Q(custody_min_months__isnull=True)
                | Q(custody_max_months__isnull=True)
                | Q(custody_min_months__lte=F("custody_max_months")),
            ),
            models.CheckConstraint(
                name="offer_offense_level_in_table",
                condition=Q(offense_level__isnull=True)
                | Q(offense_level__gte=1, offense_level__lte=43),
            ),
            models.CheckConstraint(
                name="offer_not_answering_itself", condition=~Q(answers=F("id"))
            ),
            # A draft may be withdrawn (discarded) without ever having been sent.
            models.CheckConstraint(
                name="offer_sent_has_sent_at",
                condition=Q(status__in=[OfferStatus.DRAFT, OfferStatus.WITHDRAWN])
                | Q(sent_at__isnull=False),
            ),
            models.CheckConstraint(
                name="offer_closed_has_closed_at",
                condition=Q(status__in=[OfferStatus.DRAFT, OfferStatus.SENT])
                | Q(closed_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(status=OfferStatus.SENT),
                name="offer_live_expiry",
            ),
            # A party's list reads each of their cases' rows along (case, id), newest first from a
            # cursor (negotiations.selectors._cases_held); it serves every lookup by case too.
            models.Index(fields=["case", "id"], name="offer_case_id"),
        ]

    def __str__(self) -> str:
        return f"Offer {self.pk} (round {self.round_number}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (OfferStatus.DRAFT, OfferStatus.SENT)


class TermDisposition(models.TextChoices):
    AS_CHARGED = "as_charged", _("Plead guilty as charged")
    LESSER = "lesser", _("Plead guilty to a lesser offence")
    DISMISS = "dismiss", _("Dismiss")


class OfferTerm(ChoiceLabels, models.Model):
    """What an offer proposes for one count. Counts without a term are pled as charged."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="terms")
    charge = models.ForeignKey("cases.Charge", on_delete=models.PROTECT, related_name="+")
    disposition = models.CharField(max_length=16, choices=TermDisposition.choices)
    lesser_statute = models.ForeignKey(
        "cases.Statute", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["offer", "charge__count_number"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "charge"], name="offer_term_one_per_charge"),
            models.CheckConstraint(
                name="offer_term_lesser_names_statute",
                condition=Q(disposition=TermDisposition.LESSER, lesser_statute__isnull=False)
                | (~Q(disposition=TermDisposition.LESSER) & Q(lesser_statute__isnull=True)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charge_id}: {self.disposition}"


class ConcessionKind(models.TextChoices):
    COUNT_DISMISSED = "count_dismissed", _("Count dismissed")
    CHARGE_REDUCED = "charge_reduced", _("Charge reduced")
    BELOW_RANGE = "below_range", _("Sentence recommended below the range")
    ENHANCEMENT_WITHDRAWN = "enhancement_withdrawn", _("Enhancement withdrawn")
    OTHER = "other", _("Other")


class Concession(ChoiceLabels, models.Model):
    """What the prosecution gives compared with the charges as filed. Derived ones are
    recomputed from the terms by the service; logged ones are entered by the prosecutor."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="concessions")
    kind = models.CharField(max_length=32, choices=ConcessionKind.choices)
    description = models.CharField(max_length=500)
    derived = models.BooleanField(default=True)
    charge = models.ForeignKey(
        "cases.Charge", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    severity_reduction = models.PositiveSmallIntegerField(null=True, blank=True)
    months_below = models.PositiveIntegerField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["offer", "-derived", "id"]
        constraints = [
            models.CheckConstraint(
                name="concession_logged_has_author",
                condition=Q(derived=True, logged_by__isnull=True)
                | Q(derived=False, logged_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.description


class Suggestion(ChoiceLabels, models.Model):
    """A defense or duty-lawyer proposal (an opinion, CPL art. 173) with reasons. Where the
    profile makes consideration mandatory the prosecution answers it in writing before it sends
    its next offer; elsewhere it may."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="suggestions", db_index=False
    )
    offer = models.ForeignKey(
        Offer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
        help_text=_("The offer it is about, if any."),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=32, choices=Role.choices)
    text = models.TextField()
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="suggestion_response_complete",
                condition=Q(response="", responded_by__isnull=True, responded_at__isnull=True)
                | (~Q(response="") & Q(responded_by__isnull=False, responded_at__isnull=False)),
            ),
        ]
        indexes = [
            models.Index(fields=["case"], condition=Q(response=""), name="suggestion_unanswered"),
            # A party's list reads each of their cases' rows along (case, id), newest first from a
            # cursor (negotiations.selectors._cases_held); it serves every lookup by case too.
            models.Index(fields=["case", "id"], name="suggestion_case_id"),
        ]

    def __str__(self) -> str:
        return f"Suggestion {self.pk} on case {self.case_id}"


class ComplexCaseMark(models.Model):
    """The prosecution's record that a case is complex, on the grounds the profile lists and
    with its reason: under a profile with `charges_negotiable_in_complex_case` the charges of a
    case so marked may be negotiated (Meng 2023: joint crimes, long intervals between the acts,
    evidence hard to collect). Behind the negotiation's wall, like the offers it opens."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="complex_mark")
    grounds = ArrayField(models.CharField(max_length=32))
    reason = models.TextField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="complex_mark_has_grounds", condition=Q(grounds__len__gt=0)
            ),
            models.CheckConstraint(name="complex_mark_has_reason", condition=~Q(reason="")),
        ]

    def __str__(self) -> str:
        return f"Case {self.case_id} marked complex"


class RightsExplanation(models.Model):
    """The prosecutor's record that the rights of the leniency system were fully explained to
    the suspect, which a profile with `rights_explained_before_first_offer` requires before any
    offer is sent (CPL art. 173(2); Meng 2023)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="rights_explanation"
    )
    note = models.TextField(help_text="How, when and before whom the rights were explained.")
    explained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    explained_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(name="rights_explanation_has_note", condition=~Q(note="")),
        ]

    def __str__(self) -> str:
        return f"Rights explained on case {self.case_id}"


class AgreementStatus(models.TextChoices):
    SIGNING = "signing", _("Awaiting signatures")
    SIGNED = "signed", _("Signed")
    SUBMITTED = "submitted", _("Submitted to the court")
    COURT_ACCEPTED = "court_accepted", _("Accepted by the court")
    COURT_REJECTED = "court_rejected", _("Rejected by the court")
    # CPL art. 201(2): the court has the prosecution adjust its sentencing recommendation. The
    # agreement stays as it was signed; the adjusted recommendation is a new offer and, once
    # accepted, a new agreement that names this one (`adjusts`).
    ADJUSTMENT_REQUESTED = "adjustment_requested", _("Adjustment requested by the court")
    WITHDRAWN = "withdrawn", _("Withdrawn by the defendant")


# Statuses of an agreement the court has ruled on, and of one that reached it.
REVIEWED_STATUSES = (
    AgreementStatus.COURT_ACCEPTED,
    AgreementStatus.COURT_REJECTED,
    AgreementStatus.ADJUSTMENT_REQUESTED,
)


class PleaAgreement(ChoiceLabels, models.Model):
    """The agreement made from an accepted offer. Its terms are a copy taken at acceptance:
    the court reads them here and never reads the offers."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="agreements", db_index=False
    )
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="agreement")
    status = models.CharField(
        max_length=24, choices=AgreementStatus.choices, default=AgreementStatus.SIGNING
    )
    terms = models.JSONField(help_text=_("The accepted offer's terms, frozen at acceptance."))

    # What the plea statement names beyond the offer's terms, where the profile asks for it
    # (negotiations.agreement_rules): the procedure agreed to (CPL art. 174: 速裁 / 简易 /
    # 普通) and the limits on appeal (the cn-reform profile, Meng 2023).
    procedure = models.CharField(
        max_length=32,
        blank=True,
        db_default="",  # rows written outside the ORM (bench/seed.py)
        help_text="Code of one of the profile's plea_procedures.",
    )
    appeal_limits = models.TextField(blank=True, db_default="")
    # The agreement whose recommendation the court asked to have adjusted (CPL art. 201(2)),
    # which this one, made from the adjusted recommendation, follows.
    adjusts = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjusted_by",
    )

    # The voluntariness checklist: item code -> confirmed, for the items of the case's profile
    # that apply to these terms (agreement_rules.checklist_items_for), as recorded.
    checklist_answers = models.JSONField(default=dict, blank=True, db_default={})
    interpreter_needed = models.BooleanField(default=False)
    interpreter_used = models.BooleanField(default=False)
    interpreter_name = models.CharField(max_length=200, blank=True)
    interpreter_language = models.CharField(max_length=64, blank=True)
    checklist_completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checklist_completed_at = models.DateTimeField(null=True, blank=True)

    pdf = models.BinaryField(null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The languages of the copies the PDF holds, in order (codes of settings.LANGUAGES): the
    # case's document language, then the defendant's where it differs and Parley has it. One
    # file, so pdf_sha256 covers every copy.
    document_languages = models.JSONField(
        _("languages of the document"), default=list, blank=True, db_default=[]
    )

    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reasons = models.TextField(blank=True)
    # The ground the court's decision names, where the profile lists them: one of its
    # rejection_grounds (CPL art. 201(1)) or of its review_adjust grounds (art. 201(2)).
    review_ground = models.CharField(max_length=64, blank=True, db_default="")
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(
                    status__in=[
                        AgreementStatus.SIGNING,
                        AgreementStatus.SIGNED,
                        AgreementStatus.SUBMITTED,
                        AgreementStatus.COURT_ACCEPTED,
                    ]
                ),
                name="agreement_one_in_force_per_case",
            ),
            models.CheckConstraint(
                name="agreement_interpreter_when_needed",
                condition=Q(interpreter_needed=False)
                | Q(checklist_completed_at__isnull=True)
                | Q(interpreter_used=True),
            ),
            models.CheckConstraint(
                name="agreement_signed_has_pdf",
                condition=~Q(
                    status__in=[
                        AgreementStatus.SIGNED,
                        AgreementStatus.SUBMITTED,
                        *REVIEWED_STATUSES,
                    ]
                )
                | ~Q(pdf_sha256=""),
            ),
            models.CheckConstraint(
                name="agreement_submitted_has_when",
                condition=~Q(status__in=[AgreementStatus.SUBMITTED, *REVIEWED_STATUSES])
                | Q(submitted_at__isnull=False),
            ),
            models.CheckConstraint(
                name="agreement_reviewed_has_reasons",
                condition=~Q(status__in=REVIEWED_STATUSES)
                | (Q(reviewed_at__isnull=False) & ~Q(review_reasons="")),
            ),
            # Only a rejection or a request to adjust names a ground.
            models.CheckConstraint(
                name="agreement_ground_with_rejection_or_adjustment",
                condition=Q(review_ground="")
                | Q(
                    status__in=[
                        AgreementStatus.COURT_REJECTED,
                        AgreementStatus.ADJUSTMENT_REQUESTED,
                    ]
                ),
            ),
            models.CheckConstraint(
                name="agreement_not_adjusting_itself", condition=~Q(adjusts=F("id"))
            ),
        ]
        indexes = [
            # A party's list reads each of their cases' rows along (case, id), newest first from a
            # cursor (negotiations.selectors._cases_held); it serves every lookup by case too.
            models.Index(fields=["case", "id"], name="agreement_case_id"),
        ]

    def __str__(self) -> str:
        return f"Plea agreement {self.pk} on case {self.case_id}"

    @property
    def checklist_complete(self) -> bool:
        return self.checklist_completed_at is not None


class SignatoryRole(models.TextChoices):
    """The three signatures an agreement needs. The lawyer signs in the capacity they hold on
    the case, defense counsel or duty lawyer (Signature.capacity), never as "either"."""

    # CPL art. 174: the plea statement is signed at the prosecution's review, by the suspect
    # (犯罪嫌疑人), not yet the accused (被告人): a context of its own for the translation.
    DEFENDANT = "defendant", pgettext_lazy("signatory", "Defendant")
    DEFENSE_LAWYER = "defense_lawyer", _("The defendant's lawyer")
    PROSECUTOR = "prosecutor", _("Prosecutor")


class Signature(ChoiceLabels, models.Model):
    """One signature on an agreement: who signed, in what capacity, when, and before whom.

    A defendant without a login signs on paper in front of their lawyer, who records it
    (`recorded_by`); the lawyer is then the witness."""

    agreement = models.ForeignKey(
        PleaAgreement, on_delete=models.CASCADE, related_name="signatures"
    )
    signatory_role = models.CharField(max_length=16, choices=SignatoryRole.choices)
    signer_name = models.CharField(max_length=200)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_participant = models.ForeignKey(
        "parties.CaseParticipant", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.ForeignKey(
        "parties.CaseParticipant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["agreement", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "signatory_role"], name="signature_one_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.capacity_label}: {self.signer_name}"

    @property
    def capacity(self) -> str:
        """The role the signer holds on the case (parties.models.Role): defendant, defense
        counsel, duty lawyer or prosecutor. Reads signer_participant (select it with the
        signature)."""
        return self.signer_participant.role

    @property
    def capacity_label(self) -> str:
        """The capacity as read: the signatory's label for the defendant and the prosecutor,
        the lawyer's own role (defense counsel, duty lawyer) for the lawyer."""
        if self.capacity in SignatoryRole.values:
            return str(SignatoryRole(self.capacity).label)
        return str(Role(self.capacity).label)
