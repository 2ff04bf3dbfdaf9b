// The CAF peer runtime and helpers of the actors suite (see support.h).
#include "bench/actors/support.h"

#include <cstdio>
#include <cstdlib>

namespace evergreen::bench {

CafPeer::CafPeer() : system_(OneWorker(config_)), main_(system_) {
  if (system_.scheduler().num_workers() != 1) {
    Fail("CAF did not honour scheduler.max-threads = 1");
  }
}

CafPeer::~CafPeer() = default;

caf::actor_system_config& CafPeer::OneWorker(caf::actor_system_config& config) {
  config.set("scheduler.max-threads", 1);
  return config;
}

void CafPeer::Run(const caf::actor& driver, std::int64_t n) {
  main_->request(driver, caf::infinite, run_atom::value, n)
      .receive([](done_atom) {},
               [](caf::error&) { Fail("a CAF driver failed"); });
}

void CafPeer::AwaitDone() {
  main_->receive([](done_atom) {});
}

void CafPeer::Stop(std::initializer_list<caf::actor> actors) {
  for (const caf::actor& actor : actors) {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
  }
}

void Fail(const char* what) {
  std::fprintf(stderr, "actors bench: %s\n", what);
  std::abort();
}

}  // namespace evergreen::bench
