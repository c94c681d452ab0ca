"""Who takes part: organizations, user profiles, defendants and their participation in cases."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from core.choices import ChoiceLabels
from core.text import person_name


class OrganizationKind(models.TextChoices):
    PROSECUTOR_OFFICE = "prosecutor_office", _("Prosecutor's office")
    PUBLIC_DEFENDER = "public_defender", _("Public defender")
    PRIVATE_FIRM = "private_firm", _("Private firm")
    LEGAL_AID = "legal_aid", _("Legal aid / duty-lawyer centre")
    COURT = "court", _("Court")


class Organization(ChoiceLabels, models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganizationKind.choices)
    jurisdiction = models.ForeignKey(
        "cases.Jurisdiction", on_delete=models.PROTECT, related_name="organizations"
    )
    # Its people (profile.organization) sign in with a second factor (accounts.mfa).
    mfa_required = models.BooleanField(
        _("requires two-factor sign-in"),
        default=False,
        help_text=_("Everyone of this office must sign in with a one-time code."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """The role a person plays on one case."""

    PROSECUTOR = "prosecutor", _("Prosecutor")
    DEFENSE_COUNSEL = "defense_counsel", _("Defense counsel")
    DUTY_LAWYER = "duty_lawyer", _("Duty lawyer")
    DEFENDANT = "defendant", _("Defendant")
    JUDGE = "judge", _("Judge")
    COURT_STAFF = "court_staff", _("Court staff")


class Side(models.TextChoices):
    PROSECUTION = "prosecution", _("Prosecution")
    DEFENSE = "defense", _("Defense")
    COURT = "court", _("Court")


# The side each role sits on; the database checks the same pairs (see CaseParticipant).
SIDE_OF_ROLE: dict[str, str] = {
    Role.PROSECUTOR: Side.PROSECUTION,
    Role.DEFENSE_COUNSEL: Side.DEFENSE,
    Role.DUTY_LAWYER: Side.DEFENSE,
    Role.DEFENDANT: Side.DEFENSE,
    Role.JUDGE: Side.COURT,
    Role.COURT_STAFF: Side.COURT,
}


class UserProfile(ChoiceLabels, models.Model):
    """What Parley knows about a user beyond the login: where they work and in what capacity."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    role_kind = models.CharField(max_length=32, choices=Role.choices)
    bar_number = models.CharField(max_length=64, blank=True)
    # An office supervisor hears of every missed deadline on the cases of their office's people.
    is_supervisor = models.BooleanField(default=False)
    # A code of settings.LANGUAGES ("en", "zh-hans"), or blank: the language of the person's
    # office (its jurisdiction's `document_language`), else the browser's. No choices here, so
    # that adding a language to LANGUAGES needs no migration (parties.services checks it).
    preferred_language = models.CharField(
        _("preferred language"), max_length=16, blank=True, default="", db_default=""
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_kind_display()})"


class CustodyStatus(models.TextChoices):
    DETAINED = "detained", _("Detained")
    RELEASED = "released", _("Released")
    AT_LARGE = "at_large", _("At large")


class CitizenshipStatus(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    PERMANENT_RESIDENT = "permanent_resident", _("Permanent resident")
    VISA_HOLDER = "visa_holder", _("Visa holder")
    UNDOCUMENTED = "undocumented", _("Undocumented")
    UNKNOWN = "unknown", _("Unknown")


# A defendant's personal details: what prosecutors and court staff enter, the API shows and a
# docket system sends (the rest of a defendant is bookkeeping: ids, who entered it, when).
DEFENDANT_DETAILS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "custody_status",
    "preferred_language",
    "interpreter_needed",
    "citizenship_status",
)


class Defendant(ChoiceLabels, models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    custody_status = models.CharField(
        max_length=16, choices=CustodyStatus.choices, default=CustodyStatus.RELEASED
    )
    preferred_language = models.CharField(max_length=64, default="English")
    interpreter_needed = models.BooleanField(default=False)
    # Drives collateral-consequence advice (Padilla v. Kentucky, 559 U.S. 356 (2010)).
    citizenship_status = models.CharField(
        max_length=32, choices=CitizenshipStatus.choices, default=CitizenshipStatus.UNKNOWN
    )
    # A defendant may have a login to follow their own case (read-only).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="defendant",
    )
    # Empty for defendants entered in the admin or imported from a docket system.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The identifier a court's docket system gives this person, and that court. Scoped per court
    # (not global, not per jurisdiction): each docket system numbers its own parties, and a sync
    # from one court must never find, and so update, a person another court's docket entered.
    # NULL, not "", for "none": the unique constraint must ignore defendants without one.
    external_id = models.CharField(  # noqa: DJ001
        max_length=128, null=True, blank=True, help_text=_("Identifier in the court docket system.")
    )
    external_court = models.ForeignKey(
        "cases.Court",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The court whose docket system gave the external id."),
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_court", "external_id"],
                condition=Q(external_id__isnull=False),
                name="defendant_external_id_unique_per_court",
            ),
            # An external id means nothing without the docket system (court) that gave it.
            models.CheckConstraint(
                name="defendant_external_id_has_court",
                condition=Q(external_id__isnull=True) | Q(external_court__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        return person_name(self.first_name, self.last_name)


class CaseParticipantQuerySet(models.QuerySet["CaseParticipant"]):
    def held_by(self, user: Any) -> CaseParticipantQuerySet:
        """Participations of `user`: in their own name, or as the defendant whose login it is.

        The defendant is found first, by a scalar subquery on the defendant's unique user
        index (one row at most, run once as an InitPlan), so that both branches are equality
        tests on participation columns: PostgreSQL ORs an index scan of each (user_id,
        defendant_id). Joining the defendant and testing its user instead cannot be split into
        index scans and reads every participation (tests/parties/test_held_by_plan.py).
        """
        if user.pk is None:  # anonymous: `user=None` would read as user_id IS NULL, every defendant
            return self.none()
        login = Defendant.objects.filter(user=user.pk).order_by().values("pk")
        return self.filter(Q(user=user.pk) | Q(defendant=Subquery(login)))

    def case_ids_held_by(self, user: Any, roles: Iterable[str]) -> QuerySet[Any, Any]:
        """`case_id` of `user`'s active participations in one of `roles`, as held_by().active()
        finds them, but as two index reads instead of one OR: the user's own rows from the
        index alone (participant_one_active_user_role: user_id, case_id, role, over the active
        ones), then those of the defendant whose login it is. The OR is a bitmap of both indexes
        that must visit each participation's heap page (2,268 pages, 12 ms, for a prosecutor
        with 2,330 cases at 1,000,000 cases; tests/parties/test_held_by_plan.py)."""
        if user.pk is None:
            return self.none().values("case_id")
        roles = list(roles)
        mine = self.filter(user=user.pk, end_date__isnull=True, role__in=roles)
        login = Defendant.objects.filter(user=user.pk).order_by().values("pk")
        as_defendant = self.filter(defendant=Subquery(login), end_date__isnull=True, role__in=roles)
        return (
            mine.order_by()
            .values("case_id")
            .union(as_defendant.order_by().values("case_id"), all=True)
        )

    def active(self) -> CaseParticipantQuerySet:
        return self.filter(end_date__isnull=True)


class CaseParticipant(ChoiceLabels, models.Model):
    """A person's part in one case, for a period. Ending it (end_date) revokes their access."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    defendant = models.ForeignKey(
        Defendant,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    side = models.CharField(max_length=16, choices=Side.choices)
    is_lead = models.BooleanField(default=False)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # What the conflict-of-interest check flagged when the person was added (sentences, as
    # shown then), and why and by whom it was overridden; see cases.party_services.
    # The database defaults serve rows written outside the ORM (bench/seed.py).
    conflicts = models.JSONField(default=list, db_default=[], blank=True)
    conflict_override_reason = models.TextField(blank=True, db_default="")
    conflict_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CaseParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["side", "-is_lead", "role", "id"]
        constraints = [
            # A defendant participation names a defendant; every other names a user.
            models.CheckConstraint(
                name="participant_defendant_xor_user",
                condition=(
                    Q(role=Role.DEFENDANT, defendant__isnull=False, user__isnull=True)
                    | (~Q(role=Role.DEFENDANT) & Q(defendant__isnull=True, user__isnull=False))
                ),
            ),
            models.CheckConstraint(
                name="participant_side_matches_role",
                condition=(
                    Q(role=Role.PROSECUTOR, side=Side.PROSECUTION)
                    | Q(
                        role__in=[Role.DEFENSE_COUNSEL, Role.DUTY_LAWYER, Role.DEFENDANT],
                        side=Side.DEFENSE,
                    )
                    | Q(role__in=[Role.JUDGE, Role.COURT_STAFF], side=Side.COURT)
                ),
            ),
            # A flagged conflict of interest is kept only with the reason it was overridden.
            models.CheckConstraint(
                name="participant_conflict_has_override_reason",
                condition=Q(conflicts=[]) | ~Q(conflict_override_reason=""),
            ),
            models.CheckConstraint(
                name="participant_end_not_before_start",
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
            ),
            # Led by the user: besides keeping one active participation per user and role on a
            # case, it is the index a person's cases are read from, alone (case_ids_held_by).
            models.UniqueConstraint(
                fields=["user", "case", "role"],
                condition=Q(end_date__isnull=True, user__isnull=False),
                name="participant_one_active_user_role",
            ),
            models.UniqueConstraint(
                fields=["case", "defendant"],
                condition=Q(end_date__isnull=True, defendant__isnull=False),
                name="participant_one_active_defendant",
            ),
            models.UniqueConstraint(
                fields=["case", "side"],
                condition=Q(end_date__isnull=True, is_lead=True),
                name="participant_one_active_lead_per_side",
            ),
        ]
        indexes = [models.Index(fields=["user", "end_date"], name="participant_user_active")]

    def __str__(self) -> str:
        who = self.defendant if self.defendant_id else self.user
        return f"{who} as {self.get_role_display()} on {self.case_id}"

    @property
    def is_active(self) -> bool:
        return self.end_date is None

    @property
    def display_name(self) -> str:
        if self.defendant is not None:
            return self.defendant.full_name
        assert self.user is not None
        return person_name(self.user.first_name, self.user.last_name) or self.user.get_username()
