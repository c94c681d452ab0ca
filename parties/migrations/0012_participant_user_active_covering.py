"""A person's cases read from the index alone: participant_user_active (user_id, end_date) now
carries role, side and case_id, so that "the cases where I hold one of these roles"
(CaseParticipant.objects.case_ids_held_by) is an index-only scan instead of a visit to each
participation's heap page."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_profile_data_file"),
        ("parties", "0011_participant_user_court_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="caseparticipant",
            name="participant_user_active",
        ),
        migrations.AddIndex(
            model_name="caseparticipant",
            index=models.Index(
                fields=["user", "end_date"],
                include=("role", "side", "case"),
                name="participant_user_active",
            ),
        ),
    ]
