"""Version 2 of cases/data/profiles.json: a ground for marking a case complex names the words of
its source beside an English label to translate (`text`, as the other listed items do), so that
a Chinese page reads 共同犯罪 rather than "Joint crime (共同犯罪)"; who names the plea statement's
procedure and limits on appeal is the profile's `plea_statement_roles` (the prosecution under
all three shipped profiles), no longer a constant of the code. Loaded as 0019 loads the file."""

import importlib

from django.db import migrations

PROFILE_VERSION = 2

load = importlib.import_module("cases.migrations.0019_profile_data_file").load


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_profile_data_file"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
