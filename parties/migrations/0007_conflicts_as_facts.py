"""Conflicts of interest are kept as facts (case, role, until) and said to each reader
(parties.services.conflict_sentences), never as sentences naming a docket number to everyone.
Sentences kept before cannot be read back as facts: they become a fact of unknown kind, which
reads "A possible conflict of interest was found when they were added." (the reason to override
and who gave it stay)."""

from django.db import migrations


def forwards(apps, schema_editor):
    CaseParticipant = apps.get_model("parties", "CaseParticipant")
    for row in CaseParticipant.objects.exclude(conflicts=[]).only("id", "conflicts").iterator():
        facts = [c if isinstance(c, dict) else {"kind": "unknown"} for c in row.conflicts]
        if facts != row.conflicts:
            CaseParticipant.objects.filter(pk=row.pk).update(conflicts=facts)


class Migration(migrations.Migration):
    dependencies = [("parties", "0006_mfa_required")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
