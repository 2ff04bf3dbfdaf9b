// The name lookups of framework/hooks.h (kDns): libc's resolver runs on the
// hub's ThreadPool (framework/thread_pool.h), whose threads have no hub,
// so the lookup there is libc's own, and the greenlet waits for its result.
// A numeric host never blocks and is answered at once. The job owns what
// the lookup fills in: a greenlet cut short leaves nothing dangling.
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "framework/internal/hook_core.h"

namespace evergreen::hooks::internal {
namespace {

bool Numeric(const char* node) {
  unsigned char address[sizeof(struct in6_addr)];
  return node == nullptr || inet_pton(AF_INET, node, address) == 1 ||
         inet_pton(AF_INET6, node, address) == 1;
}

struct AddrInfoJob {
  std::optional<std::string> node, service;
  std::optional<struct addrinfo> hints;
  int result = EAI_SYSTEM;
  int error = 0;
  struct addrinfo* list = nullptr;
  ~AddrInfoJob() {
    if (list != nullptr) Libc().freeaddrinfo(list);
  }
};

struct HostJob {
  std::string name;
  struct hostent host {};
  std::vector<char> buffer = std::vector<char>(8192);
  struct hostent* result = nullptr;
  int h_error = 0;
  int rc = 0;
};

// The last gethostbyname answer of this thread: what its pointer points at.
thread_local std::shared_ptr<HostJob> last_host;

}  // namespace
}  // namespace evergreen::hooks::internal

using evergreen::hooks::internal::AddrInfoJob;
using evergreen::hooks::internal::CooperativeHub;
using evergreen::hooks::internal::HostJob;
using evergreen::hooks::internal::Libc;
using evergreen::hooks::internal::Numeric;
using evergreen::hooks::internal::OnThreadPool;
namespace hooks = evergreen::hooks;

extern "C" {

int getaddrinfo(const char* node, const char* service,
                const struct addrinfo* hints, struct addrinfo** result) {
  if (Numeric(node) || result == nullptr ||
      CooperativeHub(hooks::kDns) == nullptr) {
    return Libc().getaddrinfo(node, service, hints, result);
  }
  auto job = std::make_shared<AddrInfoJob>();
  job->node = node;
  if (service != nullptr) job->service = service;
  if (hints != nullptr) {
    job->hints = addrinfo{};
    job->hints->ai_flags = hints->ai_flags;
    job->hints->ai_family = hints->ai_family;
    job->hints->ai_socktype = hints->ai_socktype;
    job->hints->ai_protocol = hints->ai_protocol;
  }
  if (int code = OnThreadPool([job] {
        job->result = Libc().getaddrinfo(
            job->node->c_str(), job->service ? job->service->c_str() : nullptr,
            job->hints ? &*job->hints : nullptr, &job->list);
        job->error = errno;
      })) {
    errno = code;
    return EAI_SYSTEM;
  }
  if (job->result == EAI_SYSTEM) errno = job->error;
  *result = job->list;
  job->list = nullptr;
  return job->result;
}

// The answer stays valid until this thread's next call, as libc's static
// one does (greenlets of one thread share it, as threads share libc's).
struct hostent* gethostbyname(const char* name) {
  if (name == nullptr || Numeric(name) ||
      CooperativeHub(hooks::kDns) == nullptr) {
    return Libc().gethostbyname(name);
  }
  auto job = std::make_shared<HostJob>();
  job->name = name;
  if (int code = OnThreadPool([job] {
        for (;;) {
          job->rc = Libc().gethostbyname_r(
              job->name.c_str(), &job->host, job->buffer.data(),
              job->buffer.size(), &job->result, &job->h_error);
          if (job->rc != ERANGE || job->buffer.size() > (1u << 20)) break;
          job->buffer.resize(job->buffer.size() * 2);
        }
      })) {
    errno = code;
    h_errno = TRY_AGAIN;
    return nullptr;
  }
  h_errno = job->h_error;
  if (job->result == nullptr) return nullptr;
  evergreen::hooks::internal::last_host = job;
  return job->result;
}

}  // extern "C"
