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
// Per call, in the actor's greenlet (Handle): a call whose client already
// gave up, or whose deadline passed while it was queued, is answered
// (Cancelled / DeadlineExceeded) without running; otherwise the handler
// runs under the call's deadline (handler_call.h). A handler returning an
// error status answers with it. A handler that throws fails its call
// (Internal with the exception's message; an ActorError's own status) and
// then crashes the actor — let it crash: the state it left may be broken,
// and its supervisor restarts it fresh (B-RPC10).
//
// Thread affinity: the actor's hub.
#ifndef EVERGREEN_ACTORS_SERVICE_SERVICE_BASE_H_
#define EVERGREEN_ACTORS_SERVICE_SERVICE_BASE_H_

#include "actors/actor.h"
#include "actors/service/incoming_call.h"
#include "actors/service/method.h"

namespace evergreen {

class ServiceBase : public ActorBase {
 public:
  // The generated method table of the service this actor implements.
  virtual const ServiceDescriptor& descriptor() const = 0;

  // Runs one call (see the file comment). Called by the actor runtime.
  void Handle(IncomingCall call);
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_SERVICE_SERVICE_BASE_H_
