"""Court dates and deadlines. For now: the days a court is closed that no holiday library knows."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CourtClosure(models.Model):
    """A day a court does not sit (weather, an administrative order). Deadlines that end on it
    roll like they do on a public holiday (Fed. R. Crim. P. 45(a)(3): clerk's office
    inaccessible)."""

    court = models.ForeignKey("cases.Court", on_delete=models.CASCADE, related_name="closures")
    date = models.DateField()
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="court_closures_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["court", "date"], name="closure_one_per_court_day"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="closure_reason_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.court} closed {self.date.isoformat()}: {self.reason}"
