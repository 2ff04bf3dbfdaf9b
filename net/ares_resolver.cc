#include "net/ares_resolver.h"

#include <ares.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/waiter.h"
#include "net/resolver_common.h"

namespace evergreen {
namespace {

// One lookup in flight. The greenlet that asked owns it while it waits;
// once it stops waiting (answered, timed out, killed) ownership passes to
// c-ares's callback, which c-ares calls exactly once per lookup — at the
// latest with ARES_EDESTRUCTION when the channel is destroyed. So the
// callback never sees a dangling Waiter, and nothing leaks.
struct Lookup {
  AresResolver* resolver;
  Waiter* waiter;  // null once the greenlet stopped waiting
  std::uint16_t port;
  bool done = false;
  int status = ARES_SUCCESS;
  internal::Addresses addresses;
};

absl::Status ResolverGone(absl::string_view host, int family) {
  return absl::CancelledError(absl::StrCat(internal::LookupName(host, family),
                                           ": the resolver was destroyed"));
}

absl::StatusOr<internal::Addresses> ToResult(absl::string_view host, int family,
                                             Lookup& lookup) {
  switch (lookup.status) {
    case ARES_SUCCESS:
      if (lookup.addresses.empty()) {
        return internal::HostNotFound(host, family, "no addresses");
      }
      return std::move(lookup.addresses);
    case ARES_ENOTFOUND:
      return internal::HostNotFound(host, family, "no such host");
    case ARES_ENODATA:
      return internal::HostNotFound(host, family,
                                    "the host has no address of this family");
    case ARES_ETIMEOUT:
      return absl::DeadlineExceededError(
          absl::StrCat(internal::LookupName(host, family),
                       ": the DNS servers did not answer (",
                       ares_strerror(lookup.status), ")"));
    case ARES_EDESTRUCTION:
    case ARES_ECANCELLED:
      return ResolverGone(host, family);
    default:
      return absl::UnavailableError(
          absl::StrCat(internal::LookupName(host, family), ": ",
                       ares_strerror(lookup.status)));
  }
}

absl::Status AresError(absl::string_view what, int code) {
  return absl::UnavailableError(
      absl::StrCat("c-ares ", what, ": ", ares_strerror(code)));
}

}  // namespace

// A greenlet waiting for a lookup slot; on its stack.
struct AresResolver::Admission {
  Waiter waiter;
  bool admitted = false;  // a slot was handed to it
  std::list<Admission*>::iterator position;
};

absl::StatusOr<std::unique_ptr<AresResolver>> AresResolver::Create(
    const ResolverOptions& options) {
  if (absl::Status valid = options.Validate(); !valid.ok()) return valid;
  std::unique_ptr<AresResolver> resolver(new AresResolver(Hub::Current()));
  if (absl::Status status = resolver->Init(options); !status.ok()) {
    return status;
  }
  return resolver;
}

AresResolver::AresResolver(Hub* hub) : hub_(hub) {
  ev_timer_init(&timer_, &AresResolver::OnTimer, 0.0, 0.0);
  timer_.data = this;
}

absl::Status AresResolver::Init(const ResolverOptions& options) {
  // A no-op on Linux, but c-ares asks for it once per process; never
  // undone, as channels of other hubs may live until the process ends.
  static const int library = ares_library_init(ARES_LIB_INIT_ALL);
  if (library != ARES_SUCCESS) return AresError("library init", library);

  ares_options ares = {};
  int mask = ARES_OPT_SOCK_STATE_CB;
  ares.sock_state_cb = &AresResolver::OnSocketState;
  ares.sock_state_cb_data = this;
  if (options.timeout.has_value()) {
    mask |= ARES_OPT_TIMEOUTMS;
    ares.timeout = static_cast<int>(
        std::clamp(std::ceil(absl::ToDoubleMilliseconds(*options.timeout)), 1.0,
                   static_cast<double>(std::numeric_limits<int>::max())));
  }
  if (options.tries.has_value()) {
    mask |= ARES_OPT_TRIES;
    ares.tries = *options.tries;
  }
  if (int rc = ares_init_options(&channel_, &ares, mask); rc != ARES_SUCCESS) {
    channel_ = nullptr;
    return AresError("init", rc);
  }
  if (options.servers.empty()) return absl::OkStatus();

  absl::StatusOr<std::vector<SocketAddress>> servers =
      options.ServerAddresses();
  if (!servers.ok()) return servers.status();
  std::vector<ares_addr_port_node> nodes(servers->size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const SocketAddress& server = (*servers)[i];
    ares_addr_port_node& node = nodes[i];
    node.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
    node.family = server.family();
    node.udp_port = node.tcp_port = server.port();
    if (server.family() == AF_INET) {
      node.addr.addr4 =
          reinterpret_cast<const sockaddr_in*>(server.sockaddr_ptr())->sin_addr;
    } else {
      std::memcpy(&node.addr.addr6,
                  &reinterpret_cast<const sockaddr_in6*>(server.sockaddr_ptr())
                       ->sin6_addr,
                  sizeof(node.addr.addr6));
    }
  }
  if (int rc = ares_set_servers_ports(channel_, nodes.data());
      rc != ARES_SUCCESS) {
    return AresError("set servers", rc);
  }
  return absl::OkStatus();
}

AresResolver::~AresResolver() {
  *alive_ = false;  // slots are no longer handed out
  for (Admission* admission : waiting_) admission->waiter.Wake();
  waiting_.clear();
  // Calls every pending lookup's callback (ARES_EDESTRUCTION) and, for
  // every socket it closes, OnSocketState, which stops its watcher.
  if (channel_ != nullptr) ares_destroy(channel_);
  for (auto& [fd, io] : ios_) ev_io_stop(hub_->loop(), &io->watcher);
  ev_timer_stop(hub_->loop(), &timer_);
}

absl::StatusOr<std::vector<SocketAddress>> AresResolver::GetAddrInfo(
    absl::string_view host, std::uint16_t port, int family,
    absl::Duration timeout) {
  hub_->CheckThread("AresResolver::GetAddrInfo");
  if (auto answer = internal::AnswerWithoutLookup(host, port, family)) {
    return *std::move(answer);
  }

  absl::Duration remaining = timeout;
  if (in_flight_ < kMaxLookupsInFlight && waiting_.empty()) {
    ++in_flight_;
  } else {
    const absl::Time start = absl::Now();
    switch (WaitForSlot(timeout)) {
      case SlotWait::kAdmitted:
        break;
      case SlotWait::kTimedOut:
        return internal::CallTimedOut(host, family, timeout);
      case SlotWait::kCancelled:
        return ResolverGone(host, family);
    }
    remaining = timeout - (absl::Now() - start);  // infinite stays infinite
  }

  // The slot is released by OnAddrInfo, whatever happens from here on.
  Waiter waiter;
  auto* lookup = new Lookup{.resolver = this, .waiter = &waiter, .port = port};
  // Runs before `waiter` is destroyed, however this call ends.
  struct HandOver {
    Lookup* lookup;
    ~HandOver() {
      if (lookup->done) {
        delete lookup;
      } else {
        lookup->waiter = nullptr;  // OnAddrInfo will delete it
      }
    }
  } hand_over{lookup};

  ares_addrinfo_hints hints = {};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;  // one entry per address
  const std::string name(host);
  ares_getaddrinfo(channel_, name.c_str(), /*service=*/nullptr, &hints,
                   &OnAddrInfo, lookup);
  ArmTimer();
  // From here on `this` may be destroyed while we wait (the lookup then
  // ends Cancelled): only `lookup` is touched after the wait.
  if (!waiter.Wait(remaining)) {
    return internal::CallTimedOut(host, family, timeout);
  }
  return ToResult(host, family, *lookup);
}

AresResolver::SlotWait AresResolver::WaitForSlot(absl::Duration timeout) {
  Admission admission;
  admission.position = waiting_.insert(waiting_.end(), &admission);
  // However the wait ends, the queue keeps no pointer to this frame and a
  // slot handed to it is not lost.
  struct Leave {
    AresResolver* self;
    Admission* admission;
    std::shared_ptr<bool> alive;
    bool keep_slot = false;
    ~Leave() {
      if (!*alive) return;  // `self` is gone or going
      if (!admission->admitted) {
        self->waiting_.erase(admission->position);
      } else if (!keep_slot) {
        self->ReleaseSlot();  // admitted, then unwound before using it
      }
    }
  } leave{this, &admission, alive_};
  const bool woken = admission.waiter.Wait(timeout);
  if (!*leave.alive) return SlotWait::kCancelled;
  if (!woken) return SlotWait::kTimedOut;
  leave.keep_slot = true;
  return SlotWait::kAdmitted;
}

void AresResolver::ReleaseSlot() {
  if (!*alive_) return;  // ares_destroy ending lookups
  --in_flight_;
  while (in_flight_ < kMaxLookupsInFlight && !waiting_.empty()) {
    Admission* next = waiting_.front();
    waiting_.pop_front();
    next->admitted = true;
    ++in_flight_;
    next->waiter.Wake();
  }
}

void AresResolver::OnAddrInfo(void* arg, int status, int /*timeouts*/,
                              ares_addrinfo* result) {
  auto* lookup = static_cast<Lookup*>(arg);
  std::unique_ptr<ares_addrinfo, void (*)(ares_addrinfo*)> owned(
      result, &ares_freeaddrinfo);
  lookup->resolver->ReleaseSlot();
  if (lookup->waiter == nullptr) {
    delete lookup;  // its greenlet gave up on it
    return;
  }
  lookup->status = status;
  if (status == ARES_SUCCESS && result != nullptr) {
    for (ares_addrinfo_node* node = result->nodes; node != nullptr;
         node = node->ai_next) {
      if (std::optional<SocketAddress> address = internal::AddressWithPort(
              node->ai_addr, node->ai_addrlen, lookup->port)) {
        lookup->addresses.push_back(*address);
      }
    }
  }
  lookup->done = true;
  lookup->waiter->Wake();
}

void AresResolver::OnSocketState(void* data, int fd, int readable,
                                 int writable) {
  auto* self = static_cast<AresResolver*>(data);
  struct ev_loop* loop = self->hub_->loop();
  const int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);
  auto it = self->ios_.find(fd);
  if (events == 0) {
    // c-ares is about to close the socket.
    if (it != self->ios_.end()) {
      ev_io_stop(loop, &it->second->watcher);
      self->ios_.erase(it);
    }
    return;
  }
  if (it == self->ios_.end()) {
    auto io = std::make_unique<Io>();
    io->owner = self;
    ev_io_init(&io->watcher, &AresResolver::OnIo, fd, events);
    it = self->ios_.emplace(fd, std::move(io)).first;
  } else if (it->second->watcher.events != events) {
    ev_io_stop(loop, &it->second->watcher);
    ev_io_set(&it->second->watcher, fd, events);
  }
  ev_io_start(loop, &it->second->watcher);  // a no-op when already active
}

void AresResolver::OnIo(struct ev_loop*, ev_io* watcher, int revents) {
  AresResolver* self = reinterpret_cast<Io*>(watcher)->owner;
  const int fd = watcher->fd;
  // May close the socket and so free `watcher`: not touched afterwards.
  ares_process_fd(self->channel_, (revents & EV_READ) ? fd : ARES_SOCKET_BAD,
                  (revents & EV_WRITE) ? fd : ARES_SOCKET_BAD);
  self->ArmTimer();
}

void AresResolver::OnTimer(struct ev_loop*, ev_timer* timer, int) {
  auto* self = static_cast<AresResolver*>(timer->data);
  ares_process_fd(self->channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  self->ArmTimer();
}

void AresResolver::ArmTimer() {
  struct ev_loop* loop = hub_->loop();
  timeval storage;
  const timeval* next = ares_timeout(channel_, nullptr, &storage);
  ev_timer_stop(loop, &timer_);
  if (next == nullptr) return;  // no lookup in flight
  ev_timer_set(&timer_,
               static_cast<double>(next->tv_sec) + next->tv_usec * 1e-6, 0.0);
  ev_timer_start(loop, &timer_);
}

}  // namespace evergreen
