"""Every write of the recipient portal: one-time codes, sign-in, emails, visibility, deletion.

One module per concern; import the names from here (``credstack.portal.actions``):

- ``codes``: one-time codes asked for and checked, with their limits; ``normalize`` an address;
- ``accounts``: sign-in, the account of an address, addresses added and removed, the account erased;
- ``sharing``: a holder's credentials made public or private, shares recorded; ``holder``;
- ``portfolio``: the public portfolio saved, published, withdrawn.
"""

from .accounts import account_for_email, add_email, delete_account, remove_email, sign_in
from .codes import (
    CODE_TTL,
    CODES_PER_CLIENT,
    CODES_PER_EMAIL,
    GUESSES_PER_CLIENT,
    LIVE_CODES,
    MAX_ATTEMPTS,
    CodeError,
    check_code,
    normalize,
    request_code,
)
from .portfolio import (
    MAX_PORTFOLIO_CREDENTIALS,
    PORTFOLIO_SLUG,
    RESERVED_SLUGS,
    SLUG_MAX,
    SLUG_MIN,
    clean_portfolio_slug,
    publish_portfolio,
    save_portfolio,
    withdraw_portfolio,
)
from .sharing import SHARE_CHANNELS, account_credentials, holder, record_share, set_visibility

__all__ = [
    "CODES_PER_CLIENT",
    "CODES_PER_EMAIL",
    "CODE_TTL",
    "GUESSES_PER_CLIENT",
    "LIVE_CODES",
    "MAX_ATTEMPTS",
    "MAX_PORTFOLIO_CREDENTIALS",
    "PORTFOLIO_SLUG",
    "RESERVED_SLUGS",
    "SHARE_CHANNELS",
    "SLUG_MAX",
    "SLUG_MIN",
    "CodeError",
    "account_credentials",
    "account_for_email",
    "add_email",
    "check_code",
    "clean_portfolio_slug",
    "delete_account",
    "holder",
    "normalize",
    "publish_portfolio",
    "record_share",
    "remove_email",
    "request_code",
    "save_portfolio",
    "set_visibility",
    "sign_in",
    "withdraw_portfolio",
]
