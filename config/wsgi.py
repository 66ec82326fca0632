import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Serve pages, or refuse to start with a clear message: never a 500 on every page for a missed deploy step.
from core.staticfiles import require_collected_static  # noqa: E402

require_collected_static()
