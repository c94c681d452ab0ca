"""Move DRF's tokens (kept in clear) to personal tokens (kept as hashes): each key goes on
working, now with an expiry, and the clear copies are deleted."""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    PersonalToken = apps.get_model("accounts", "PersonalToken")
    expires = timezone.now() + dt.timedelta(days=int(getattr(settings, "PERSONAL_TOKEN_DAYS", 90)))
    for token in Token.objects.select_related("user").iterator():
        PersonalToken.objects.create(
            user_id=token.user_id,
            name="Token from before expiry",
            prefix=token.key[:8],
            key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
            expires_at=expires,
            **(
                {}
                if token.user.is_active
                else {"revoked_at": timezone.now(), "revoked_because": "deactivated"}
            ),
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
