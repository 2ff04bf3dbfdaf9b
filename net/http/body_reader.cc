#include "net/http/body_reader.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace evergreen {

absl::StatusOr<std::size_t> HttpBodyReader::Read(char* buffer,
                                                 std::size_t size) {
  if (done_ || source_ == nullptr || size == 0) return 0;
  absl::StatusOr<std::size_t> n = source_->ReadBody(buffer, size);
  if (n.ok() && *n == 0) done_ = true;
  return n;
}

absl::StatusOr<std::string> HttpBodyReader::ReadAll(std::size_t limit) {
  // Read into a stack buffer and append what came: the string grows by
  // what the body holds, never by zero-filled room a small body would not
  // use (small bodies are the common case).
  std::string body;
  char chunk[16 * 1024];
  for (;;) {
    // One byte past the limit tells "exactly limit" from "longer".
    const std::size_t room = std::min(sizeof chunk, limit + 1 - body.size());
    absl::StatusOr<std::size_t> n = Read(chunk, room);
    if (!n.ok()) return n.status();
    if (*n == 0) return body;
    body.append(chunk, *n);
    if (body.size() > limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("HTTP body longer than ", limit, " bytes"));
    }
  }
}

}  // namespace evergreen
