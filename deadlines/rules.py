"""The deadline rules of each jurisdiction profile, read from the profile data file.

Every profile of cases/data/profiles.json lists its `deadline_rules` (the provisions periods
are counted under: the Speedy Trial Act, Fed. R. Crim. P. 32, 35, Fed. R. App. P. 4; CPL arts.
172, 187, 220, 225), each with a stable code. A migration loads them (deadlines 0015), and
seed_demo again; a rule is found by its code, so a changed rule is a changed file.
"""

from __future__ import annotations

from typing import Any

from cases.models import Jurisdiction
from cases.profiles import profile_data_read
from deadlines.models import DeadlineRule


def deadline_rules_load(
    *,
    data: dict[str, Any] | None = None,
    rule_model: Any = DeadlineRule,
    jurisdiction_model: Any = Jurisdiction,
) -> int:
    """Create or refresh the rules of every profile of the file (or of `data`, already
    validated) whose jurisdiction is loaded; idempotent. The models are the historical ones
    when a migration calls it. Returns how many rules the file holds for those profiles."""
    data = data if data is not None else profile_data_read()
    jurisdictions = {
        j.code: j for j in jurisdiction_model.objects.filter(code__in=list(data["profiles"]))
    }
    known = {field.name for field in rule_model._meta.get_fields()}
    loaded = 0
    for code, profile in data["profiles"].items():
        jurisdiction = jurisdictions.get(code)
        if jurisdiction is None:
            continue
        for rule in profile.get("deadline_rules", ()):
            fields = {k: v for k, v in rule.items() if k != "code" and k in known}
            rule_model.objects.update_or_create(
                code=rule["code"], defaults={**fields, "jurisdiction": jurisdiction}
            )
            loaded += 1
    return loaded
