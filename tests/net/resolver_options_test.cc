// ResolverOptions: parsing servers and the environment.
#include "net/resolver_options.h"

#include <cstdlib>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kVariables[] = {
    "EVERGREEN_RESOLVER", "EVERGREEN_RESOLVER_SERVERS",
    "EVERGREEN_RESOLVER_TIMEOUT", "EVERGREEN_RESOLVER_TRIES"};

class ResolverOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kVariables) unsetenv(name);
  }
  void TearDown() override {
    for (const char* name : kVariables) unsetenv(name);
  }
};

SocketAddress Addr(absl::string_view text) {
  return *SocketAddress::Parse(text);
}

TEST_F(ResolverOptionsTest, ServersTakeAnOptionalPort) {
  ResolverOptions options{
      .servers = {"10.0.0.2", "127.0.0.1:5353", "[::1]:5300", "::1"}};
  absl::StatusOr<std::vector<SocketAddress>> servers =
      options.ServerAddresses();
  ASSERT_TRUE(servers.ok()) << servers.status();
  EXPECT_THAT(*servers, ElementsAre(Addr("10.0.0.2:53"), Addr("127.0.0.1:5353"),
                                    Addr("[::1]:5300"), Addr("[::1]:53")));
}

TEST_F(ResolverOptionsTest, ServerThatIsNotNumericIsInvalid) {
  for (const char* bad : {"dns.example", "1.2.3.4:99999", "", "[::1]"}) {
    ResolverOptions options{.servers = {bad}};
    absl::Status status = options.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr(absl::StrCat("'", bad, "'")));
  }
}

TEST_F(ResolverOptionsTest, TimeoutAndTriesMustBePositive) {
  const ResolverOptions good{.timeout = absl::Milliseconds(1), .tries = 1};
  EXPECT_TRUE(good.Validate().ok());
  for (absl::Duration bad :
       {absl::ZeroDuration(), -absl::Seconds(1), absl::InfiniteDuration()}) {
    EXPECT_EQ(ResolverOptions{.timeout = bad}.Validate().code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ResolverOptions{.tries = 0}.Validate().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ResolverOptionsTest, EmptyEnvironmentSetsNothing) {
  absl::StatusOr<ResolverOptions> options = ResolverOptions::FromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_TRUE(options->empty());
  EXPECT_EQ(*ResolverKindFromEnvironment(), ResolverKind::kAres);
}

TEST_F(ResolverOptionsTest, EnvironmentSetsEveryField) {
  setenv("EVERGREEN_RESOLVER", "thread", 1);
  setenv("EVERGREEN_RESOLVER_SERVERS", " 127.0.0.1:5353, ,[::1]:53 ", 1);
  setenv("EVERGREEN_RESOLVER_TIMEOUT", "0.25", 1);
  setenv("EVERGREEN_RESOLVER_TRIES", "3", 1);
  absl::StatusOr<ResolverOptions> options = ResolverOptions::FromEnvironment();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_THAT(options->servers, ElementsAre("127.0.0.1:5353", "[::1]:53"));
  EXPECT_EQ(options->timeout, absl::Milliseconds(250));
  EXPECT_EQ(options->tries, 3);
  EXPECT_EQ(*ResolverKindFromEnvironment(), ResolverKind::kThread);
}

TEST_F(ResolverOptionsTest, BadEnvironmentValuesNameTheVariable) {
  const std::pair<const char*, const char*> cases[] = {
      {"EVERGREEN_RESOLVER_SERVERS", "127.0.0.1,dns.example"},
      {"EVERGREEN_RESOLVER_TIMEOUT", "-1"},
      {"EVERGREEN_RESOLVER_TIMEOUT", "soon"},
      {"EVERGREEN_RESOLVER_TIMEOUT", "nan"},
      {"EVERGREEN_RESOLVER_TRIES", "0"},
      {"EVERGREEN_RESOLVER_TRIES", "2.5"},
  };
  for (const auto& [name, value] : cases) {
    setenv(name, value, 1);
    absl::Status status = ResolverOptions::FromEnvironment().status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_THAT(status.message(),
                HasSubstr(absl::StrCat(name, "='", value, "'")));
    unsetenv(name);
  }
  setenv("EVERGREEN_RESOLVER", "bind", 1);
  EXPECT_THAT(ResolverKindFromEnvironment().status().message(),
              HasSubstr("EVERGREEN_RESOLVER='bind'"));
}

}  // namespace
}  // namespace evergreen
