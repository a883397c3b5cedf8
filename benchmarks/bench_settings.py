"""Settings for ``benchmarks/serve.py``: credstack's, with the ``/bare`` view mounted."""

from credstack.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench_site"
