"""The case record kept by the parties: notes and documents behind ethical walls, and the log
of discovery the prosecution has disclosed to the defense.

Who reads what is decided in cases.permissions (the record section); every read goes through
records.selectors, which filters by `visibility` in SQL, so a note outside a reader's wall is
never shown, counted or found by a search.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audit.models import Audience
from core.choices import ChoiceLabels


class Visibility(models.TextChoices):
    """The wall a note or document sits behind. The values are audit audiences too."""

    PROSECUTION = Audience.PROSECUTION.value, _("Prosecution only")
    DEFENSE = Audience.DEFENSE.value, _("Defense only")
    SHARED = Audience.SHARED.value, _("Shared with all parties")
    COURT = Audience.COURT.value, _("Court only")


class Note(ChoiceLabels, models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="notes")
    # Fixed when written: a note never moves to a wider (or narrower) audience.
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="note_visibility_valid", condition=Q(visibility__in=Visibility.values)
            ),
            models.CheckConstraint(name="note_body_not_blank", condition=~Q(body="")),
        ]
        indexes = [models.Index(fields=["case", "visibility", "-id"], name="note_case_wall")]

    def __str__(self) -> str:
        return f"Note {self.pk} on case {self.case_id} ({self.visibility})"


class DocumentCategory(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    DISCOVERY = "discovery", _("Discovery")
    MOTION = "motion", _("Motion")
    AGREEMENT = "agreement", _("Agreement")
    CORRESPONDENCE = "correspondence", _("Correspondence")


class Document(ChoiceLabels, models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(max_length=16, choices=DocumentCategory.choices)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # May only widen, from prosecution only to shared, when the prosecution discloses it.
    visibility = models.CharField(max_length=16, choices=Visibility.choices)
    # The object's name in the documents storage (records.storage): generated, never derived
    # from the name the user gave.
    storage_name = models.CharField(max_length=255)
    original_name = models.CharField(
        max_length=255, help_text=_("Sanitised file name as uploaded.")
    )
    content_type = models.CharField(max_length=100, help_text=_("As found in the content."))
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="document_visibility_valid", condition=Q(visibility__in=Visibility.values)
            ),
            models.CheckConstraint(
                name="document_category_valid",
                condition=Q(category__in=DocumentCategory.values),
            ),
            models.CheckConstraint(name="document_not_empty", condition=Q(size__gt=0)),
            models.CheckConstraint(
                name="document_sha256_hex", condition=Q(sha256__regex=r"^[0-9a-f]{64}$")
            ),
            models.UniqueConstraint(fields=["storage_name"], name="document_storage_name_unique"),
        ]
        indexes = [models.Index(fields=["case", "visibility", "-id"], name="document_case_wall")]

    def __str__(self) -> str:
        return self.title


class Disclosure(models.Model):
    """One item of discovery the prosecution has given the defense, on a date."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="disclosures")
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    description = models.CharField(max_length=500)
    disclosed_on = models.DateField()
    disclosed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-disclosed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                name="disclosure_description_not_blank", condition=~Q(description="")
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(document__isnull=False),
                name="disclosure_document_once",
            ),
        ]
        indexes = [models.Index(fields=["case", "disclosed_on"], name="disclosure_case_date")]

    def __str__(self) -> str:
        return f"{self.description} (disclosed {self.disclosed_on})"
