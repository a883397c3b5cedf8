"""Every write to a credential goes through here.

Issuance is one pipeline for every trigger (command line, form, CSV, API, webhook, course,
pathway), batch-native (decision 0045): ``issue_credentials(requests)``; a single issue is a batch of
one. Validate each request -> reserve the batch's status slots -> compose -> sign and check what was
signed -> persist in bulk, one transaction -> after commit, the outbox's consumers deliver.

One module per concern; import the names from here (``credstack.credentials.actions``):

- ``requests``: ``IssueRequest``, ``IssueResult``, the per-request rules;
- ``issue``: ``issue_credentials`` / ``issue_credential`` and ``Batch``, the pipeline's stages in order;
- ``compose``: the versions a batch is issued with, composing its documents, inserting its rows;
- ``held``: "already held" (the dry run of a bulk upload, ``duplicates="refuse"``);
- ``state``: revoke, suspend, reinstate; expiries announced;
- ``reissue``: a credential replaced by a new one (corrected, replaced, renewed);
- ``amend``: a credential signed again in place (a new expiry, an endorsement);
- ``sharing``: the email sent again, a public or private page;
- ``keys``: a leaked signing key, and the task that signs its credentials again.
"""

from .amend import attach_endorsement, change_expiry
from .compose import Reserve, add_months, issuing_language
from .held import Held, held_credential, held_credentials
from .issue import Batch, issue_credential, issue_credentials, signing_processes
from .keys import (
    KEY_COMPROMISED,
    RESIGN_BATCH,
    key_compromised_effect,
    resign_batch,
    resign_compromised,
    resign_compromised_task,
    resume_resigning,
    rotate_compromised_key,
)
from .reissue import (
    RENEWAL_WINDOW_DAYS,
    RENEWED,
    correct_credential,
    current_of,
    renew_as_issued,
    renew_credential,
    renewable,
    renewal_window,
    replace_credential,
)
from .requests import AlreadyHeld, IssueRequest, IssueResult
from .sharing import make_private, resend_credential, set_visibility
from .state import (
    EXPIRED_BATCH,
    REASON_MAX,
    REFUSED,
    STATES,
    CredentialStateError,
    announce_expired,
    reinstate_credential,
    revoke_credential,
    suspend_credential,
)

__all__ = [
    "EXPIRED_BATCH",
    "KEY_COMPROMISED",
    "REASON_MAX",
    "REFUSED",
    "RENEWAL_WINDOW_DAYS",
    "RENEWED",
    "RESIGN_BATCH",
    "STATES",
    "AlreadyHeld",
    "Batch",
    "CredentialStateError",
    "Held",
    "IssueRequest",
    "IssueResult",
    "Reserve",
    "add_months",
    "announce_expired",
    "attach_endorsement",
    "change_expiry",
    "correct_credential",
    "current_of",
    "held_credential",
    "held_credentials",
    "issue_credential",
    "issue_credentials",
    "issuing_language",
    "key_compromised_effect",
    "make_private",
    "reinstate_credential",
    "renew_as_issued",
    "renew_credential",
    "renewable",
    "renewal_window",
    "replace_credential",
    "resend_credential",
    "resign_batch",
    "resign_compromised",
    "resign_compromised_task",
    "resume_resigning",
    "revoke_credential",
    "rotate_compromised_key",
    "set_visibility",
    "signing_processes",
    "suspend_credential",
]
