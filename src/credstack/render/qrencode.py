"""The QR codes certificates carry, made without segno's per-call work (decision 0072).

A certificate's QR code holds its credential's URL: ASCII with lower-case letters, so byte mode, error
correction level M, mask 4 (:data:`credstack.render.qr.FIXED_MASK`), version 1-10 (up to 213 bytes).
segno takes ~0.5 ms a code, about a sixth of a whole certificate; most of it is work that is the same
for every code of a version (function patterns, module order, mask) or Python loops over bits. Here
that is done once per version and the rest in integers and bytes: ~0.1 ms.

The output is the very matrix segno makes for the same value (tests/render/test_qr.py compares them on
thousands of values of every length and version); anything outside that case (numeric or alphanumeric
text, non-ASCII text, longer than version 10) returns None and is left to segno.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from itertools import compress

MASK = 4  # (row // 2 + column // 3) % 2 == 0 flips a module
_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

# level M (ISO/IEC 18004 table 9): version -> (EC codewords a block, ((blocks, data codewords a block), ...))
_BLOCKS: dict[int, tuple[int, tuple[tuple[int, int], ...]]] = {
    1: (10, ((1, 16),)),
    2: (16, ((1, 28),)),
    3: (26, ((1, 44),)),
    4: (18, ((2, 32),)),
    5: (24, ((2, 43),)),
    6: (16, ((4, 27),)),
    7: (18, ((4, 31),)),
    8: (22, ((2, 38), (2, 39))),
    9: (22, ((3, 36), (2, 37))),
    10: (26, ((4, 43), (1, 44))),
}
# alignment pattern centres (table E.1)
_ALIGN: dict[int, tuple[int, ...]] = {
    1: (),
    2: (6, 18),
    3: (6, 22),
    4: (6, 26),
    5: (6, 30),
    6: (6, 34),
    7: (6, 22, 38),
    8: (6, 24, 42),
    9: (6, 26, 46),
    10: (6, 28, 50),
}
MAX_VERSION = max(_BLOCKS)


def _data_codewords(version: int) -> int:
    return sum(n * k for n, k in _BLOCKS[version][1])


def _count_bits(version: int) -> int:
    return 8 if version < 10 else 16


# ---- GF(256) and Reed-Solomon ---------------------------------------------------------------------

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


def _generator(n: int) -> list[int]:
    """(x - a^0)(x - a^1)...(x - a^(n-1)), highest degree first (leading 1)."""
    g = [1]
    for i in range(n):
        nxt = [0] * (len(g) + 1)
        for j, c in enumerate(g):
            nxt[j] ^= c
            nxt[j + 1] ^= _mul(c, _EXP[i])
        g = nxt
    return g


_rs_tables: dict[int, list[int]] = {}
_lock = threading.Lock()


def _rs_table(n: int) -> list[int]:
    """For each feedback byte f, the generator's lower coefficients times f, as one n-byte integer."""
    table = _rs_tables.get(n)
    if table is None:
        g = _generator(n)[1:]
        table = [int.from_bytes(bytes(_mul(c, f) for c in g), "big") for f in range(256)]
        with _lock:
            _rs_tables[n] = table
    return table


def _ec(data: bytes, n: int) -> bytes:
    """The n error-correction codewords of a block: the remainder of data(x)·x^n by the generator, the
    shift register held in one integer."""
    table = _rs_table(n)
    top = 8 * (n - 1)
    full = (1 << (8 * n)) - 1
    r = 0
    for d in data:
        f = (r >> top) ^ d
        r = ((r << 8) & full) ^ table[f]
    return r.to_bytes(n, "big")


# ---- the symbol of a version ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    size: int
    template: bytes  # every module, rows one after the other: function patterns, format and version
    # information drawn; data modules set to the mask's value (what a 0 bit shows)
    order: tuple[int, ...]  # data module indices in bit order (codeword bits, then remainder bits)


def _bch(value: int, bits: int, poly: int) -> int:
    """``value`` followed by its BCH remainder by ``poly`` (of degree ``bits``)."""
    rem = value
    for _ in range(bits):
        rem = (rem << 1) ^ ((rem >> (bits - 1)) * poly)
    return value << bits | (rem & ((1 << bits) - 1))


def _build(version: int) -> _Version:
    size = 17 + 4 * version
    m = [[0] * size for _ in range(size)]
    fn = [[False] * size for _ in range(size)]

    def put(row: int, col: int, dark: bool) -> None:
        m[row][col] = 1 if dark else 0
        fn[row][col] = True

    for i in range(size):  # timing patterns
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cr, cc in ((3, 3), (3, size - 4), (size - 4, 3)):  # finders with their separators
        for dr in range(-4, 5):
            for dc in range(-4, 5):
                r, c = cr + dr, cc + dc
                if 0 <= r < size and 0 <= c < size:
                    put(r, c, max(abs(dr), abs(dc)) not in (2, 4))
    centres = _ALIGN[version]
    last = len(centres) - 1
    for i, cr in enumerate(centres):
        for j, cc in enumerate(centres):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue  # under a finder
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    put(cr + dr, cc + dc, max(abs(dr), abs(dc)) != 1)
    # format information: level M (00) and the mask, BCH(15,5), masked with 0x5412
    fmt = _bch(MASK, 10, 0x537) ^ 0x5412
    bit = [(fmt >> i) & 1 == 1 for i in range(15)]
    for i in range(6):
        put(i, 8, bit[i])
    put(7, 8, bit[6])
    put(8, 8, bit[7])
    put(8, 7, bit[8])
    for i in range(9, 15):
        put(8, 14 - i, bit[i])
    for i in range(8):
        put(8, size - 1 - i, bit[i])
    for i in range(8, 15):
        put(size - 15 + i, 8, bit[i])
    put(size - 8, 8, True)  # the dark module
    if version >= 7:  # version information, BCH(18,6)
        info = _bch(version, 12, 0x1F25)
        for i in range(18):
            dark = (info >> i) & 1 == 1
            a, b = size - 11 + i % 3, i // 3
            put(b, a, dark)
            put(a, b, dark)
    order: list[int] = []
    right = size - 1
    while right >= 1:  # two-module columns, right to left, up then down; the timing column skipped
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(size):
            row = size - 1 - vert if upward else vert
            for col in (right, right - 1):
                if not fn[row][col]:
                    order.append(row * size + col)
        right -= 2
    template = bytearray(size * size)
    for row in range(size):
        for col in range(size):
            if fn[row][col]:
                template[row * size + col] = m[row][col]
            else:
                template[row * size + col] = 1 if (row // 2 + col // 3) % 2 == 0 else 0
    return _Version(size, bytes(template), tuple(order))


_versions: dict[int, _Version] = {}


def _version(version: int) -> _Version:
    v = _versions.get(version)
    if v is None:
        v = _build(version)
        with _lock:
            _versions[version] = v
    return v


_BITS = bytes.maketrans(b"01", b"\x00\x01")


def matrix(value: str) -> list[list[int]] | None:
    """The QR code of ``value`` (rows of 0/1, no quiet zone) as segno makes it with error level M and
    mask 4; None when ``value`` is not a byte-mode ASCII text of version 10 or less (segno then)."""
    if not value.isascii() or value.isdigit() or all(ch in _ALPHANUMERIC for ch in value):
        return None
    data = value.encode("ascii")
    version = next((v for v in _BLOCKS if 4 + _count_bits(v) + 8 * len(data) <= 8 * _data_codewords(v)), None)
    if version is None:
        return None
    capacity = _data_codewords(version)
    # mode 0100, the count, the bytes, a terminator of up to four 0 bits, then 0 bits to the next byte:
    # a whole 0 byte when already at one, as segno does (a decoder stops at the terminator anyway)
    head = (0b0100 << _count_bits(version)) | len(data)
    head_bits = 4 + _count_bits(version)
    nbits = head_bits + 8 * len(data)
    stream = (head << (8 * len(data))) | int.from_bytes(data, "big")
    term = min(4, 8 * capacity - nbits)
    stream <<= term
    nbits += term
    pad_bits = 8 - nbits % 8
    if nbits + pad_bits > 8 * capacity:
        return None  # segno's extra byte would not fit: its output is not a plain symbol here
    stream <<= pad_bits
    nbits += pad_bits
    codewords = stream.to_bytes(nbits // 8, "big")
    pads = capacity - len(codewords)
    codewords += (b"\xec\x11" * (pads // 2 + 1))[:pads]
    # blocks, their error correction, interleaved
    n_ec, groups = _BLOCKS[version]
    blocks: list[bytes] = []
    at = 0
    for count, length in groups:
        for _ in range(count):
            blocks.append(codewords[at : at + length])
            at += length
    ecs = [_ec(b, n_ec) for b in blocks]
    out = bytearray()
    for i in range(max(len(b) for b in blocks)):
        out += bytes(b[i] for b in blocks if i < len(b))
    for i in range(n_ec):
        out += bytes(e[i] for e in ecs)
    v = _version(version)
    modules = bytearray(v.template)
    bits = format(int.from_bytes(out, "big"), f"0{8 * len(out)}b").encode("ascii").translate(_BITS)
    for index in compress(v.order, bits):  # a 1 bit flips what the mask left there
        modules[index] ^= 1
    size = v.size
    return [list(modules[r * size : (r + 1) * size]) for r in range(size)]
