"""The settings the tests run with: the project's own, plus a throwaway key and plain HTTP.

The browser tests and the real stack (gunicorn, Celery workers) serve http://127.0.0.1, so the HTTPS-only
defaults are turned off here, through the environment, which the stack's processes inherit.
"""

import os

for name, value in {
    "SECRET_KEY": "tests-only-key-never-used-outside-the-test-suite-0123456789",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
}.items():
    os.environ.setdefault(name, value)

# Parallel runs (pytest-xdist): each worker process has its own test database (pytest-django names it) and its
# own Redis database, so one worker's Celery queues, locks and throttles are not another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{(int(_db or 0) - int(_worker[2:])) % 16}"

from config.settings import *  # noqa: E402, F403
