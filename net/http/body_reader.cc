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
  std::string body;
  constexpr std::size_t kStep = 16 * 1024;
  for (;;) {
    const std::size_t old_size = body.size();
    // One byte past the limit tells "exactly limit" from "longer".
    const std::size_t room = std::min(kStep, limit + 1 - old_size);
    body.resize(old_size + room);
    absl::StatusOr<std::size_t> n = Read(body.data() + old_size, room);
    if (!n.ok()) return n.status();
    body.resize(old_size + *n);
    if (*n == 0) return body;
    if (body.size() > limit) {
      return absl::ResourceExhaustedError(
          absl::StrCat("HTTP body longer than ", limit, " bytes"));
    }
  }
}

}  // namespace evergreen
