"""Settings of the processes the fault harness starts: production's, with a short idempotency take-over
(a client retrying after a kill gets its answer in seconds, not after the production minute)."""

from credstack.config.settings import *  # noqa: F403

CREDSTACK_IDEMPOTENCY_STALE_SECONDS = 4
