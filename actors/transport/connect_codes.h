// Connect protocol codes (https://connectrpc.com/docs/protocol): the error
// names on the wire, their HTTP statuses, and absl::StatusCode both ways.
//
//   ConnectCodeName(absl::StatusCode::kNotFound)     -> "not_found"
//   ConnectHttpStatus(absl::StatusCode::kNotFound)   -> 404
//   ConnectErrorJson(absl::NotFoundError("no key"))
//       -> {"code":"not_found","message":"no key"}
//   ConnectErrorFromResponse(404, "application/json", body) -> NotFound(...)
//
// Thread affinity: none (pure functions).
#ifndef EVERGREEN_ACTORS_TRANSPORT_CONNECT_CODES_H_
#define EVERGREEN_ACTORS_TRANSPORT_CONNECT_CODES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace evergreen {

// "invalid_argument", ...; "unknown" for kOk and codes Connect lacks.
absl::string_view ConnectCodeName(absl::StatusCode code);
// The code called `name`, or nullopt for a name Connect does not define.
std::optional<absl::StatusCode> ConnectCodeFromName(absl::string_view name);
// Connect's code -> HTTP status table (canceled 499, invalid_argument 400,
// deadline_exceeded 504, unimplemented 501, ...).
int ConnectHttpStatus(absl::StatusCode code);
// The code a client infers from an HTTP status when the body is not a
// Connect error (404 -> unimplemented, 503 -> unavailable, ...).
absl::StatusCode ConnectCodeFromHttpStatus(int http_status);

// The Connect error body for `status` (REQUIRES: !status.ok()).
std::string ConnectErrorJson(const absl::Status& status);

// The error a client reports for a non-200 unary response: the body's
// {"code", "message"} when it is a Connect error, else the code inferred
// from the HTTP status with the body's first bytes as the message
// ("HTTP 503: <h1>down</h1>"). A Connect error is an application/json body
// holding a JSON object with a string "code" (a name Connect does not
// define gives kUnknown) and, if any, a string "message"; other fields
// ("details") are ignored. Any other body (not JSON, not an object, a
// non-string code or message) is not one; the body is untrusted and never
// makes this fail or crash (tests/proto/connect_error_fuzz.cc).
absl::Status ConnectErrorFromResponse(int http_status,
                                      absl::string_view content_type,
                                      absl::string_view body);

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_CONNECT_CODES_H_
