"""gunicorn settings: `gunicorn config.wsgi -c config/gunicorn.conf.py`.

The merchant's signed link (`/m/<token>/`) is a credential: whoever holds it may file a counter-notice.
Access logs record the path with the token replaced, so logs can be shared without handing out links.
"""

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
