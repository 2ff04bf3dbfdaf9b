// The live dump's actors and supervision trees (B-OS4): every actor with
// its mailbox depth, links and monitors, and every supervision tree with
// restart counts and intensity used, each hub's part read on its own
// thread.
#include "actors/actor_dump.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "actors/actor.h"
#include "actors/actor_on_hub.h"
#include "actors/supervisor.h"
#include "actors/supervisor_dump.h"
#include "framework/dump.h"
#include "framework/dump_section.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/hub_group.h"
#include "framework/keep_alive.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/actors/dump_probe.h"
#include "tests/testing/leak_check.h"

namespace evergreen {
namespace {

using ::evergreen::testing::Crash;
using ::evergreen::testing::Hold;
using ::evergreen::testing::LinkTo;
using ::evergreen::testing::Ping;
using ::evergreen::testing::Probe;
using ::evergreen::testing::StartLog;
using ::evergreen::testing::Watch;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Duration kLong = absl::Seconds(30);
constexpr const char kProbe[] = "evergreen::testing::Probe";
constexpr const char kSupervisor[] = "evergreen::internal::SupervisorActor";

class ActorDumpTest : public ::testing::Test {
 protected:
  void TearDown() override { Hub::DestroyCurrent(); }
};

// The part of `dump` under the hub titled `title` (up to the next hub).
std::string PartOf(const std::string& dump, const std::string& title) {
  const std::size_t at = dump.find(absl::StrCat(title, ","));
  if (at == std::string::npos) return "";
  const std::size_t next = dump.find("\nhub of thread ", at);
  return dump.substr(at, next == std::string::npos ? std::string::npos
                                                   : next + 1 - at);
}

// The section `header` (e.g. "  actors (3):") of `part`: its header and
// the lines indented deeper, as one string.
std::string Section(const std::string& part, const std::string& header) {
  std::string out;
  bool in = false;
  for (absl::string_view line : absl::StrSplit(part, '\n')) {
    if (line == header) {
      in = true;
    } else if (in && !absl::StartsWith(line, "    ")) {
      break;
    }
    if (in) absl::StrAppend(&out, line, "\n");
  }
  return out;
}

void WaitStarted(StartLog& log, std::size_t n) {
  HubKeepAlive alive;  // starts may be set from another hub
  ASSERT_TRUE(log.started.at(n - 1).Wait(kLong)) << "start " << n;
}

// B-OS4: each actor with its mailbox depth, links and monitors; an actor
// that exits leaves the listing, and its links with it.
TEST_F(ActorDumpTest, ListsActorsWithMailboxDepthLinksAndMonitors) {
  leak_check::ExpectFdsOpened(
      16, "symbolizing frames caches open ELF files process-wide");
  Event entered, release;
  ActorRef<Probe> busy =
      SpawnActor<Probe>({.name = "busy"}, nullptr, &entered, &release);
  ActorRef<Probe> peer = SpawnActor<Probe>({.name = "peer"});
  ActorRef<Probe> watcher = SpawnActor<Probe>({.name = "watcher"});
  peer.Ask(LinkTo{busy}).Get();
  watcher.Ask(Watch{busy}).Get();
  ASSERT_TRUE(busy.Tell(Hold{}).ok());
  ASSERT_TRUE(entered.Wait(kLong));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(busy.Tell(Ping{}).ok());

  const std::string dump = DumpHubs(kLong);
  EXPECT_EQ(Section(PartOf(dump, HubTitle(Hub::Current())), "  actors (3):"),
            absl::StrCat(
                "  actors (3):\n",
                "    'busy' (", kProbe,
                "): mailbox 3, links ['peer'], monitored by ['watcher']\n",
                "    'peer' (", kProbe,
                "): mailbox 0, links ['busy'], monitored by []\n",
                "    'watcher' (", kProbe,
                "): mailbox 0, links [], monitored by []\n"))
      << dump;
  // The actor's greenlet is listed too, waiting in its handler.
  EXPECT_THAT(dump, HasSubstr("greenlet 'busy': waiting in"));

  release.Set();
  busy.Stop();
  ASSERT_TRUE(busy.Join(kLong));
  const std::string after = DescribeActors(*Hub::Current());
  EXPECT_EQ(after, absl::StrCat("  actors (2):\n", "    'peer' (", kProbe,
                                "): mailbox 0, links [], monitored by []\n",
                                "    'watcher' (", kProbe,
                                "): mailbox 0, links [], monitored by []\n"));
  peer.Stop();
  watcher.Stop();
  ASSERT_TRUE(peer.Join(kLong));
  ASSERT_TRUE(watcher.Join(kLong));
  EXPECT_EQ(DescribeActors(*Hub::Current()), "");
}

// B-OS4: a supervision tree with a child that crashed and was restarted:
// restart counts per child, intensity used per supervisor, nesting.
TEST_F(ActorDumpTest, ShowsSupervisionTreeWithRestartCountsAndIntensity) {
  leak_check::ExpectFdsOpened(
      16, "symbolizing frames caches open ELF files process-wide");
  StartLog workers(3);
  absl::StatusOr<Supervisor> root = Supervisor::Start(
      {.strategy = Strategy::kOneForOne, .intensity = 5,
       .period = absl::Hours(1)},
      {{.id = "worker",
        .start = [&workers]() -> absl::StatusOr<Child> {
          return Child(SpawnActor<Probe>({.name = "worker"}, &workers));
        }},
       Supervisor::Spec("inner",
                        {.strategy = Strategy::kOneForAll, .intensity = 3,
                         .period = absl::Hours(1)},
                        {{.id = "leaf",
                          .start = []() -> absl::StatusOr<Child> {
                            return Child(SpawnActor<Probe>({.name = "leaf"}));
                          }}})},
      {.name = "root"});
  ASSERT_TRUE(root.ok()) << root.status();
  WaitStarted(workers, 1);
  for (std::size_t crash = 1; crash <= 2; ++crash) {
    ASSERT_TRUE(ActorRef<Probe>(workers.Ref(crash - 1).cell())
                    .Tell(Crash{})
                    .ok());
    WaitStarted(workers, crash + 1);
  }

  const std::string dump = DumpHubs(kLong);
  EXPECT_EQ(
      Section(PartOf(dump, HubTitle(Hub::Current())), "  supervision trees:"),
      "  supervision trees:\n"
      "    supervisor 'root' (one_for_one, 2 of 5 restarts in the last 1h)\n"
      "      worker: running actor 'worker', restarts 2\n"
      "      inner: running supervisor 'inner', restarts 0 (one_for_all, 0 "
      "of 3 restarts in the last 1h)\n"
      "        leaf: running actor 'leaf', restarts 0\n")
      << dump;
  // The supervisors are actors too.
  EXPECT_THAT(dump, HasSubstr(absl::StrCat("    'root' (", kSupervisor,
                                           "): mailbox 0")));
  root->Stop();
  ASSERT_TRUE(root->Join(kLong));
  EXPECT_EQ(DescribeSupervisionTrees(*Hub::Current()), "");
}

// B-OS4 across two hubs (B-M2): each hub lists its own actors and trees,
// read on its own thread; a child supervisor on another hub is named where
// its parent is and listed under its own hub; cross-hub links and
// monitors show by name on both sides.
TEST_F(ActorDumpTest, EachHubListsItsOwnActorsAndTreesAcrossHubs) {
  leak_check::ExpectFdsOpened(
      16, "symbolizing frames caches open ELF files process-wide");
  HubGroup hubs({.threads = 2});
  StartLog workers(2);
  absl::StatusOr<Supervisor> root =
      hubs.Spawn(0, [&hubs, &workers]() {
            return Supervisor::Start(
                {.strategy = Strategy::kOneForOne, .intensity = 3,
                 .period = absl::Hours(1)},
                {{.id = "remote",
                  .start = [&hubs, &workers]() -> absl::StatusOr<Child> {
                    return *hubs.Spawn(1, [&workers]() -> absl::StatusOr<Child> {
                      absl::StatusOr<Supervisor> sup = Supervisor::Start(
                          {.strategy = Strategy::kOneForOne, .intensity = 3,
                           .period = absl::Hours(1)},
                          {{.id = "worker1",
                            .start = [&workers]() -> absl::StatusOr<Child> {
                              return Child(SpawnActor<Probe>(
                                  {.name = "worker1"}, &workers));
                            }}},
                          {.name = "hub1_sup"});
                      if (!sup.ok()) return sup.status();
                      return sup->AsChild();
                    }).Result();
                  },
                  .type = ChildType::kSupervisor}},
                {.name = "root"});
          })
          .Get(kLong);
  ASSERT_TRUE(root.ok()) << root.status();
  WaitStarted(workers, 1);
  {
    HubKeepAlive alive;
    ASSERT_TRUE(ActorRef<Probe>(workers.Ref(0).cell()).Tell(Crash{}).ok());
  }
  WaitStarted(workers, 2);
  ActorRef<Probe> worker1(workers.Ref(1).cell());

  absl::StatusOr<ActorRef<Probe>> local =
      SpawnActorOn<Probe>(hubs, 0, {.name = "local"});
  ASSERT_TRUE(local.ok()) << local.status();
  absl::StatusOr<ActorRef<Probe>> watcher =
      SpawnActorOn<Probe>(hubs, 0, {.name = "watcher"});
  ASSERT_TRUE(watcher.ok()) << watcher.status();
  local->Ask(LinkTo{worker1}).Get();
  watcher->Ask(Watch{root->ref()}).Get();
  // The link's other half travels to hub 1 through worker1's inbox, ahead
  // of this Ask: once answered, both halves are in place.
  worker1.Ask(Ping{}).Get();

  const std::string dump = DumpHubs(kLong);
  const std::string hub0 = PartOf(dump, HubTitle(hubs.hub(0)));
  const std::string hub1 = PartOf(dump, HubTitle(hubs.hub(1)));
  EXPECT_EQ(Section(hub0, "  actors (3):"),
            absl::StrCat("  actors (3):\n", "    'root' (", kSupervisor,
                         "): mailbox 0, links [], monitored by ['watcher']\n",
                         "    'local' (", kProbe,
                         "): mailbox 0, links ['worker1'], monitored by []\n",
                         "    'watcher' (", kProbe,
                         "): mailbox 0, links [], monitored by []\n"))
      << dump;
  EXPECT_EQ(Section(hub0, "  supervision trees:"),
            absl::StrCat("  supervision trees:\n"
                         "    supervisor 'root' (one_for_one, 0 of 3 restarts "
                         "in the last 1h)\n"
                         "      remote: running supervisor 'hub1_sup', "
                         "restarts 0, on ",
                         HubTitle(hubs.hub(1)),
                         " (its tree is listed there)\n"))
      << dump;
  EXPECT_EQ(Section(hub1, "  actors (2):"),
            absl::StrCat("  actors (2):\n", "    'hub1_sup' (", kSupervisor,
                         "): mailbox 0, links [], monitored by []\n",
                         "    'worker1' (", kProbe,
                         "): mailbox 0, links ['local'], monitored by []\n"))
      << dump;
  EXPECT_EQ(Section(hub1, "  supervision trees:"),
            "  supervision trees:\n"
            "    supervisor 'hub1_sup' (one_for_one, 1 of 3 restarts in the "
            "last 1h)\n"
            "      worker1: running actor 'worker1', restarts 1\n")
      << dump;
  EXPECT_THAT(hub0, Not(HasSubstr("worker1: running"))) << dump;

  root->Stop();
  local->Stop();
  watcher->Stop();
  EXPECT_TRUE(root->Join(kLong));
  EXPECT_TRUE(local->Join(kLong));
  EXPECT_TRUE(watcher->Join(kLong));
  hubs.Stop();
}

}  // namespace
}  // namespace evergreen
