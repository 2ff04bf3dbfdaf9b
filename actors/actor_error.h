// ActorError: how an Ask's AsyncResult fails when the request never reached
// a handler (dead actor, full mailbox, the actor exiting with the request
// still queued). It is StatusError (framework/errors.h) under the name the
// actor layer used first; Ask(...).Result() returns the Status directly.
#ifndef EVERGREEN_ACTORS_ACTOR_ERROR_H_
#define EVERGREEN_ACTORS_ACTOR_ERROR_H_

#include "framework/errors.h"

namespace evergreen {

using ActorError = StatusError;

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_ACTOR_ERROR_H_
