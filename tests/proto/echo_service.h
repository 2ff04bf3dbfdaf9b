// EchoService: the test implementation of evergreen.test.Echo, whose
// requests say how to behave (sleep, fail, crash, pad the reply).
#ifndef EVERGREEN_TESTS_PROTO_ECHO_SERVICE_H_
#define EVERGREEN_TESTS_PROTO_ECHO_SERVICE_H_

#include <atomic>
#include <stdexcept>
#include <string>

#include "framework/waiter.h"
#include "tests/proto/echo.evg.h"

namespace evergreen {
namespace test {

// The behaviour both test services share.
absl::StatusOr<EchoReply> Behave(const EchoRequest& request,
                                 CallContext& context, int calls);

class EchoService : public Echo::Service {
 public:
  // Handler runs across every instance, by request text (tests reset it).
  static inline std::atomic<int> runs{0};

  absl::StatusOr<EchoReply> Say(const EchoRequest& request,
                                CallContext& context) override {
    ++runs;
    return Behave(request, context, ++calls_);
  }

  absl::StatusOr<Nested::Inner> Count(const Nested::Inner& request,
                                      CallContext&) override {
    Nested::Inner reply;
    reply.set_n(request.n() + 1);
    return reply;
  }

 private:
  int calls_ = 0;
};

class MirrorService : public Mirror::Service {
 public:
  absl::StatusOr<EchoReply> Say(const EchoRequest& request,
                                CallContext& context) override {
    return Behave(request, context, ++calls_);
  }

 private:
  int calls_ = 0;
};

inline absl::StatusOr<EchoReply> Behave(const EchoRequest& request,
                                        CallContext& context, int calls) {
  if (request.sleep_ms() > 0) Sleep(absl::Milliseconds(request.sleep_ms()));
  if (request.fail()) {
    return absl::InvalidArgumentError("asked to fail: " + request.text());
  }
  if (request.crash()) throw std::runtime_error("asked to crash");
  EchoReply reply;
  reply.set_text(request.text());
  reply.set_peer(context.peer());
  auto tenant = context.metadata().find("tenant");
  if (tenant != context.metadata().end()) reply.set_tenant(tenant->second);
  reply.set_deadline_ms(context.deadline() == absl::InfiniteFuture()
                            ? -1
                            : absl::ToInt64Milliseconds(context.remaining()));
  reply.set_calls(calls);
  if (request.reply_bytes() > 0) {
    reply.set_padding(std::string(request.reply_bytes(), 'p'));
  }
  return reply;
}

}  // namespace test
}  // namespace evergreen

#endif  // EVERGREEN_TESTS_PROTO_ECHO_SERVICE_H_
