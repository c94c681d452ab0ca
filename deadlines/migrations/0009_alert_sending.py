"""An alert e-mail is marked `sending` (committed) before it is handed to the mail server and
recorded `sent` after, so that a lost record never sends it twice (deadlines.alerts). The
sweep's partial indexes lead with the channel: in-app alerts and e-mail have a sweep each."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0008_notification_params"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="alert",
            name="alert_claimed_has_token",
        ),
        migrations.RemoveIndex(
            model_name="alert",
            name="alert_pending_due",
        ),
        migrations.RemoveIndex(
            model_name="alert",
            name="alert_claimed_at",
        ),
        migrations.AlterField(
            model_name="alert",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("claimed", "Being sent"),
                    ("sending", "Handed to the mail server"),
                    ("sent", "Sent"),
                    ("cancelled", "Cancelled"),
                    ("lapsed", "Lapsed"),
                ],
                default="pending",
                max_length=16,
            ),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                condition=models.Q(("status", "pending")),
                fields=["channel", "send_at"],
                name="alert_pending_due",
            ),
        ),
        migrations.AddIndex(
            model_name="alert",
            index=models.Index(
                condition=models.Q(("status__in", ["claimed", "sending"])),
                fields=["channel", "claimed_at"],
                name="alert_claimed_at",
            ),
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["claimed", "sending"]), _negated=True),
                    models.Q(("claim_token__isnull", False), ("claimed_at__isnull", False)),
                    _connector="OR",
                ),
                name="alert_claimed_has_token",
            ),
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "sending"), _negated=True),
                    ("channel", "email"),
                    _connector="OR",
                ),
                name="alert_sending_is_email",
            ),
        ),
    ]
