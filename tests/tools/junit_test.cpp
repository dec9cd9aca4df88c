// tools/junit.h's escaping, byte by byte: what XML 1.0 can carry is kept
// (markup characters as entities), what it cannot (control characters,
// malformed or overlong UTF-8, surrogates, U+FFFE/U+FFFF) is shown as \xHH,
// so no message can make a report that a CI system refuses to read. The
// end-to-end check of the same through xmllint is junit_merge_test.cpp.
#include "tools/junit.h"

#include <gtest/gtest.h>

#include <string>

namespace {

using zsim::tools::xml_escape;

TEST(XmlEscape, MarkupBecomesEntities) {
  EXPECT_EQ(xml_escape("a<b>&c", false), "a&lt;b&gt;&amp;c");
  EXPECT_EQ(xml_escape("\"q\" 'a'", false), "\"q\" 'a'");
  EXPECT_EQ(xml_escape("\"q\" 'a'", true), "&quot;q&quot; &apos;a&apos;");
  EXPECT_EQ(xml_escape("]]>", false), "]]&gt;");
}

TEST(XmlEscape, LineBreaksSurviveAParser) {
  EXPECT_EQ(xml_escape("a\nb\tc\rd", false), "a\nb\tc&#13;d");
  EXPECT_EQ(xml_escape("a\nb\tc\rd", true), "a&#10;b&#9;c&#13;d");
}

TEST(XmlEscape, WhatXmlCannotCarryIsShownAsHex) {
  EXPECT_EQ(xml_escape(std::string("nul\0!", 5), false), "nul\\x00!");
  EXPECT_EQ(xml_escape("\x1b[2J\x7f", false), "\\x1b[2J\\x7f");
  EXPECT_EQ(xml_escape("\xff\xfe", false), "\\xff\\xfe");                  // never UTF-8
  EXPECT_EQ(xml_escape("\xc3", false), "\\xc3");                          // cut short
  EXPECT_EQ(xml_escape("\xc3(", false), "\\xc3(");                        // bad continuation
  EXPECT_EQ(xml_escape("\xc0\xaf", false), "\\xc0\\xaf");                 // overlong '/'
  EXPECT_EQ(xml_escape("\xed\xa0\x80", false), "\\xed\\xa0\\x80");        // a surrogate
  EXPECT_EQ(xml_escape("\xef\xbf\xbf", false), "\\xef\\xbf\\xbf");        // U+FFFF
  EXPECT_EQ(xml_escape("\xf4\x90\x80\x80", false), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST(XmlEscape, WellFormedUtf8IsKept) {
  for (const std::string s : {"caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x90\x98", "\xef\xbf\xbd", "\xc2\x80"}) {
    EXPECT_EQ(xml_escape(s, false), s);
  }
}

}  // namespace
