// libFuzzer target for the client side of Connect errors (B-RPC11): a
// non-200 reply's body is untrusted bytes. Every body, under every content
// type and HTTP status, must give a non-OK status without crashing, and a
// status the server encoded must come back unchanged.
//
// Input: byte 0 picks the HTTP status, byte 1 the content type and a code;
// the rest is the body (and, for the round trip, the message).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "actors/transport/connect_codes.h"
#include "google/protobuf/stubs/common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data,
                                      std::size_t size) {
  if (size < 2) return 0;
  constexpr int kStatuses[] = {400, 401, 403, 404, 408, 409, 412, 429,
                               499, 500, 501, 502, 503, 504, 200, 302};
  constexpr const char* kContentTypes[] = {
      "application/json", "Application/JSON; charset=utf-8", "text/plain", ""};
  const int http_status = kStatuses[data[0] % 16];
  const char* content_type = kContentTypes[data[1] % 4];
  const absl::string_view body(reinterpret_cast<const char*>(data + 2),
                               size - 2);

  absl::Status status =
      evergreen::ConnectErrorFromResponse(http_status, content_type, body);
  // Never OK; the message is the body's (unescaped, so no longer) or
  // "HTTP <status>: " and at most 200 bytes of it.
  if (status.ok() || status.message().size() > body.size() + 16) std::abort();

  // Round trip: what ConnectErrorJson writes reads back as the same status,
  // for every code Connect names and any UTF-8 message.
  const auto code = static_cast<absl::StatusCode>(1 + data[1] % 16);
  if (google::protobuf::internal::IsStructurallyValidUTF8(
          body.data(), static_cast<int>(body.size()))) {
    const absl::Status sent(code, body);
    const absl::Status back = evergreen::ConnectErrorFromResponse(
        evergreen::ConnectHttpStatus(code), "application/json",
        evergreen::ConnectErrorJson(sent));
    if (back != sent) std::abort();
  }
  return 0;
}
