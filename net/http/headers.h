// HttpHeaders: an ordered list of HTTP header fields with case-insensitive
// lookup, as they came off the wire (requests) or as a handler sets them
// (responses).
//
//   evergreen::HttpHeaders headers = {{"Content-Type", "text/plain"}};
//   headers.Add("Cache-Control", "no-store");
//   std::optional<absl::string_view> type = headers.Get("content-type");
//   bool closing = headers.HasToken("Connection", "close");
//
// Names keep the spelling they were given; Get/Count/Remove compare them
// case-insensitively (RFC 9110 5.1). Values are stored without the
// surrounding whitespace the parser strips.
//
// Thread affinity: none (a plain value type).
#ifndef EVERGREEN_NET_HTTP_HEADERS_H_
#define EVERGREEN_NET_HTTP_HEADERS_H_

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace evergreen {

class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;

  HttpHeaders() = default;
  HttpHeaders(std::initializer_list<std::pair<absl::string_view,
                                              absl::string_view>> fields);

  // Appends a field (repeated names are kept, in order).
  void Add(absl::string_view name, absl::string_view value);
  // Replaces every field named `name` with one.
  void Set(absl::string_view name, absl::string_view value);
  // Removes every field named `name`; returns how many.
  int Remove(absl::string_view name);

  // The first value of `name`, or nullopt.
  std::optional<absl::string_view> Get(absl::string_view name) const;
  // How many fields are named `name`.
  int Count(absl::string_view name) const;
  // True when some `name` field holds `token` in its comma-separated list,
  // compared case-insensitively ("Connection: keep-alive, Close" has
  // "close").
  bool HasToken(absl::string_view name, absl::string_view token) const;

  bool empty() const { return fields_.empty(); }
  std::size_t size() const { return fields_.size(); }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  void clear() { fields_.clear(); }

 private:
  std::vector<Field> fields_;
};

// OK when `name` is a token (RFC 9110 5.1) and `value` holds no CR, LF,
// NUL or other control character except HTAB (5.5). Else InvalidArgument
// naming the field: what a response must pass before it is written
// (B-HT10).
absl::Status ValidateHeaderField(absl::string_view name,
                                 absl::string_view value);

// True when `c` may appear in a token (a header name, a method).
bool IsHttpTokenChar(char c);
// True when `method` is a non-empty token ("GET", "PROPFIND").
bool IsHttpMethod(absl::string_view method);

}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_HEADERS_H_
