"""gunicorn settings: `gunicorn config.wsgi -c config/gunicorn.conf.py`.

The merchant's signed link (`/m/<token>/`) is a credential: whoever holds it may file a counter-notice.
Access logs record the path with the token replaced, so logs can be shared without handing out links.
"""

import os

from gunicorn.glogging import Logger

from core.logging import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = RedactingLogger
accesslog = "-"

# How long an idle connection is kept open for the client's next request. gunicorn's default, 2 s, is shorter
# than the pause between two requests of an ordinary client (a script, a browser, a proxy's pooled upstream
# connections), and the gthread worker closes an expired connection even when the next request is already
# arriving on it: the client gets "connection reset by peer" for a request the app never saw, a POST
# included (found by scripts/load_test.py: 4 of 1,737 requests). Keep it above the idle timeout of whatever
# talks to gunicorn (AWS ALB 60 s; nginx reuses upstream connections for 60 s by default), so that the
# client always closes first. Directly facing very many clients, lower it (each idle connection holds one of
# a worker's `worker_connections`).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "75"))
