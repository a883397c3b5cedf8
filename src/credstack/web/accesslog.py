"""Gunicorn's access log for ``credstack serve``, with the secrets of URLs masked (``credstack.logmask``).

Used as ``gunicorn --logger-class credstack.web.accesslog.MaskingLogger``.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from credstack.logmask import mask


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()}
