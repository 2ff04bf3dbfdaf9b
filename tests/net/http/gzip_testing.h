// Gzip for tests: the bytes `gzip -c` would write for `data`, and back.
#ifndef EVERGREEN_TESTS_NET_HTTP_GZIP_TESTING_H_
#define EVERGREEN_TESTS_NET_HTTP_GZIP_TESTING_H_

#include <string>

#include "absl/strings/string_view.h"

namespace evergreen {
namespace testing {

// One gzip member holding `data` (zlib, best compression).
std::string Gzip(absl::string_view data);
// The data of one gzip member; "<not gzip>" when `gzipped` is not one.
std::string Gunzip(absl::string_view gzipped);

}  // namespace testing
}  // namespace evergreen

#endif  // EVERGREEN_TESTS_NET_HTTP_GZIP_TESTING_H_
