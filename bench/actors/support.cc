// The CAF peer runtime and helpers of the actors suite (see support.h).
#include "bench/actors/support.h"

#include <cstdio>
#include <cstdlib>

namespace evergreen::bench {

CafPeer::CafPeer(int workers)
    : system_(Workers(config_, workers)), main_(system_) {
  if (system_.scheduler().num_workers() != static_cast<std::size_t>(workers)) {
    Fail("CAF did not honour scheduler.max-threads");
  }
}

CafPeer::~CafPeer() = default;

caf::actor_system_config& CafPeer::Workers(caf::actor_system_config& config,
                                           int workers) {
  config.set("scheduler.max-threads", workers);
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
