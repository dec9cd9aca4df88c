#include "core/io/int128.h"
#include "sim/rng.h"

#include "core/assert.h"

namespace zsim::sim {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// log2(x) for x >= 1 in fixed point with 32 fractional bits, by the
// shift-and-square method: exact to the last bit on every platform.
std::uint64_t log2_fixed32(std::uint64_t x) {
  ZSIM_ASSERT(x >= 1);
  int integer = 63 - __builtin_clzll(x);
  // Normalize the mantissa into [1, 2) as a Q1.62 fixed-point number.
  uint128 m = static_cast<uint128>(x) << (62 - integer);
  std::uint64_t result = static_cast<std::uint64_t>(integer) << 32;
  const uint128 two = static_cast<uint128>(1) << 63;
  for (int bit = 31; bit >= 0; --bit) {
    m = (m * m) >> 62;  // square, stay in Q1.62
    if (m >= two) {
      m >>= 1;
      result |= std::uint64_t{1} << bit;
    }
  }
  return result;
}

}  // namespace

Rng::Rng(std::uint64_t seed) : key_(seed) {
  std::uint64_t state = seed;
  for (auto& word : s_) word = splitmix64(state);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  ZSIM_ASSERT(bound > 0);
  // Lemire: multiply into 128 bits, reject the small biased zone.
  uint128 m = static_cast<uint128>(next_u64()) * bound;
  auto low = static_cast<std::uint64_t>(m);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      m = static_cast<uint128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::int64_t Rng::between(std::int64_t lo, std::int64_t hi) {
  ZSIM_ASSERT(lo <= hi);
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next_u64());
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + below(span + 1));
}

bool Rng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  ZSIM_ASSERT(denominator > 0);
  ZSIM_ASSERT(numerator <= denominator);
  if (numerator == 0) return false;
  if (numerator == denominator) return true;
  return below(denominator) < numerator;
}

Rng Rng::fork(std::string_view label) const {
  return Rng(mix64(key_ ^ mix64(hash_bytes(label))));
}

std::int64_t Rng::exponential(std::int64_t mean) {
  ZSIM_ASSERT(mean >= 0);
  if (mean == 0) return 0;
  // U = u / 2^32 with u in [1, 2^32]; -ln(U) = (32 - log2(u)) * ln 2.
  const std::uint64_t u = (next_u64() >> 32) + 1;
  const std::uint64_t neg_log2 = (std::uint64_t{32} << 32) - log2_fixed32(u);  // Q32
  constexpr std::uint64_t kLn2Q32 = 2977044472ULL;  // ln(2) * 2^32
  const uint128 neg_ln = (static_cast<uint128>(neg_log2) * kLn2Q32) >> 32;
  const uint128 value = (neg_ln * static_cast<std::uint64_t>(mean)) >> 32;
  return value > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(value);
}

std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t mix64(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace zsim::sim
