"""No client address in any log line, at any level: Django's loggers and gunicorn's error log.

gunicorn writes "Invalid request from ip=…" for a malformed request at WARNING, and other
libraries may name a peer in a message. Every message passes :func:`scrub`, which replaces each
IPv4 or IPv6 address (checked with :mod:`ipaddress`, so times such as 12:30:45 stay) by
``[address]``, arguments included.
"""

from __future__ import annotations

import ipaddress
import logging
import re

from gunicorn import glogging

_CANDIDATE = re.compile(
    r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?:\d{1,3}(?:\.\d{1,3}){3})?)(?![\w.])"
)


def _replace(match: re.Match) -> str:
    text = match.group(0)
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return text
    return "[address]"


def scrub(message) -> str:
    return _CANDIDATE.sub(_replace, str(message))


class NoAddresses(logging.Filter):
    """A logging filter for handlers: the formatted message with every address replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class ScrubbingLogger(glogging.Logger):
    """gunicorn's logger (``logger_class``) with every message scrubbed of addresses."""

    def critical(self, msg, *args, **kwargs):
        super().critical(scrub(msg % args if args else msg), **kwargs)

    def error(self, msg, *args, **kwargs):
        super().error(scrub(msg % args if args else msg), **kwargs)

    def warning(self, msg, *args, **kwargs):
        super().warning(scrub(msg % args if args else msg), **kwargs)

    def info(self, msg, *args, **kwargs):
        super().info(scrub(msg % args if args else msg), **kwargs)

    def debug(self, msg, *args, **kwargs):
        super().debug(scrub(msg % args if args else msg), **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().error(scrub(msg % args if args else msg), exc_info=False)

    def log(self, lvl, msg, *args, **kwargs):
        super().log(lvl, scrub(msg % args if args else msg), **kwargs)

    def access(self, resp, req, environ, request_time):
        return  # never: no access log (afstand.web.config.server)
