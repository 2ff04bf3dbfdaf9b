// The Date header value for "now" ("Tue, 01 Dec 2026 21:31:25 GMT"),
// formatted at most once a second per thread: every response carries one
// (RFC 9110 6.6.1) and formatting a time is not free.
//
// Thread affinity: any thread (the cache is per thread). Never blocks.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_DATE_H_
#define EVERGREEN_NET_HTTP_INTERNAL_DATE_H_

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace evergreen {
namespace internal {

// Valid until the calling thread's next call.
absl::string_view CachedHttpDate(absl::Time now = absl::Now());

// The reason phrase for `status` ("Not Found"), "" for an unknown status.
absl::string_view HttpReasonPhrase(int status);

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_DATE_H_
