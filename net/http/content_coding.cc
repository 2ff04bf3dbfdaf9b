#include "net/http/content_coding.h"

#include <zlib.h>

#include <cstdlib>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace evergreen {

std::string GzipCompress(absl::string_view data) {
  z_stream stream{};
  // 16 + MAX_WBITS: the gzip wrapper. Fails only without memory.
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS,
                   8, Z_DEFAULT_STRATEGY) != Z_OK) {
    std::abort();
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  // deflateBound leaves room for everything: one call finishes.
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

bool AcceptsCoding(const HttpHeaders& headers, absl::string_view coding) {
  // The coding's own entry decides; "*" only when it has none.
  std::optional<double> named;
  std::optional<double> any;
  for (const auto& [name, value] : headers) {
    if (!absl::EqualsIgnoreCase(name, "Accept-Encoding")) continue;
    for (absl::string_view item : absl::StrSplit(value, ',')) {
      std::vector<absl::string_view> parts = absl::StrSplit(item, ';');
      const absl::string_view token = absl::StripAsciiWhitespace(parts[0]);
      const bool is_named = absl::EqualsIgnoreCase(token, coding);
      if (!is_named && token != "*") continue;
      double q = 1;
      for (std::size_t i = 1; i < parts.size(); ++i) {
        absl::string_view parameter = absl::StripAsciiWhitespace(parts[i]);
        if (absl::ConsumePrefix(&parameter, "q=") ||
            absl::ConsumePrefix(&parameter, "Q=")) {
          if (!absl::SimpleAtod(parameter, &q)) q = 0;
        }
      }
      (is_named ? named : any) = q;
    }
  }
  if (named.has_value()) return *named > 0;
  return any.has_value() && *any > 0;
}

}  // namespace evergreen
