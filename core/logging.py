"""Log filters: credentials that travel in URLs never reach the logs."""

from __future__ import annotations

import logging
import re

MERCHANT_LINK = re.compile(r"/m/[^/\s?\"']+")


def redact(text: str) -> str:
    """`/m/<signed token>/` → `/m/[redacted]/`."""
    return MERCHANT_LINK.sub("/m/[redacted]", text)


class RedactMerchantLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/m/" in message:
            record.msg, record.args = redact(message), None
        return True
