// Rng: proves the generator is exactly xoshiro256** seeded by splitmix64
// (golden values computed independently with a small Python reimplementation
// of both algorithms, not copied from this code's output), that bounded
// draws are unbiased and in range, that chance() honours its edge cases
// without drawing, that fork() neither consumes nor aliases the parent, and
// that exponential() has roughly the requested mean.
#include "sim/rng.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>

namespace zsim::sim {
namespace {

// python3: splitmix64 state=seed, 4 words; xoshiro256** next() x6.
TEST(Rng, GoldenSeed0) {
  Rng r(0);
  const std::array<std::uint64_t, 6> expected = {
      0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL,
      0x6aa594f1262d2d2cULL, 0xbba5ad4a1f842e59ULL, 0xffef8375d9ebcacaULL};
  for (std::uint64_t want : expected) EXPECT_EQ(r.next_u64(), want);
}

TEST(Rng, GoldenSeed42) {
  Rng r(42);
  const std::array<std::uint64_t, 6> expected = {
      0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL,
      0xecb8ad4703b360a1ULL, 0xfde6dc7fe2ec5e64ULL, 0xc50da53101795238ULL};
  for (std::uint64_t want : expected) EXPECT_EQ(r.next_u64(), want);
}

TEST(Rng, GoldenBelowIsLemire) {
  // below(10) of seed 42 = high 64 bits of next_u64() * 10 (no rejection is
  // possible for these draws: the low word is never below 2^64 mod 10 = 6).
  Rng r(42);
  const std::array<std::uint64_t, 6> expected = {0, 3, 6, 9, 9, 7};
  for (std::uint64_t want : expected) EXPECT_EQ(r.below(10), want);
}

TEST(Rng, BelowStaysInRangeAndIsUniform) {
  Rng r(7);
  std::array<int, 6> counts{};
  constexpr int kDraws = 60'000;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t v = r.below(6);
    ASSERT_LT(v, 6U);
    ++counts[v];
  }
  // Each bucket expects 10000; 5 standard deviations is ~456.
  for (int c : counts) {
    EXPECT_GT(c, 10'000 - 500);
    EXPECT_LT(c, 10'000 + 500);
  }
  EXPECT_EQ(r.below(1), 0U);
}

TEST(Rng, BelowIsUnbiasedForHugeBounds) {
  // bound = 2^63 + 2^62: a plain `x % bound` would put values below 2^62
  // twice as often as the rest (ratio 2/3 instead of 1/3). Lemire's
  // rejection keeps the split at one third.
  Rng r(11);
  const std::uint64_t bound = (std::uint64_t{1} << 63) + (std::uint64_t{1} << 62);
  int low = 0;
  constexpr int kDraws = 30'000;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t v = r.below(bound);
    ASSERT_LT(v, bound);
    low += v < (std::uint64_t{1} << 62) ? 1 : 0;
  }
  EXPECT_GT(low, kDraws / 3 - 500);
  EXPECT_LT(low, kDraws / 3 + 500);
}

TEST(Rng, BetweenIsInclusiveAndHandlesTheFullRange) {
  Rng r(3);
  std::set<std::int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::int64_t v = r.between(-2, 2);
    ASSERT_GE(v, -2);
    ASSERT_LE(v, 2);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5U);
  EXPECT_EQ(r.between(5, 5), 5);
  (void)r.between(INT64_MIN, INT64_MAX);  // must not assert or overflow
}

TEST(Rng, ChanceEdgesNeverDraw) {
  Rng r(5);
  Rng copy = r;
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(r.chance(0, 1));
    EXPECT_FALSE(r.chance(0, 1000));
    EXPECT_TRUE(r.chance(1, 1));
    EXPECT_TRUE(r.chance(1000, 1000));
  }
  // Certain outcomes consume nothing: the stream is where it was.
  EXPECT_EQ(r.next_u64(), copy.next_u64());
}

TEST(Rng, ChanceFollowsTheRatio) {
  Rng r(9);
  int hits = 0;
  constexpr int kDraws = 40'000;
  for (int i = 0; i < kDraws; ++i) hits += r.chance(1, 4) ? 1 : 0;
  EXPECT_GT(hits, kDraws / 4 - 450);
  EXPECT_LT(hits, kDraws / 4 + 450);
}

TEST(Rng, ForkDoesNotConsumeTheParentAndDiffersByLabel) {
  Rng parent(123);
  Rng untouched(123);
  Rng a = parent.fork("net");
  Rng b = parent.fork("faults");
  Rng a_again = parent.fork("net");
  EXPECT_EQ(parent.next_u64(), untouched.next_u64());
  const std::uint64_t a1 = a.next_u64();
  EXPECT_EQ(a1, a_again.next_u64());
  EXPECT_NE(a1, b.next_u64());
  // A fork is keyed by the parent's key, not its position: drawing from the
  // parent first does not change what a fork yields.
  Rng drawn(123);
  for (int i = 0; i < 10; ++i) (void)drawn.next_u64();
  EXPECT_EQ(drawn.fork("net").next_u64(), a1);
  // Different parents, same label: different streams.
  EXPECT_NE(Rng(124).fork("net").next_u64(), a1);
  // A fork is not the parent itself.
  EXPECT_NE(a1, Rng(123).next_u64());
}

TEST(Rng, ExponentialMeanIsRoughlyRight) {
  Rng r(17);
  constexpr int kDraws = 100'000;
  constexpr std::int64_t kMean = 1'000'000;
  std::int64_t sum = 0;
  std::int64_t max = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::int64_t v = r.exponential(kMean);
    ASSERT_GE(v, 0);
    sum += v;
    max = std::max(max, v);
  }
  const std::int64_t mean = sum / kDraws;
  EXPECT_GT(mean, kMean * 98 / 100);
  EXPECT_LT(mean, kMean * 102 / 100);
  EXPECT_GT(max, 8 * kMean);  // it has a tail
  EXPECT_EQ(r.exponential(0), 0);
}

TEST(Rng, HashAndMixAreStable) {
  // FNV-1a 64 of "a" is a published constant.
  EXPECT_EQ(hash_bytes("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(hash_bytes(""), 0xcbf29ce484222325ULL);
  EXPECT_NE(mix64(1), mix64(2));
}

}  // namespace
}  // namespace zsim::sim
