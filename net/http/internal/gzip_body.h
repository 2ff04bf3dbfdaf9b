// GzipBodySource: a request body sent with "Content-Encoding: gzip",
// decompressed (zlib) as the handler reads it, with its decompressed size
// bounded so a small body cannot expand into gigabytes (a "zip bomb").
//
// Several gzip members one after another (RFC 1952 2.2) decode as one
// body. An empty body decodes as empty.
//
// Errors: those of the underlying body; InvalidArgument "corrupt gzip
// request body: ..." for bytes that are not gzip or a stream cut short;
// ResourceExhausted past `max_bytes` decompressed bytes. After an error
// every read fails.
//
// Thread affinity: the greenlet serving the request.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_GZIP_BODY_H_
#define EVERGREEN_NET_HTTP_INTERNAL_GZIP_BODY_H_

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/http/body_reader.h"

namespace evergreen {
namespace internal {

class GzipBodySource final : public HttpBodySource {
 public:
  // Reads the compressed bytes from `compressed`, which must outlive this.
  GzipBodySource(HttpBodySource& compressed, std::uint64_t max_bytes);
  ~GzipBodySource();
  GzipBodySource(const GzipBodySource&) = delete;
  GzipBodySource& operator=(const GzipBodySource&) = delete;

  absl::StatusOr<std::size_t> ReadBody(char* buffer,
                                       std::size_t size) override;

  // The error every read returns now (OK while none).
  const absl::Status& status() const { return failed_; }
  // Decompressed bytes returned so far.
  std::uint64_t decoded() const { return decoded_; }

 private:
  static constexpr std::size_t kInputBytes = 16 * 1024;

  absl::Status Corrupt(absl::string_view what);

  HttpBodySource& compressed_;
  const std::uint64_t max_bytes_;
  z_stream stream_{};
  bool initialised_ = false;
  std::unique_ptr<char[]> input_;
  bool input_ended_ = false;   // the compressed body was read to its end
  bool member_ended_ = true;   // between members (and before the first)
  bool any_input_ = false;
  std::uint64_t decoded_ = 0;
  absl::Status failed_;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_GZIP_BODY_H_
