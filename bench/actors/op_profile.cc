// op_profile: runs N of one actor operation on one hub, for deterministic
// per-operation measures on a loaded machine (not a Google Benchmark
// binary, and not run by run.py):
//
//   op_profile <op> <n>        op: ask | call | tell | spawn | ring, each
//                              optionally suffixed _hibernating
//
// prints the operator-new calls per operation (a counting global operator
// new, so what the runtime allocates, not what libc does for libev). For
// instructions per operation, run it under callgrind with two counts and
// divide the difference:
//
//   valgrind --tool=callgrind bazel-bin/bench/actors/op_profile ask 20000
//   (minus the same with 10000, divided by 10000)
//
// ask: a pinger actor's handler does Ask(Ping{n}).Get() on a ponger, n
// times; call: the same with Call(Ping{n}). tell: one actor tells a sink n increments (in bursts of 100,
// re-queueing itself between them). spawn: an actor spawns n actors and
// stops each at once; the run ends when all have exited. ring: a token
// goes n hops around a ring of 100 actors. With the suffix _hibernating
// (ring_hibernating, ...) every actor of the op is spawned with
// ActorOptions::hibernate_when_idle: each message into an idle actor then
// starts a greenlet (the cost of hibernation's wake-up).
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "actors/actor.h"
#include "actors/actor_ref.h"
#include "bench/actors/ring_node.h"
#include "framework/event.h"
#include "framework/hub.h"

// GCC sees free() of what the replaced operator new returned; both are
// malloc's here.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

std::atomic<bool> counting{false};
std::atomic<std::int64_t> allocations{0};

}  // namespace

void* operator new(std::size_t size) {
  if (counting.load(std::memory_order_relaxed)) {
    allocations.fetch_add(1, std::memory_order_relaxed);
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace evergreen {
namespace {

// The options of every actor the op spawns (_hibernating sets
// hibernate_when_idle).
ActorOptions options;

struct Ping {
  std::int64_t n;
};
struct Go {
  std::int64_t n;
  Event* done;
};

class Ponger : public ActorBase {
 public:
  std::int64_t Handle(Ping p) { return p.n + 1; }
};

class Pinger : public ActorBase {
 public:
  Pinger(ActorRef<Ponger> ponger, bool call)
      : ponger_(std::move(ponger)), call_(call) {}
  void Handle(Go go) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < go.n; ++i) {
      n = call_ ? *ponger_.Call(Ping{n}) : ponger_.Ask(Ping{n}).Get();
    }
    if (n != go.n) std::abort();
    go.done->Set();
  }

 private:
  ActorRef<Ponger> ponger_;
  bool call_;
};

struct Increment {};
class Sink : public ActorBase {
 public:
  void Handle(Go go) {
    left_ = go.n;
    done_ = go.done;
  }
  void Handle(Increment) {
    if (--left_ == 0) done_->Set();
  }

 private:
  std::int64_t left_ = 0;
  Event* done_ = nullptr;
};

struct Burst {
  std::int64_t left;
};
class Sender : public ActorBase {
 public:
  explicit Sender(ActorRef<Sink> sink) : sink_(std::move(sink)) {}
  void Handle(Burst b) {
    const std::int64_t burst = b.left < 100 ? b.left : 100;
    for (std::int64_t i = 0; i < burst; ++i) (void)sink_.Tell(Increment{});
    if (b.left > burst) {
      (void)ActorRef<Sender>(self().cell()).Tell(Burst{b.left - burst});
    }
  }

 private:
  ActorRef<Sink> sink_;
};

struct Nothing {};
class Idle : public ActorBase {
 public:
  explicit Idle(Go* live) : live_(live) {}
  void Handle(Nothing) {}

 protected:
  void OnStop(const Exit&) override {
    if (--live_->n == 0) live_->done->Set();
  }

 private:
  Go* live_;
};
class Spawner : public ActorBase {
 public:
  explicit Spawner(Go* live) : live_(live) {}
  void Handle(Go go) {
    for (std::int64_t i = 0; i < go.n; ++i) {
      SpawnActor<Idle>(options, live_).Stop();
    }
  }

 private:
  Go* live_;
};

using bench::RingNode;
using bench::SetNext;
using bench::Token;

// Runs `start` (which sends the work) and waits for `done`, counting the
// allocations made meanwhile.
template <typename Start>
std::int64_t Count(Event& done, Start&& start) {
  allocations = 0;
  counting = true;
  start();
  done.Wait();
  counting = false;
  return allocations.load();
}

int Main(const char* op_arg, std::int64_t n) {
  std::string op_name = op_arg;
  constexpr std::string_view kHibernating = "_hibernating";
  if (op_name.size() > kHibernating.size() &&
      op_name.ends_with(kHibernating)) {
    op_name.resize(op_name.size() - kHibernating.size());
    options.hibernate_when_idle = true;
  }
  const char* op = op_name.c_str();
  Event done;
  std::int64_t allocated = 0;
  if (std::strcmp(op, "ask") == 0 || std::strcmp(op, "call") == 0) {
    ActorRef<Pinger> pinger = SpawnActor<Pinger>(
        options, SpawnActor<Ponger>(options), std::strcmp(op, "call") == 0);
    allocated = Count(done, [&] { (void)pinger.Tell(Go{n, &done}); });
  } else if (std::strcmp(op, "tell") == 0) {
    ActorRef<Sink> sink = SpawnActor<Sink>(options);
    ActorRef<Sender> sender = SpawnActor<Sender>(options, sink);
    (void)sink.Tell(Go{n, &done});
    allocated = Count(done, [&] { (void)sender.Tell(Burst{n}); });
  } else if (std::strcmp(op, "spawn") == 0) {
    Go live{n, &done};
    ActorRef<Spawner> spawner = SpawnActor<Spawner>(options, &live);
    allocated = Count(done, [&] { (void)spawner.Tell(Go{n, &done}); });
  } else if (std::strcmp(op, "ring") == 0) {
    std::vector<ActorRef<RingNode>> ring;
    for (int i = 0; i < 100; ++i) {
      ring.push_back(SpawnActor<RingNode>(options, &done));
    }
    for (int i = 0; i < 100; ++i) (void)ring[i].Tell(SetNext{ring[(i + 1) % 100]});
    allocated = Count(done, [&] { (void)ring[0].Tell(Token{n}); });
  } else {
    std::fprintf(stderr, "op_profile: unknown op '%s' (ask|call|tell|spawn|ring)\n",
                 op);
    return 2;
  }
  std::printf("%s n=%lld: %.2f allocations per op\n", op_arg,
              static_cast<long long>(n), static_cast<double>(allocated) / n);
  Hub::DestroyCurrent();
  return 0;
}

}  // namespace
}  // namespace evergreen

int main(int argc, char** argv) {
  if (argc != 3 || std::atoll(argv[2]) <= 0) {
    std::fprintf(stderr,
                 "usage: op_profile ask|call|tell|spawn|ring[_hibernating] "
                 "<n>\n");
    return 2;
  }
  return evergreen::Main(argv[1], std::atoll(argv[2]));
}
