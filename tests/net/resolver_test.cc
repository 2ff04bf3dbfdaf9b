// Resolver: both implementations against a real dnsmasq on loopback, B-H6,
// and Resolver::Default().
#include "net/resolver.h"

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/wait_until.h"
#include "net/ares_resolver.h"
#include "net/resolver_options.h"
#include "net/thread_resolver.h"
#include "tests/net/dnsmasq.h"

namespace evergreen {
namespace {

using ::evergreen::dns_testing::Dnsmasq;
using ::evergreen::dns_testing::SilentUdpServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using Addresses = std::vector<SocketAddress>;

constexpr int kManyNames = 100;

SocketAddress Addr(absl::string_view host, std::uint16_t port) {
  return *SocketAddress::FromHostPort(host, port);
}

std::string ManyName(int i) { return absl::StrCat("host-", i, ".test"); }
std::string ManyAddress(int i) { return absl::StrCat("127.1.0.", i + 1); }

std::vector<Dnsmasq::Record> Records() {
  std::vector<Dnsmasq::Record> records = {
      {"alpha.test", "127.0.0.5"},
      {"beta.test", "::5"},
      {"both.test", "127.0.0.6"},
      {"both.test", "::6"},
  };
  for (int i = 0; i < kManyNames; ++i) {
    records.push_back({ManyName(i), ManyAddress(i)});
  }
  return records;
}

// Sets an environment variable for a scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

enum class Kind { kAres, kThread };

std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  return info.param == Kind::kAres ? "Ares" : "Thread";
}

std::unique_ptr<Resolver> MakeResolver(Kind kind,
                                       const ResolverOptions& options) {
  if (kind == Kind::kAres) {
    absl::StatusOr<std::unique_ptr<AresResolver>> r =
        AresResolver::Create(options);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(*r) : nullptr;
  }
  absl::StatusOr<std::unique_ptr<ThreadResolver>> r =
      ThreadResolver::Create(options);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::move(*r) : nullptr;
}

// A name of /etc/hosts other than localhost, with its first IPv4 address.
std::optional<std::pair<std::string, std::string>> NameFromHostsFile() {
  std::ifstream hosts("/etc/hosts");
  std::string line;
  while (std::getline(hosts, line)) {
    line = line.substr(0, line.find('#'));
    std::vector<std::string> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() < 2 || !SocketAddress::FromHostPort(fields[0], 0).ok() ||
        fields[0].find(':') != std::string::npos) {
      continue;
    }
    for (size_t i = 1; i < fields.size(); ++i) {
      if (fields[i] != "localhost" &&
          fields[i].find('.') == std::string::npos) {
        return std::make_pair(fields[i], fields[0]);
      }
    }
  }
  return std::nullopt;
}

class ResolverTest : public ::testing::TestWithParam<Kind> {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<Dnsmasq>> started =
        Dnsmasq::Start(Records());
    ASSERT_TRUE(started.ok()) << started.status();
    dns_ = std::move(*started).release();
  }
  static void TearDownTestSuite() {
    delete dns_;
    dns_ = nullptr;
  }

  void SetUp() override { ASSERT_NE(dns_, nullptr) << "dnsmasq did not start"; }
  void TearDown() override { Hub::DestroyCurrent(); }

  // A resolver asking only our dnsmasq.
  std::unique_ptr<Resolver> Local() {
    return MakeResolver(
        GetParam(),
        {.servers = {dns_->server()}, .timeout = absl::Seconds(2), .tries = 2});
  }
  // A resolver asking only a server that never answers.
  std::unique_ptr<Resolver> Silent(absl::Duration timeout, int tries) {
    return MakeResolver(
        GetParam(),
        {.servers = {silent_.server()}, .timeout = timeout, .tries = tries});
  }

  static Dnsmasq* dns_;
  SilentUdpServer silent_;
};

Dnsmasq* ResolverTest::dns_ = nullptr;

INSTANTIATE_TEST_SUITE_P(Both, ResolverTest,
                         ::testing::Values(Kind::kAres, Kind::kThread),
                         KindName);

TEST_P(ResolverTest, ResolvesAnIPv4Address) {
  auto resolver = Local();
  absl::StatusOr<Addresses> addrs =
      resolver->GetAddrInfo("alpha.test", 80, AF_INET);
  ASSERT_TRUE(addrs.ok()) << addrs.status();
  EXPECT_THAT(*addrs, ElementsAre(Addr("127.0.0.5", 80)));
}

TEST_P(ResolverTest, ResolvesAnIPv6Address) {
  auto resolver = Local();
  absl::StatusOr<Addresses> addrs =
      resolver->GetAddrInfo("beta.test", 443, AF_INET6);
  ASSERT_TRUE(addrs.ok()) << addrs.status();
  EXPECT_THAT(*addrs, ElementsAre(Addr("::5", 443)));
}

TEST_P(ResolverTest, UnspecifiedFamilyGivesBothFamilies) {
  auto resolver = Local();
  absl::StatusOr<Addresses> addrs = resolver->GetAddrInfo("both.test", 8080);
  ASSERT_TRUE(addrs.ok()) << addrs.status();
  EXPECT_THAT(*addrs,
              UnorderedElementsAre(Addr("127.0.0.6", 8080), Addr("::6", 8080)));
}

TEST_P(ResolverTest, UnknownNameIsNotFoundNamingTheHost) {
  auto resolver = Local();
  absl::StatusOr<Addresses> addrs = resolver->GetAddrInfo("nx.test", 80);
  EXPECT_EQ(addrs.status().code(), absl::StatusCode::kNotFound)
      << addrs.status();
  EXPECT_THAT(addrs.status().message(), HasSubstr("'nx.test'"));
}

TEST_P(ResolverTest, NameWithoutAnAddressOfTheFamilyIsNotFound) {
  auto resolver = Local();
  absl::StatusOr<Addresses> addrs =
      resolver->GetAddrInfo("alpha.test", 80, AF_INET6);
  EXPECT_EQ(addrs.status().code(), absl::StatusCode::kNotFound)
      << addrs.status();
  EXPECT_THAT(addrs.status().message(), HasSubstr("'alpha.test' (IPv6)"));
}

TEST_P(ResolverTest, ManyNamesEachResolveToTheirOwnAddress) {
  auto resolver = Local();
  for (int i = 0; i < kManyNames; ++i) {
    absl::StatusOr<Addresses> addrs =
        resolver->GetAddrInfo(ManyName(i), 1000 + i, AF_INET);
    ASSERT_TRUE(addrs.ok()) << addrs.status();
    EXPECT_THAT(*addrs, ElementsAre(Addr(ManyAddress(i), 1000 + i)));
  }
}

TEST_P(ResolverTest, ThousandConcurrentLookupsFromGreenletsAllSucceed) {
  // A lost answer would be retransmitted only after 30 s, past the 10 s
  // each caller waits: every answer must arrive the first time.
  auto resolver = MakeResolver(
      GetParam(),
      {.servers = {dns_->server()}, .timeout = absl::Seconds(30), .tries = 1});
  constexpr int kLookups = 1000;
  std::vector<Greenlet<absl::StatusOr<Addresses>>> lookups;
  for (int i = 0; i < kLookups; ++i) {
    lookups.push_back(Spawn([&resolver, i] {
      return resolver->GetAddrInfo(ManyName(i % kManyNames), 7, AF_INET,
                                   absl::Seconds(10));
    }));
  }
  for (int i = 0; i < kLookups; ++i) {
    absl::StatusOr<Addresses> addrs = lookups[i].Get();
    ASSERT_TRUE(addrs.ok()) << i << ": " << addrs.status();
    EXPECT_THAT(*addrs, ElementsAre(Addr(ManyAddress(i % kManyNames), 7)));
  }
}

TEST_P(ResolverTest, NumericHostsAreAnsweredWithoutAServer) {
  // Asking the silent server would end in DeadlineExceeded.
  auto resolver = Silent(absl::Seconds(5), 1);
  const absl::Duration wait = absl::Seconds(1);
  EXPECT_THAT(*resolver->GetAddrInfo("10.1.2.3", 80, AF_UNSPEC, wait),
              ElementsAre(Addr("10.1.2.3", 80)));
  EXPECT_THAT(*resolver->GetAddrInfo("::1", 53, AF_INET6, wait),
              ElementsAre(Addr("::1", 53)));
  EXPECT_EQ(
      resolver->GetAddrInfo("10.1.2.3", 80, AF_INET6, wait).status().code(),
      absl::StatusCode::kNotFound);
}

TEST_P(ResolverTest, HostsFileIsHonoured) {
  std::optional<std::pair<std::string, std::string>> entry =
      NameFromHostsFile();
  if (!entry.has_value()) GTEST_SKIP() << "/etc/hosts has no name to try";
  auto resolver = Silent(absl::Seconds(5), 1);
  absl::StatusOr<Addresses> addrs =
      resolver->GetAddrInfo(entry->first, 80, AF_INET, absl::Seconds(1));
  ASSERT_TRUE(addrs.ok()) << entry->first << ": " << addrs.status();
  EXPECT_THAT(*addrs, ::testing::Contains(Addr(entry->second, 80)));
}

TEST_P(ResolverTest, LocalhostIsLoopback) {
  auto resolver = Silent(absl::Seconds(5), 1);
  absl::StatusOr<Addresses> addrs =
      resolver->GetAddrInfo("localhost", 80, AF_INET, absl::Seconds(1));
  ASSERT_TRUE(addrs.ok()) << addrs.status();
  EXPECT_THAT(*addrs, ::testing::Contains(Addr("127.0.0.1", 80)));
}

TEST_P(ResolverTest, CallTimeoutShorterThanTheResolversEndsTheWait) {
  auto resolver = Silent(absl::Seconds(2), 1);
  const absl::Time start = absl::Now();
  absl::StatusOr<Addresses> addrs = resolver->GetAddrInfo(
      "alpha.test", 80, AF_UNSPEC, absl::Milliseconds(100));
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(addrs.status().code(), absl::StatusCode::kDeadlineExceeded)
      << addrs.status();
  EXPECT_THAT(addrs.status().message(), HasSubstr("'alpha.test'"));
  EXPECT_GE(waited, absl::Milliseconds(100));
  EXPECT_LT(waited, absl::Seconds(2)) << "waited for the resolver's timeout";
}

TEST_P(ResolverTest, KilledLookupLeavesTheResolverUsable) {
  auto resolver = Local();
  // The turns until the lookup has started may poll I/O (fair
  // scheduling), so on a fast or a loaded machine the answer can come
  // within them: try until a lookup is killed while it still waits for its
  // answer.
  bool killed_in_flight = false;
  for (int attempt = 0; attempt < 50 && !killed_in_flight; ++attempt) {
    bool asking = false;
    auto killed = Spawn([&] {
      asking = true;
      return resolver->GetAddrInfo("alpha.test", 80);
    });
    // It starts and waits for the answer (or has it already).
    ASSERT_TRUE(WaitForFlag(asking, "the lookup started"));
    if (killed.ready()) continue;
    killed.Kill();
    EXPECT_TRUE(killed.killed());
    killed_in_flight = true;
  }
  ASSERT_TRUE(killed_in_flight) << "every lookup was answered within a turn";
  // The abandoned answer arrives meanwhile and is dropped.
  for (int i = 0; i < 10; ++i) {
    absl::StatusOr<Addresses> addrs = resolver->GetAddrInfo("both.test", 80);
    ASSERT_TRUE(addrs.ok()) << addrs.status();
    EXPECT_EQ(addrs->size(), 2u);
  }
}

TEST_P(ResolverTest, LookupKilledWhileTheServerIsSilentLeavesNothingBehind) {
  auto resolver = Silent(absl::Seconds(1), 1);
  auto killed = Spawn([&] { return resolver->GetAddrInfo("alpha.test", 80); });
  ASSERT_TRUE(WaitUntilAllBlocked());  // it waits for the answer
  killed.Kill();
  EXPECT_TRUE(killed.killed());
  // Its lookup is still in flight, and the resolver still serves others;
  // destroying the resolver releases it (ASan checks).
  EXPECT_EQ(
      resolver->GetAddrInfo("beta.test", 80, AF_UNSPEC, absl::Milliseconds(50))
          .status()
          .code(),
      absl::StatusCode::kDeadlineExceeded);
}

TEST_P(ResolverTest, BadArgumentsAreInvalid) {
  auto resolver = Local();
  EXPECT_EQ(resolver->GetAddrInfo("", 80).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      resolver->GetAddrInfo(absl::string_view("a\0b", 3), 80).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(resolver->GetAddrInfo("alpha.test", 80, AF_UNIX).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ResolverTest, UseFromAnotherThreadIsRefused) {
  auto resolver = Local();
  bool refused = false;
  std::thread other([&] {
    try {
      resolver->GetAddrInfo("alpha.test", 80).IgnoreError();
    } catch (const WrongThreadError&) {
      refused = true;
    }
  });
  other.join();
  EXPECT_TRUE(refused);
}

TEST_P(ResolverTest, DefaultFollowsTheEnvironment) {
  ScopedEnv kind("EVERGREEN_RESOLVER",
                 GetParam() == Kind::kAres ? "ares" : "thread");
  ScopedEnv servers("EVERGREEN_RESOLVER_SERVERS", dns_->server());
  ScopedEnv timeout("EVERGREEN_RESOLVER_TIMEOUT", "1.5");
  ScopedEnv tries("EVERGREEN_RESOLVER_TRIES", "2");
  Resolver* resolver = Resolver::Default();
  EXPECT_EQ(resolver, Resolver::Default());
  if (GetParam() == Kind::kAres) {
    EXPECT_NE(dynamic_cast<AresResolver*>(resolver), nullptr);
  } else {
    EXPECT_NE(dynamic_cast<ThreadResolver*>(resolver), nullptr);
  }
  absl::StatusOr<Addresses> addrs =
      resolver->GetAddrInfo("alpha.test", 80, AF_INET);
  ASSERT_TRUE(addrs.ok()) << addrs.status();
  EXPECT_THAT(*addrs, ElementsAre(Addr("127.0.0.5", 80)));
}

// --- c-ares only ------------------------------------------------------------

class AresResolverTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
  SilentUdpServer silent_;
};

// B-H6
TEST_F(AresResolverTest, SilentServerFailsWithDeadlineExceededAfterItsTries) {
  const absl::Duration timeout = absl::Milliseconds(200);
  const int tries = 2;
  auto resolver = *AresResolver::Create(
      {.servers = {silent_.server()}, .timeout = timeout, .tries = tries});
  const absl::Time start = absl::Now();
  absl::StatusOr<Addresses> addrs = resolver->GetAddrInfo("alpha.test", 80);
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(addrs.status().code(), absl::StatusCode::kDeadlineExceeded)
      << addrs.status();
  EXPECT_THAT(addrs.status().message(), HasSubstr("'alpha.test'"));
  // c-ares doubles the wait each round: 200 ms + 400 ms. Generous bounds.
  EXPECT_GE(waited, timeout * tries);
  EXPECT_LT(waited, timeout * ((1 << tries) - 1) + absl::Seconds(2));
}

TEST_F(AresResolverTest, DestroyingTheResolverCancelsLookupsInFlight) {
  auto resolver = *AresResolver::Create(
      {.servers = {silent_.server()}, .timeout = absl::Seconds(5), .tries = 1});
  auto lookup = Spawn([&] { return resolver->GetAddrInfo("alpha.test", 80); });
  ASSERT_TRUE(WaitUntilAllBlocked());  // it waits for the answer
  resolver.reset();
  absl::StatusOr<Addresses> addrs = lookup.Get();
  EXPECT_EQ(addrs.status().code(), absl::StatusCode::kCancelled)
      << addrs.status();
}

TEST_F(AresResolverTest, LookupsBeyondTheLimitWaitTheirTurn) {
  auto resolver = *AresResolver::Create(
      {.servers = {silent_.server()}, .timeout = absl::Seconds(5), .tries = 1});
  auto lookup = [&resolver](const char* host) {
    return Spawn([&resolver, host] { return resolver->GetAddrInfo(host, 80); });
  };
  std::vector<Greenlet<absl::StatusOr<Addresses>>> in_flight;
  for (int i = 0; i < AresResolver::kMaxLookupsInFlight; ++i) {
    in_flight.push_back(lookup("alpha.test"));
  }
  auto waiting = lookup("beta.test");
  auto killed_while_waiting = lookup("gamma.test");
  ASSERT_TRUE(WaitUntilAllBlocked());  // all of them start
  // Only the lookups in flight were sent, each an A and an AAAA query.
  const int sent = 2 * AresResolver::kMaxLookupsInFlight;
  EXPECT_EQ(silent_.TakeQueries(sent, absl::Seconds(2)), sent);
  // A caller waiting for a slot still gets its own timeout.
  EXPECT_EQ(
      resolver->GetAddrInfo("delta.test", 80, AF_UNSPEC, absl::Milliseconds(50))
          .status()
          .code(),
      absl::StatusCode::kDeadlineExceeded);
  killed_while_waiting.Kill();
  EXPECT_TRUE(killed_while_waiting.killed());
  EXPECT_FALSE(waiting.ready());
  EXPECT_EQ(silent_.TakeQueries(0, absl::ZeroDuration()), 0);
  resolver.reset();  // ends the lookups in c-ares and the waits for a slot
  EXPECT_EQ(waiting.Get().status().code(), absl::StatusCode::kCancelled);
  for (const auto& g : in_flight) {
    EXPECT_EQ(g.Get().status().code(), absl::StatusCode::kCancelled);
  }
}

TEST_F(AresResolverTest, BadOptionsAreRefused) {
  EXPECT_EQ(AresResolver::Create({.servers = {"dns.example"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AresResolver::Create({.tries = 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      AresResolver::Create({.timeout = -absl::Seconds(1)}).status().code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      AresResolver::Create({.servers = {"[::1]:5353", "127.0.0.1"}}).ok());
}

// --- thread resolver only ----------------------------------------------------

class ThreadResolverTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

TEST_F(ThreadResolverTest, SilentServerIsUnavailableAfterItsTries) {
  SilentUdpServer silent;
  auto resolver = *ThreadResolver::Create(
      {.servers = {silent.server()}, .timeout = absl::Seconds(1), .tries = 1});
  absl::StatusOr<Addresses> addrs = resolver->GetAddrInfo("alpha.test", 80);
  EXPECT_EQ(addrs.status().code(), absl::StatusCode::kUnavailable)
      << addrs.status();
  EXPECT_THAT(addrs.status().message(), HasSubstr("'alpha.test'"));
}

TEST_F(ThreadResolverTest, OptionsGlibcCannotTakeAreRefused) {
  EXPECT_EQ(ThreadResolver::Create({.servers = {"[::1]:53"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ThreadResolver::Create({.servers = {"127.0.0.1", "127.0.0.2",
                                                "127.0.0.3", "127.0.0.4"}})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ThreadResolver::Create({}).ok());
}

// --- Resolver::Default() ----------------------------------------------------

class DefaultResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Hub::Current()->SetErrorHandler(
        [this](absl::string_view where, std::exception_ptr error) {
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            reports_.push_back(absl::StrCat(where, ": ", e.what()));
          }
        });
  }
  void TearDown() override { Hub::DestroyCurrent(); }
  std::vector<std::string> reports_;
};

TEST_F(DefaultResolverTest, OnePerHubAresUnlessTold) {
  ScopedEnv kind("EVERGREEN_RESOLVER", "");
  Resolver* resolver = Resolver::Default();
  EXPECT_NE(dynamic_cast<AresResolver*>(resolver), nullptr);
  EXPECT_EQ(Resolver::Default(), resolver);
  Resolver* other_thread = nullptr;
  std::thread([&] {
    other_thread = Resolver::Default();
    Hub::DestroyCurrent();
  }).join();
  EXPECT_NE(other_thread, resolver);
  EXPECT_TRUE(reports_.empty());
}

TEST_F(DefaultResolverTest, UnknownKindIsReportedAndAresIsUsed) {
  ScopedEnv kind("EVERGREEN_RESOLVER", "bogus");
  EXPECT_NE(dynamic_cast<AresResolver*>(Resolver::Default()), nullptr);
  EXPECT_THAT(reports_,
              ElementsAre(AllOf(HasSubstr("Resolver::Default"),
                                HasSubstr("EVERGREEN_RESOLVER='bogus'"),
                                HasSubstr("using ares"))));
}

TEST_F(DefaultResolverTest, BadOptionsAreReportedAndTheSystemsAreUsed) {
  ScopedEnv kind("EVERGREEN_RESOLVER", "thread");
  ScopedEnv tries("EVERGREEN_RESOLVER_TRIES", "many");
  EXPECT_NE(dynamic_cast<ThreadResolver*>(Resolver::Default()), nullptr);
  EXPECT_THAT(reports_,
              ElementsAre(HasSubstr("EVERGREEN_RESOLVER_TRIES='many'")));
}

}  // namespace
}  // namespace evergreen

namespace evergreen {
namespace {

// One resolver contract: the same inputs give the same outcome (code, and
// the address when found) from c-ares and from getaddrinfo. Numeric
// addresses are accepted in standard form only (inet_pton): inet_aton's
// shorthand forms are refused by both, since they read differently to
// people and to filters (0177.0.0.1 is 127.0.0.1).
struct ContractCase {
  std::string host;
  absl::StatusCode code;
  std::string address;  // when OK: the first address
};

std::vector<ContractCase> ContractTable() {
  const std::string long_label(64, 'a');
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(63, 'b') + ".";
  long_name += "test";  // 256 bytes
  return {
      {"alpha.test", absl::StatusCode::kOk, "127.0.0.5"},
      {"ALPHA.Test", absl::StatusCode::kOk, "127.0.0.5"},
      {"alpha.test.", absl::StatusCode::kOk, "127.0.0.5"},
      {"127.0.0.1", absl::StatusCode::kOk, "127.0.0.1"},
      {"::ffff:127.0.0.1", absl::StatusCode::kOk, "::ffff:127.0.0.1"},
      {"nosuch.test", absl::StatusCode::kNotFound, ""},
      {"under_score.test", absl::StatusCode::kNotFound, ""},
      {"0x7f.1", absl::StatusCode::kInvalidArgument, ""},
      {"127.1", absl::StatusCode::kInvalidArgument, ""},
      {"0177.0.0.1", absl::StatusCode::kInvalidArgument, ""},
      {"2130706433", absl::StatusCode::kInvalidArgument, ""},
      {"127.0.0.1 x", absl::StatusCode::kInvalidArgument, ""},
      {"has space.test", absl::StatusCode::kInvalidArgument, ""},
      {"tab\tname.test", absl::StatusCode::kInvalidArgument, ""},
      {"a..test", absl::StatusCode::kInvalidArgument, ""},
      {".alpha.test", absl::StatusCode::kInvalidArgument, ""},
      {".", absl::StatusCode::kInvalidArgument, ""},
      {long_label + ".test", absl::StatusCode::kInvalidArgument, ""},
      {long_name, absl::StatusCode::kInvalidArgument, ""},
      {"[::1]", absl::StatusCode::kInvalidArgument, ""},
      {"alpha.test:80", absl::StatusCode::kInvalidArgument, ""},
      {"fe80::1%lo", absl::StatusCode::kInvalidArgument, ""},
  };
}

TEST_P(ResolverTest, SameInputsGiveTheSameOutcomeFromBothResolvers) {
  auto resolver = Local();
  for (const ContractCase& c : ContractTable()) {
    absl::StatusOr<Addresses> got =
        resolver->GetAddrInfo(c.host, 80, AF_INET, absl::Seconds(10));
    if (c.code == absl::StatusCode::kInvalidArgument) {
      // v4 and v6 alike: the argument is refused before any lookup.
      EXPECT_EQ(resolver->GetAddrInfo(c.host, 80, AF_UNSPEC).status().code(),
                c.code)
          << c.host;
    }
    if (c.host == "::ffff:127.0.0.1") {
      got = resolver->GetAddrInfo(c.host, 80, AF_INET6, absl::Seconds(10));
    }
    EXPECT_EQ(got.status().code(), c.code)
        << "'" << c.host << "': " << got.status();
    if (c.code == absl::StatusCode::kOk && got.ok()) {
      ASSERT_FALSE(got->empty()) << c.host;
      EXPECT_EQ(got->front(), Addr(c.address, 80)) << c.host;
    } else if (!got.ok()) {
      EXPECT_THAT(got.status().message(), HasSubstr("resolve '")) << c.host;
    }
  }
}

}  // namespace
}  // namespace evergreen
