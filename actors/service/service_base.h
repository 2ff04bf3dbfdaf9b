// ServiceBase: the actor under every generated service base class.
//
//   class KvStore : public kv::v1::KeyValue::Service {   // a ServiceBase
//    public:
//     absl::StatusOr<kv::v1::PutReply> Put(const kv::v1::PutRequest& req,
//                                          evergreen::CallContext& ctx)
//         override;
//   };
//   ActorRef<KvStore> kv = SpawnActor<KvStore>({.mailbox_capacity = 1000});
//
// A service is an actor: calls arrive as IncomingCall messages in its
// mailbox and run one at a time in its greenlet, so its state needs no
// locks; it is linked, monitored, registered and supervised like any actor
// (actors/service/service_spec.h makes the ChildSpec). The mailbox bound is
// the service's queue bound: a call over it fails ResourceExhausted at once.
//
// Per call (Handle): a call whose client already gave up, or whose
// deadline passed while it was queued, is answered (Cancelled /
// DeadlineExceeded) without running; otherwise the handler runs under the
// call's deadline and can be cancelled (handler_call.h). A handler
// returning an error status answers with it. A handler that throws fails
// its call (Internal with the exception's message; a StatusError's own
// status) and then crashes the actor — let it crash: the state it left may
// be broken, and its supervisor restarts it fresh (B-RPC10).
//
// Concurrent mode (ServiceOptions::max_concurrent_calls > 1, for
// stateless services): each call runs in a greenlet of its own from a Pool
// of that many, so calls interleave at their blocking points; a call that
// finds the pool full fails ResourceExhausted at once. A handler that
// throws fails only its call (there is no state to reset; the exception
// is reported through Hub::HandleError) and the actor keeps serving.
// When the actor exits, however it exits, handlers still running are
// killed (their calls fail Unavailable) before the object is destroyed.
//
// Thread affinity: the actor's hub.
#ifndef EVERGREEN_ACTORS_SERVICE_SERVICE_BASE_H_
#define EVERGREEN_ACTORS_SERVICE_SERVICE_BASE_H_

#include <cstddef>
#include <memory>

#include "actors/actor.h"
#include "actors/service/incoming_call.h"
#include "actors/service/method.h"

namespace evergreen {

class Pool;

class ServiceBase : public ActorBase {
 public:
  ServiceBase();
  ~ServiceBase() override;

  // The generated method table of the service this actor implements.
  virtual const ServiceDescriptor& descriptor() const = 0;

  // Takes one call (see the file comment). Called by the actor runtime;
  // overridden by the router of a multi-instance service.
  virtual void Handle(IncomingCall call);

  // How many calls run at once: 1 (the default) in the actor's greenlet;
  // more, each in a greenlet of its own. REQUIRES: before the actor
  // starts (SpawnService sets it from ServiceOptions), n >= 1.
  void set_max_concurrent_calls(std::size_t n);
  std::size_t max_concurrent_calls() const { return max_concurrent_calls_; }
  // Calls running now.
  std::size_t calls_running() const;

 private:
  // The checks, then the handler, then the reply. Throws what the handler
  // throws (the reply is sent first).
  void Run(IncomingCall& call);
  void BeforeDestroy() override;

  std::size_t max_concurrent_calls_ = 1;
  bool running_ = false;        // serial mode: a call is running
  std::unique_ptr<Pool> pool_;  // concurrent mode, made on first call
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_SERVICE_BASE_H_
