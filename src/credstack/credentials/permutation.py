"""A keyed pseudorandom permutation of ``range(size)``: slot number -> status list index.

Bitstring Status List asks issuers to assign indexes randomly, so that an index reveals nothing about
when (or in what order) a credential was issued. A balanced Feistel network over the smallest even
number of bits that covers ``size`` is a permutation of that power-of-two domain whatever its round
function; cycle-walking (apply again until the value falls below ``size``) makes it a permutation of
``range(size)``. Rounds use HMAC-SHA256 under the list's own random key. Pure, deterministic, no state
beyond the key: slot ``s`` always maps to the same index, and two slots never share one.
"""

from __future__ import annotations

import hashlib
import hmac

ROUNDS = 4


class FeistelPermutation:
    def __init__(self, key: bytes, size: int):
        if size < 2:
            raise ValueError("size must be at least 2")
        bits = max(2, (size - 1).bit_length())
        self.half = (bits + 1) // 2
        self.mask = (1 << self.half) - 1
        self.size, self.key = size, bytes(key)

    def _round(self, r: int, value: int) -> int:
        digest = hmac.new(self.key, bytes([r]) + value.to_bytes(4, "big"), hashlib.sha256).digest()
        return int.from_bytes(digest[:4], "big") & self.mask

    def _once(self, x: int) -> int:
        left, right = x >> self.half, x & self.mask
        for r in range(ROUNDS):
            left, right = right, left ^ self._round(r, right)
        return (left << self.half) | right

    def __call__(self, slot: int) -> int:
        if not 0 <= slot < self.size:
            raise ValueError(f"slot {slot} is outside 0..{self.size - 1}")
        x = self._once(slot)
        while x >= self.size:  # cycle-walk back into range; ends because the domain is a finite cycle
            x = self._once(x)
        return x
