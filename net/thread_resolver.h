// ThreadResolver: the system's getaddrinfo, run on a ThreadPool while the
// calling greenlet waits (gevent.resolver.thread).
//
//   evergreen::ThreadResolver resolver;   // system configuration
//   absl::StatusOr<std::vector<evergreen::SocketAddress>> addrs =
//       resolver.GetAddrInfo("example.internal", 443);
//
//   // Other servers, timeout or tries (glibc's limits: IPv4 servers, <= 3):
//   auto custom = evergreen::ThreadResolver::Create(
//       {.servers = {"127.0.0.1:5353"}, .tries = 2});
//
// Everything glibc does applies: nsswitch.conf ("files dns": the hosts file
// first), resolv.conf's search domains, ndots and options. Numeric hosts are
// answered at once without a thread.
//
// Options go where getaddrinfo reads them: into the per-thread glibc
// resolver state (_res) of the threads that run the lookups, marked
// RES_NORELOAD so that glibc keeps them. So that no other work sees them, a
// resolver with options runs on a ThreadPool of its own; one without runs
// on the hub's ThreadPool::Default(). Those threads no longer follow later
// edits of resolv.conf. glibc keeps the timeout in whole seconds: it is
// rounded up.
//
// Timeouts: glibc reports "no answer" and "the server failed" alike
// (EAI_AGAIN), so both are Unavailable here; the per-call `timeout` of
// GetAddrInfo is DeadlineExceeded. A lookup the caller gave up on finishes
// on its thread and its answer is dropped.
//
// Thread affinity: the resolver belongs to the hub of the thread that
// created it; GetAddrInfo from another thread throws WrongThreadError.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_NET_THREAD_RESOLVER_H_
#define EVERGREEN_NET_THREAD_RESOLVER_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/hub.h"
#include "framework/thread_pool.h"
#include "net/address.h"
#include "net/resolver.h"
#include "net/resolver_options.h"

namespace evergreen {
namespace internal {
struct GlibcResolverOverrides;
}  // namespace internal

class ThreadResolver final : public Resolver {
 public:
  // The system's configuration, on the calling thread's hub's
  // ThreadPool::Default().
  ThreadResolver();

  // With options set, lookups run on a pool of their own (`pool`) whose
  // threads carry the options; with `options` empty, as ThreadResolver().
  // Errors: InvalidArgument for bad options, an IPv6 server or more than
  // three servers (glibc's _res holds three IPv4 servers).
  static absl::StatusOr<std::unique_ptr<ThreadResolver>> Create(
      const ResolverOptions& options, ThreadPoolOptions pool = {});

  // With a pool of its own: blocks the OS thread until the lookups running
  // on it finish (at most about the servers' timeout × tries).
  // REQUIRES: its hub's thread, before the hub is destroyed.
  ~ThreadResolver() override;
  ThreadResolver(const ThreadResolver&) = delete;
  ThreadResolver& operator=(const ThreadResolver&) = delete;

  // See Resolver::GetAddrInfo. Blocks the calling greenlet until
  // getaddrinfo returns on a pool thread or `timeout` passes
  // (DeadlineExceeded). Errors: NotFound (EAI_NONAME, EAI_NODATA,
  // EAI_ADDRFAMILY); Unavailable for EAI_AGAIN (no answer or a server
  // failure) and everything else, with glibc's reason; Cancelled when the
  // pool is destroyed first; InvalidArgument for an empty host or an
  // unknown family. Messages name the host. Throws as Waiter::Wait.
  absl::StatusOr<std::vector<SocketAddress>> GetAddrInfo(
      absl::string_view host, std::uint16_t port, int family = AF_UNSPEC,
      absl::Duration timeout = absl::InfiniteDuration()) override;

 private:
  using Overrides = internal::GlibcResolverOverrides;

  ThreadResolver(std::shared_ptr<const Overrides> overrides,
                 ThreadPoolOptions pool);

  Hub* hub_;
  // What each lookup applies to its thread's _res; null: nothing.
  std::shared_ptr<const Overrides> overrides_;
  // The pool of its own; null: ThreadPool::Default().
  std::unique_ptr<ThreadPool> pool_;
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_THREAD_RESOLVER_H_
