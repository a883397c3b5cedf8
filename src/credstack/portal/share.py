"""Share links: LinkedIn "Add to profile" (certification), email. Built by ``credstack.credentials.share``
(the public page and the issue email use the same links)."""

from __future__ import annotations

from credstack.credentials.share import LINKEDIN_ADD, email_url, linkedin_url

__all__ = ["LINKEDIN_ADD", "email_url", "linkedin_url"]
