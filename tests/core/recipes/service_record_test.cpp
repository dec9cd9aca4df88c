// The service registry's record encoding (core/recipes/service_record.h)
// keeps two releases compatible: a first-release reader reads a second
// release's record (the unknown field ignored) and a second-release reader
// a first release's (the missing optional field defaulted); a record of an
// unknown major version, or a malformed one, is refused with the reason,
// never misread.
#include "core/recipes/service_record.h"

#include <gtest/gtest.h>

namespace zsim::core::recipes {
namespace {

ServiceRecord decoded(const std::string& data) {
  auto r = decode_service_record(data);
  EXPECT_TRUE(std::holds_alternative<ServiceRecord>(r)) << data << ": " << std::get<std::string>(r);
  return std::holds_alternative<ServiceRecord>(r) ? std::get<ServiceRecord>(r) : ServiceRecord{};
}

std::string refused(const std::string& data) {
  auto r = decode_service_record(data);
  EXPECT_TRUE(std::holds_alternative<std::string>(r)) << data << " was read";
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

TEST(ServiceRecord, RoundTripsBothReleases) {
  const ServiceRecord first{"c1.sim:7001", ""};
  const ServiceRecord second{"c3.sim:7002", "z2"};
  EXPECT_EQ(encode_service_record(first), "service-record/1;address=c1.sim:7001");
  EXPECT_EQ(encode_service_record(second), "service-record/1;address=c3.sim:7002;zone=z2");
  EXPECT_EQ(decoded(encode_service_record(first)), first);
  EXPECT_EQ(decoded(encode_service_record(second)), second);
}

TEST(ServiceRecord, IgnoresFieldsItDoesNotKnowInAnyOrder) {
  EXPECT_EQ(decoded("service-record/1;weight=3;address=a:1;tls=on;zone=z1"), (ServiceRecord{"a:1", "z1"}));
}

TEST(ServiceRecord, RefusesWhatItCannotReadAndSaysWhy) {
  EXPECT_EQ(refused("address=a:1"), "not a service record (no service-record/ header)");
  EXPECT_EQ(refused("service-record/2;address=a:1"), "written in format 2, this reader knows format 1");
  EXPECT_EQ(refused("service-record/x;address=a:1"), "bad version \"x\"");
  EXPECT_EQ(refused("service-record/;address=a:1"), "bad version \"\"");
  EXPECT_EQ(refused("service-record/1;zone=z1"), "no address");
  EXPECT_EQ(refused("service-record/1"), "no address");
  EXPECT_EQ(refused("service-record/1;address=a:1;address=b:2"), "field address given twice");
  EXPECT_EQ(refused("service-record/1;address"), "bad field \"address\"");
  EXPECT_EQ(refused("service-record/1;address=a:1;;"), "bad field \"\"");
}

}  // namespace
}  // namespace zsim::core::recipes
