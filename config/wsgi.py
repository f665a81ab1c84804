import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
application = get_wsgi_application()
# Django, the apps and their libraries are loaded for good: out of the collector's sight, a full
# collection no longer walks them (it stalled one request in a hundred by ~150 ms), and gunicorn's
# forked workers share those pages instead of each copying them as the collector touches them.
gc.freeze()
