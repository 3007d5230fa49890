"""The audit stream's hash chain: every entry carries ``prev`` (the digest of the entry before
it) and ``digest`` (SHA-256, hex, of its own fields and ``prev``), so an entry changed, removed
or put in another place breaks the chain at that entry (``flask --app app audit verify``).

The digest is over a canonical form: ``prev`` first, then every other field but ``digest`` in
the order of their names (bytes), each name and value as a netstring (``5:event,14:money.
transfer,``), so no value can pose as a field boundary. The append script reads the last
digest and appends in one step (two appends can't both chain to the same entry); Redis' Lua
has no SHA-256, so the script computes it with the ``bit`` library Redis ships, or plain
arithmetic where there is none (fakeredis, the embedded default): one result either way, and
``digest`` below is the Python reference the tests and ``verify`` hold it to.

Trimming (retention) keeps the chain verifiable: the digest and id of the last entry trimmed
are kept beside the stream (the anchor), and verification starts from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64  # the ``prev`` of the very first entry

# The SHA-256 of the message in ``ARGV``-independent Lua: ``sha256(msg)`` returns hex.
# It runs inside Redis, which runs nothing else meanwhile, once per audit entry: written for
# Lua 5.1's interpreter, where each function call is what costs. With ``bit`` each step is one
# C call (``bxor`` of three values, ``tobit`` of a whole sum); the fallback gives the same
# functions the same meaning in plain arithmetic. ``norm`` brings a sum of up to five 32-bit
# words back to 32 bits (exact: such sums stay far below 2^53).
_SHA256 = """
local band, bxor, rshift, ror, norm, hex
if bit then
  band, bxor, rshift, ror = bit.band, bit.bxor, bit.rshift, bit.ror
  norm = bit.tobit
  hex = function(x) return bit.tohex(x, 8) end
else
  local X, A = {}, {}
  for i = 0, 15 do
    for j = 0, 15 do
      local x, a, p, ii, jj = 0, 0, 1, i, j
      for _ = 1, 4 do
        local bi, bj = ii % 2, jj % 2
        if bi ~= bj then x = x + p end
        if bi == 1 and bj == 1 then a = a + p end
        ii, jj, p = (ii - bi) / 2, (jj - bj) / 2, p * 2
      end
      X[i * 16 + j], A[i * 16 + j] = x, a
    end
  end
  local function nib(t, a, b)
    local r, p = 0, 1
    for _ = 1, 8 do
      local x, y = a % 16, b % 16
      r = r + t[x * 16 + y] * p
      a, b, p = (a - x) / 16, (b - y) / 16, p * 16
    end
    return r
  end
  band = function(a, b) return nib(A, a, b) end
  bxor = function(a, b, c)
    local r = nib(X, a, b)
    if c then r = nib(X, r, c) end
    return r
  end
  rshift = function(a, n) return math.floor(a / 2 ^ n) end
  ror = function(a, n)
    local low = a % 2 ^ n
    return (a - low) / 2 ^ n + low * 2 ^ (32 - n)
  end
  norm = function(x) return x % 4294967296 end
  hex = function(x) return string.format('%08x', x) end
end

local K = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

local function sha256(msg)
  local len = #msg
  local bits, tail = len * 8, {}
  for i = 7, 0, -1 do tail[#tail + 1] = string.char(math.floor(bits / 256 ^ i) % 256) end
  msg = msg .. '\\128' .. string.rep('\\0', (55 - len) % 64) .. table.concat(tail)
  local H = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
             0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
  local w, byte = {}, string.byte
  for pos = 1, #msg, 64 do
    for i = 0, 15 do
      local b1, b2, b3, b4 = byte(msg, pos + i * 4, pos + i * 4 + 3)
      w[i] = norm(b1 * 16777216 + b2 * 65536 + b3 * 256 + b4)
    end
    for i = 16, 63 do
      local v, u = w[i - 15], w[i - 2]
      w[i] = norm(w[i - 16] + bxor(ror(v, 7), ror(v, 18), rshift(v, 3)) + w[i - 7]
                  + bxor(ror(u, 17), ror(u, 19), rshift(u, 10)))
    end
    local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
    for i = 0, 63 do
      -- ch = (e and f) xor (not e and g) = g xor (e and (f xor g)); maj = (a and b) or
      -- (c and (a xor b)), whose two terms share no bit, so their sum is their or.
      local t1 = h + bxor(ror(e, 6), ror(e, 11), ror(e, 25)) + bxor(g, band(e, bxor(f, g)))
                 + K[i + 1] + w[i]
      local t2 = bxor(ror(a, 2), ror(a, 13), ror(a, 22)) + band(a, b) + band(c, bxor(a, b))
      h, g, f, e, d, c, b, a = g, f, e, norm(d + t1), c, b, a, norm(t1 + t2)
    end
    H[1], H[2], H[3], H[4] = norm(H[1] + a), norm(H[2] + b), norm(H[3] + c), norm(H[4] + d)
    H[5], H[6], H[7], H[8] = norm(H[5] + e), norm(H[6] + f), norm(H[7] + g), norm(H[8] + h)
  end
  local out = {}
  for i = 1, 8 do out[i] = hex(H[i]) end
  return table.concat(out)
end

local function ns(s) return #s .. ':' .. s .. ',' end
"""

# KEYS[1] the stream, KEYS[2] the anchor hash; ARGV: name, value, … sorted by name, without
# ``prev`` and ``digest``. Returns the new entry's id.
APPEND = (
    _SHA256
    + """
local prev
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last > 0 then
  local f = last[1][2]
  prev = ''
  for i = 1, #f, 2 do if f[i] == 'digest' then prev = f[i + 1] end end
else
  prev = redis.call('HGET', KEYS[2], 'digest') or '"""
    + GENESIS
    + """'
end
local parts = {ns('prev'), ns(prev)}
for i = 1, #ARGV do parts[#parts + 1] = ns(ARGV[i]) end
local digest = sha256(table.concat(parts))
local args = {KEYS[1], '*'}
for i = 1, #ARGV do args[#args + 1] = ARGV[i] end
args[#args + 1] = 'prev'
args[#args + 1] = prev
args[#args + 1] = 'digest'
args[#args + 1] = digest
return redis.call('XADD', unpack(args))
"""
)

# KEYS[1] the stream, KEYS[2] the anchor hash; ARGV[1] the cut-off in milliseconds: entries
# older are removed, and the last of them becomes the anchor. Returns how many were removed.
TRIM = """
local cutoff = tonumber(ARGV[1])
local last = redis.call('XREVRANGE', KEYS[1], tostring(cutoff - 1), '-', 'COUNT', 1)
if #last == 0 then return 0 end
local f, digest = last[1][2], ''
for i = 1, #f, 2 do if f[i] == 'digest' then digest = f[i + 1] end end
redis.call('HSET', KEYS[2], 'digest', digest, 'id', last[1][1])
return redis.call('XTRIM', KEYS[1], 'MINID', cutoff .. '-0')
"""


def _netstring(text: str) -> bytes:
    raw = text.encode()
    return str(len(raw)).encode() + b":" + raw + b","


def canonical(fields: Mapping[str, str]) -> bytes:
    """What ``digest`` is over: ``prev`` first, then every other field but ``digest`` by name."""
    rest = sorted((k, v) for k, v in fields.items() if k not in ("prev", "digest"))
    parts = [_netstring("prev"), _netstring(fields.get("prev", ""))]
    parts += [_netstring(k) + _netstring(v) for k, v in rest]
    return b"".join(parts)


def digest(fields: Mapping[str, str]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """Where verification starts: the last trimmed entry (or nothing trimmed yet)."""

    digest: str = GENESIS
    entry_id: str = ""


@dataclass(frozen=True)
class Verdict:
    """What verification found: how many entries chain, and the first that doesn't."""

    verified: int
    broken_at: str | None = None  # the entry id
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def check(entries: Iterator[tuple[str, Mapping[str, str]]], anchor: Anchor) -> Verdict:
    """Walk ``entries`` oldest to newest from ``anchor``; stop at the first that breaks."""
    expected, count = anchor.digest, 0
    for entry_id, fields in entries:
        stored = fields.get("digest")
        if stored is None or "prev" not in fields:
            return Verdict(count, entry_id, "not chained (no prev or digest)")
        if digest(fields) != stored:
            return Verdict(count, entry_id, "digest does not match")
        if fields["prev"] != expected:
            return Verdict(count, entry_id, "prev does not match the entry before it")
        expected, count = stored, count + 1
    return Verdict(count)
