// AresResolver: DNS through c-ares, driven by the hub's own libev loop.
//
//   absl::StatusOr<std::unique_ptr<evergreen::AresResolver>> resolver =
//       evergreen::AresResolver::Create({.servers = {"127.0.0.1:5353"}});
//   absl::StatusOr<std::vector<evergreen::SocketAddress>> addrs =
//       (*resolver)->GetAddrInfo("db.internal", 5432, AF_INET,
//                                absl::Seconds(2));
//
// One c-ares channel. Its sockets are watched by libev io watchers and its
// retransmissions by a libev timer of the hub, so the lookups of many
// greenlets proceed at once on one thread, each greenlet waiting on its own
// Waiter. c-ares answers inside those libev callbacks, where it only stores
// the result and wakes the greenlet.
//
// What is looked up where: a numeric host is answered at once without
// c-ares; a name is looked up as c-ares's "lookups" order says (from
// /etc/nsswitch.conf, normally the hosts file first, then DNS), with the
// search domains and ndots of /etc/resolv.conf; "localhost" is always the
// loopback address and never sent to a server. AF_UNSPEC asks for A and
// AAAA at once; the addresses come back in RFC 6724 order.
//
// Timing: each server is asked `tries` times; the wait for an answer starts
// at `timeout` and doubles after every pass over the servers. A single
// server that never answers therefore fails after about
// timeout × (2^tries − 1). The per-call `timeout` of GetAddrInfo bounds the
// caller's wait on top of that; a lookup the caller gave up on (timeout,
// kill) runs on inside c-ares until c-ares ends it, and its answer is
// dropped. Until then its watchers keep the hub's loop alive.
//
// Flow control: at most kMaxLookupsInFlight lookups are in c-ares at once;
// further callers wait their turn, first come first served, within their
// `timeout`. A larger burst of UDP answers can overflow a socket's receive
// buffer (ours or the server's), and every answer lost costs a whole c-ares
// timeout. A lookup its caller gave up on keeps its slot until c-ares ends
// it.
//
// Thread affinity: the resolver belongs to the hub of the thread that
// created it; GetAddrInfo from another thread throws WrongThreadError.
//
// Blocks, under a deadline: every blocking call here waits at most until
// min(its own timeout, CurrentDeadline()) and then fails as its timeout
// does; with the deadline already passed, a call that would wait fails at
// once (framework/deadline.h, docs/deadlines.md).
#ifndef EVERGREEN_NET_ARES_RESOLVER_H_
#define EVERGREEN_NET_ARES_RESOLVER_H_

#include <ev.h>

#include <cstdint>
#include <list>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "framework/hub.h"
#include "net/address.h"
#include "net/resolver.h"
#include "net/resolver_options.h"

struct ares_channeldata;
struct ares_addrinfo;

namespace evergreen {

class AresResolver final : public Resolver {
 public:
  // A resolver with its own c-ares channel, bound to the calling thread's
  // hub. Fields of `options` left unset keep the system's configuration.
  // Errors: InvalidArgument for bad options; Unavailable when c-ares cannot
  // make a channel (the message has c-ares's reason).
  static absl::StatusOr<std::unique_ptr<AresResolver>> Create(
      const ResolverOptions& options = {});

  // Ends the lookups in flight: their greenlets return Cancelled.
  // REQUIRES: its hub's thread, before the hub is destroyed.
  ~AresResolver() override;
  AresResolver(const AresResolver&) = delete;
  AresResolver& operator=(const AresResolver&) = delete;

  // See Resolver::GetAddrInfo. Blocks the calling greenlet until c-ares
  // answers or `timeout` passes (DeadlineExceeded). Errors: NotFound for a
  // name that does not exist or has no address of `family`;
  // DeadlineExceeded when the servers did not answer within c-ares's tries
  // or within `timeout`; Cancelled when the resolver is destroyed first;
  // InvalidArgument for an empty host or an unknown family; Unavailable
  // for anything else, with c-ares's reason. Messages name the host.
  // Throws as Waiter::Wait (GreenletExit, a scoped Timeout's TimeoutError,
  // BlockingInHubError inside the hub).
  absl::StatusOr<std::vector<SocketAddress>> GetAddrInfo(
      absl::string_view host, std::uint16_t port, int family = AF_UNSPEC,
      absl::Duration timeout = absl::InfiniteDuration()) override;

  // Lookups in c-ares at once (see the overview).
  static constexpr int kMaxLookupsInFlight = 64;

 private:
  struct Admission;
  enum class SlotWait { kAdmitted, kTimedOut, kCancelled };

  // An io watcher for one of c-ares's sockets.
  struct Io {
    ev_io watcher;  // first: callbacks cast back
    AresResolver* owner;
  };

  explicit AresResolver(Hub* hub);
  absl::Status Init(const ResolverOptions& options);

  // c-ares's answer to one lookup. Runs inside ares_process_fd (a libev
  // callback), inside ares_getaddrinfo (an answer from the hosts file) or
  // inside ares_destroy: it only stores the result and wakes, never
  // switches.
  static void OnAddrInfo(void* arg, int status, int timeouts,
                         ares_addrinfo* result);
  // c-ares says which sockets it wants watched, and for what.
  static void OnSocketState(void* data, int fd, int readable, int writable);
  static void OnIo(struct ev_loop* loop, ev_io* watcher, int revents);
  static void OnTimer(struct ev_loop* loop, ev_timer* timer, int revents);
  // Restarts the timer at c-ares's next deadline, or stops it when no
  // lookup is in flight.
  void ArmTimer();

  // Blocks until a lookup slot is the caller's, `timeout` passes or the
  // resolver is destroyed. After kCancelled `this` must not be touched.
  SlotWait WaitForSlot(absl::Duration timeout);
  // A lookup ended: its slot goes to the first caller waiting, if any.
  void ReleaseSlot();

  Hub* hub_;
  ares_channeldata* channel_ = nullptr;
  absl::flat_hash_map<int, std::unique_ptr<Io>> ios_;
  ev_timer timer_;
  int in_flight_ = 0;
  std::list<Admission*> waiting_;  // for a slot, first come first served
  // False once destruction begins; shared with the greenlets waiting for
  // a slot, which may resume after `this` is gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace evergreen

#endif  // EVERGREEN_NET_ARES_RESOLVER_H_
