// gtest main of every test target under tests/ (not the fuzz targets): runs
// the tests with the leak check of leak_check.h after each one.
#include <dirent.h>

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "framework/hub.h"
#include "framework/hub_stats.h"
#include "gtest/gtest.h"
#include "tests/testing/leak_check.h"

namespace evergreen::leak_check {
namespace {

struct Expected {
  bool leftovers = false;
  int extra_fds = 0;
};
Expected expected;

class LeakCheck : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo&) override {
    expected = Expected{};
    fds_ = static_cast<int>(OpenFdCount() - ProcessWideEvergreenFds());
    leftovers_ = HubLeftoversSoFar();
    Hub* hub = Hub::CurrentIfExists();
    stats_ = hub != nullptr ? hub->stats() : HubStats{};
  }

  void OnTestEnd(const ::testing::TestInfo&) override {
    const HubLeftovers now = HubLeftoversSoFar();
    const HubLeftovers left{
        .greenlets_killed = now.greenlets_killed - leftovers_.greenlets_killed,
        .calls_dropped = now.calls_dropped - leftovers_.calls_dropped,
        .callbacks_discarded =
            now.callbacks_discarded - leftovers_.callbacks_discarded,
        .watchers_left = now.watchers_left - leftovers_.watchers_left};
    if (!expected.leftovers) {
      EXPECT_EQ(left.total(), 0u)
          << "leak check: a hub destroyed during the test still had "
          << left.ToString()
          << " (call evergreen::leak_check::ExpectLeftovers(why) if the test "
             "means to leave them)";
    }
    if (Hub* hub = Hub::CurrentIfExists()) {
      const HubStats stats = hub->stats();
      if (!expected.leftovers) {
        const bool grew = stats.greenlets > stats_.greenlets ||
                          stats.callbacks > stats_.callbacks ||
                          stats.pending_calls > stats_.pending_calls ||
                          stats.posted > stats_.posted ||
                          stats.active_watchers > stats_.active_watchers;
        EXPECT_FALSE(grew)
            << "leak check: the test left alive on its hub "
            << stats.ToString() << " (at its start: " << stats_.ToString()
            << "; call evergreen::leak_check::ExpectLeftovers(why) if it means "
               "to)";
      }
      Hub::DestroyCurrent();  // the shared teardown
    }
    // Process-wide fds first: a background reaper closing one between the
    // two reads then errs on the lenient side (as at the start).
    const std::int64_t process_wide = ProcessWideEvergreenFds();
    const int fds = static_cast<int>(OpenFdCount() - process_wide);
    EXPECT_LE(fds, fds_ + expected.extra_fds)
        << "leak check: the test left " << fds - fds_
        << " more file descriptors open than it found (Evergreen-owned now: "
        << OpenEvergreenFds() << ")";
  }

 private:
  int fds_ = 0;
  HubLeftovers leftovers_;
  HubStats stats_;
};

}  // namespace

void ExpectLeftovers(absl::string_view why) {
  expected.leftovers = true;
  ::testing::Test::RecordProperty("expected_leftovers", std::string(why));
}

void ExpectFdsOpened(int count, absl::string_view why) {
  expected.extra_fds += count;
  ::testing::Test::RecordProperty("expected_fds", std::string(why));
}

int OpenFdCount() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int count = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

}  // namespace evergreen::leak_check

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(
      new evergreen::leak_check::LeakCheck);
  return RUN_ALL_TESTS();
}
