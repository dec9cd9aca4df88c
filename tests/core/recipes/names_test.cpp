// The pure helpers the recipes share: sequence suffixes and the order of a
// line of sequential children, path pieces, and protected names (which id a
// child carries -- exactly, so "ab" never matches a child of "abc").
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

#include <gtest/gtest.h>

namespace zsim::core::recipes {
namespace {

TEST(Sequence, ReadsTheTenDigitSuffix) {
  EXPECT_EQ(sequence_of("n_0000000042"), 42);
  EXPECT_EQ(sequence_of("_c_ab12-n_0000000000"), 0);
  EXPECT_EQ(sequence_of("0000000007"), 7);
  EXPECT_EQ(sequence_of("n_2147483647"), 2147483647);
  EXPECT_FALSE(sequence_of("n_00000042"));    // too short
  EXPECT_FALSE(sequence_of("n_00000000x2"));  // not digits
  EXPECT_FALSE(sequence_of(""));
}

TEST(Sequence, SortsALineBySequenceNotByName) {
  // Names sort differently from sequences once ids differ: the id must not
  // decide the order of the line.
  const std::vector<std::string> line =
      sorted_by_sequence({"_c_zz-n_0000000003", "_c_aa-n_0000000010", "_c_mm-n_0000000001", "foreign"});
  ASSERT_EQ(line.size(), 4u);
  EXPECT_EQ(line[0], "_c_mm-n_0000000001");
  EXPECT_EQ(line[1], "_c_zz-n_0000000003");
  EXPECT_EQ(line[2], "_c_aa-n_0000000010");
  EXPECT_EQ(line[3], "foreign");  // unsequenced names never head the line
}

TEST(Sequence, PathPieces) {
  EXPECT_EQ(base_name("/election/n_0000000001"), "n_0000000001");
  EXPECT_EQ(base_name("/master"), "master");
  EXPECT_EQ(child_path("/election", "n_1"), "/election/n_1");
  EXPECT_EQ(child_path("/", "master"), "/master");
}

TEST(ProtectedNames, CarryTheirIdExactly) {
  EXPECT_EQ(protected_prefix("9f3a"), "_c_9f3a-");
  EXPECT_TRUE(carries_id("_c_9f3a-n_0000000004", "9f3a"));
  EXPECT_FALSE(carries_id("_c_9f3ab-n_0000000004", "9f3a"));  // a longer id
  EXPECT_FALSE(carries_id("_c_9f3-n_0000000004", "9f3a"));
  EXPECT_FALSE(carries_id("n_0000000004", "9f3a"));
  EXPECT_FALSE(carries_id("_c_9f3a-", "9f3a"));  // nothing after the prefix
}

}  // namespace
}  // namespace zsim::core::recipes
