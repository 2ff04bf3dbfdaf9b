// A small key-value store that survives crashes: supervision as in OTP.
//
//   root (one_for_one)
//   ├── sessions   a session counter, registered as "sessions"
//   └── storage    (rest_for_one: if the journal restarts, so do the shards)
//       ├── journal   appends every write to a "disk" that outlives it
//       └── shards    (one_for_one) shard-0 … shard-3, registered by name
//
// A write is acknowledged only after the journal has it and the shard has
// applied it; a restarted shard replays its keys from the journal. A driver
// writes keys while a chaos greenlet crashes shards (and once the journal)
// at random; afterwards every acknowledged key is read back. The printout
// shows the live tree as the live dump lists it (actors/supervisor_dump.h:
// each child's restarts, each supervisor's restart intensity used) and
// the success rate. `kill -USR1` would print it too (framework/dump.h).
//
//   bazel run //samples/supervision_tree
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actors/actor_ref.h"
#include "actors/registry.h"
#include "actors/supervisor.h"
#include "actors/supervisor_dump.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/waiter.h"

namespace {

using evergreen::ActorBase;
using evergreen::ActorRef;
using evergreen::Child;
using evergreen::ChildSpec;
using evergreen::Registry;
using evergreen::SpawnActor;
using evergreen::Strategy;
using evergreen::Supervisor;

constexpr int kShards = 4;
constexpr int kWrites = 2000;

struct Crash {};

// The durable part of the journal: what a disk would keep across crashes.
using Disk = std::vector<std::pair<int, std::string>>;

class Journal : public ActorBase {
 public:
  struct Append {
    int key;
    std::string value;
  };
  struct ReadShard {
    int shard;
  };
  using Messages = std::tuple<Append, ReadShard, Crash>;  // for TellAny
  explicit Journal(std::shared_ptr<Disk> disk) : disk_(std::move(disk)) {}

  void Handle(Append m) { disk_->emplace_back(m.key, std::move(m.value)); }
  Disk Handle(ReadShard m) {
    Disk mine;
    for (const auto& [key, value] : *disk_) {
      if (key % kShards == m.shard) mine.emplace_back(key, value);
    }
    return mine;
  }
  void Handle(Crash) { throw std::runtime_error("journal crashed"); }

 protected:
  void OnStart() override {
    (void)Registry::Current().Register("journal", self());
  }

 private:
  std::shared_ptr<Disk> disk_;
};

class Shard : public ActorBase {
 public:
  struct Put {
    int key;
    std::string value;
  };
  struct Get {
    int key;
  };
  using Messages = std::tuple<Put, Get, Crash>;  // for TellAny
  explicit Shard(int index) : index_(index) {}

  bool Handle(Put m) {
    absl::StatusOr<ActorRef<Journal>> journal =
        Registry::Current().LookupAs<Journal>("journal");
    if (!journal.ok()) return false;
    // Durable first, then applied: only then is the write acknowledged.
    journal->Ask(Journal::Append{m.key, m.value}).Get();
    data_[m.key] = std::move(m.value);
    return true;
  }
  std::string Handle(Get m) {
    auto it = data_.find(m.key);
    return it == data_.end() ? "<missing>" : it->second;
  }
  void Handle(Crash) { throw std::runtime_error("shard crashed"); }

 protected:
  void OnStart() override {
    const std::string name = absl::StrCat("shard-", index_);
    // Replay: everything acknowledged for this shard is in the journal.
    absl::StatusOr<ActorRef<Journal>> journal =
        Registry::Current().LookupAs<Journal>("journal");
    if (journal.ok()) {
      for (auto& [key, value] : journal->Ask(Journal::ReadShard{index_}).Get()) {
        data_[key] = value;
      }
    }
    (void)Registry::Current().Register(name, self());
  }

 private:
  int index_;
  std::map<int, std::string> data_;
};

class Sessions : public ActorBase {
 public:
  struct Open {};
  int Handle(Open) { return ++open_; }

 protected:
  void OnStart() override {
    (void)Registry::Current().Register("sessions", self());
  }

 private:
  int open_ = 0;
};

// Asks the current shard for `key`, retrying while it restarts.
template <typename M>
auto AskShard(int key, M message, int* retries) {
  const std::string name = absl::StrCat("shard-", key % kShards);
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<ActorRef<Shard>> shard =
        Registry::Current().LookupAs<Shard>(name);
    if (shard.ok()) {
      auto reply = shard->Ask(message, absl::Seconds(1)).Result();
      if (reply.ok()) return *std::move(reply);
    }
    ++*retries;
    evergreen::Sleep(absl::Milliseconds(1));  // it is restarting
    if (attempt > 1000) throw std::runtime_error("shard never came back");
  }
}

// The trees of this thread's hub, as the live dump shows them.
void PrintTree() {
  const std::string text =
      evergreen::DescribeSupervisionTrees(*evergreen::Hub::Current());
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

int main() {
  auto disk = std::make_shared<Disk>();
  std::vector<ChildSpec> shards;
  for (int i = 0; i < kShards; ++i) {
    shards.push_back({.id = absl::StrCat("shard-", i),
                      .start = [i]() -> absl::StatusOr<Child> {
                        return Child(SpawnActor<Shard>(
                            {.name = absl::StrCat("shard-", i)}, i));
                      }});
  }
  absl::StatusOr<Supervisor> root = Supervisor::Start(
      {.strategy = Strategy::kOneForOne, .intensity = 5,
       .period = absl::Seconds(1)},
      {{.id = "sessions",
        .start = []() -> absl::StatusOr<Child> {
          return Child(SpawnActor<Sessions>({.name = "sessions"}));
        }},
       Supervisor::Spec(
           "storage",
           {.strategy = Strategy::kRestForOne, .intensity = 5,
            .period = absl::Seconds(1)},
           {{.id = "journal",
             .start = [disk]() -> absl::StatusOr<Child> {
               return Child(SpawnActor<Journal>({.name = "journal"}, disk));
             }},
            Supervisor::Spec("shards",
                             {.strategy = Strategy::kOneForOne,
                              .intensity = 100, .period = absl::Seconds(1)},
                             shards)})},
      {.name = "root"});
  if (!root.ok()) {
    std::fprintf(stderr, "start failed: %s\n", root.status().ToString().c_str());
    return 1;
  }
  std::printf("== the tree at start\n");
  PrintTree();

  // Chaos: crash a random shard every few milliseconds, the journal once.
  bool done = false;
  int crashes = 0;
  auto chaos = evergreen::Spawn([&] {
    std::mt19937 rng(42);
    while (!done) {
      evergreen::Sleep(absl::Milliseconds(2));
      const std::string victim =
          crashes == 10 ? "journal"
                        : absl::StrCat("shard-", rng() % kShards);
      absl::StatusOr<evergreen::AnyActorRef> ref =
          Registry::Current().Lookup(victim);
      if (ref.ok() && ref->TellAny(Crash{}).ok()) ++crashes;
    }
  });

  int retries = 0;
  std::vector<int> acknowledged;
  for (int key = 0; key < kWrites; ++key) {
    // A shard that cannot reach the journal refuses (false): try again.
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (AskShard(key, Shard::Put{key, absl::StrCat("v", key)}, &retries)) {
        acknowledged.push_back(key);
        break;
      }
      ++retries;
      evergreen::Sleep(absl::Milliseconds(1));
    }
    if (key % 50 == 0) evergreen::Sleep(absl::Milliseconds(1));  // pace
    if (key % 500 == 0) {
      absl::StatusOr<ActorRef<Sessions>> sessions =
          Registry::Current().LookupAs<Sessions>("sessions");
      if (sessions.ok()) (void)sessions->Ask(Sessions::Open{}).Wait();
    }
  }
  done = true;
  chaos.Join();

  int lost = 0;
  for (int key : acknowledged) {
    if (AskShard(key, Shard::Get{key}, &retries) != absl::StrCat("v", key)) {
      ++lost;
    }
  }
  std::printf("\n== after %d injected crashes\n", crashes);
  PrintTree();
  std::printf(
      "\nwrites acknowledged: %zu of %d; acknowledged writes lost: %d\n"
      "requests that needed a retry: %d (%.1f%% succeeded first time)\n",
      acknowledged.size(), kWrites, lost, retries,
      100.0 * (2 * kWrites) / (2 * kWrites + retries));
  root->Stop();
  root->Join();
  return lost == 0 ? 0 : 1;
}
