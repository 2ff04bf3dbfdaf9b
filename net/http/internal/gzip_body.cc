#include "net/http/internal/gzip_body.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"

namespace evergreen {
namespace internal {

GzipBodySource::GzipBodySource(HttpBodySource& compressed,
                               std::uint64_t max_bytes)
    : compressed_(compressed),
      max_bytes_(max_bytes),
      input_(new char[kInputBytes]) {
  // 16 + MAX_WBITS: the gzip wrapper only (not zlib's, not raw deflate).
  const int started = inflateInit2(&stream_, 16 + MAX_WBITS);
  initialised_ = started == Z_OK;
  if (!initialised_) {
    failed_ = absl::ResourceExhaustedError(
        absl::StrCat("gzip request body: zlib could not start (", started,
                     ")"));
  }
}

GzipBodySource::~GzipBodySource() {
  if (initialised_) inflateEnd(&stream_);
}

absl::Status GzipBodySource::Corrupt(absl::string_view what) {
  failed_ =
      absl::InvalidArgumentError(absl::StrCat("corrupt gzip request body: ",
                                              what));
  return failed_;
}

absl::StatusOr<std::size_t> GzipBodySource::ReadBody(char* buffer,
                                                     std::size_t size) {
  if (!failed_.ok()) return failed_;
  if (size == 0) return 0;
  for (;;) {
    if (stream_.avail_in == 0 && !input_ended_) {
      absl::StatusOr<std::size_t> n =
          compressed_.ReadBody(input_.get(), kInputBytes);
      if (!n.ok()) {
        failed_ = n.status();
        return failed_;
      }
      if (*n == 0) {
        input_ended_ = true;
      } else {
        stream_.next_in = reinterpret_cast<Bytef*>(input_.get());
        stream_.avail_in = static_cast<uInt>(*n);
      }
    }
    if (stream_.avail_in == 0 && input_ended_) {
      // The end of the body: fine between members (or with no member at
      // all), not inside one.
      if (member_ended_) return 0;
      return Corrupt("the gzip stream was cut short");
    }
    if (member_ended_) {
      // The next member starts with a gzip header of its own.
      if (any_input_) inflateReset(&stream_);
      member_ended_ = false;
      any_input_ = true;
    }
    const uInt room =
        static_cast<uInt>(std::min<std::size_t>(size, UINT_MAX));
    stream_.next_out = reinterpret_cast<Bytef*>(buffer);
    stream_.avail_out = room;
    const int rc = inflate(&stream_, Z_NO_FLUSH);
    const std::size_t produced = room - stream_.avail_out;
    switch (rc) {
      case Z_STREAM_END:
        member_ended_ = true;
        break;
      case Z_OK:
      case Z_BUF_ERROR:  // no progress without more input
        break;
      case Z_DATA_ERROR:
        return Corrupt(stream_.msg != nullptr ? stream_.msg : "bad data");
      default:
        return Corrupt(absl::StrCat("zlib error ", rc));
    }
    if (produced == 0) continue;
    decoded_ += produced;
    if (decoded_ > max_bytes_) {
      failed_ = absl::ResourceExhaustedError(
          absl::StrCat("HTTP request body larger than ", max_bytes_,
                       " bytes once decompressed"));
      return failed_;
    }
    return produced;
  }
}

}  // namespace internal
}  // namespace evergreen
