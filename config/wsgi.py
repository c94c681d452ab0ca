import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Load what every request uses (the URL configuration and every view module it imports), then
# take everything loaded so far out of the cyclic garbage collector's sight. Those ~170,000
# objects live as long as the worker; a full collection walked them all, about 80 ms during
# which the request being served waited (the spikes at the 95th percentile of bench/routes.py).
# Collections still run over what requests create (tests/test_wsgi.py).
get_resolver().url_patterns  # noqa: B018 (imports the views)
gc.freeze()
