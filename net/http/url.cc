#include "net/http/url.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace evergreen {
namespace {

absl::Status Bad(absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad URL \"", url, "\": ", why));
}

}  // namespace

absl::StatusOr<HttpUrl> HttpUrl::Parse(absl::string_view url) {
  HttpUrl parsed;
  absl::string_view rest = url;
  const std::size_t scheme_end = rest.find("://");
  if (scheme_end == absl::string_view::npos) {
    return Bad(url, "no scheme (http:// or https://)");
  }
  const std::string scheme = absl::AsciiStrToLower(rest.substr(0, scheme_end));
  if (scheme == "https") {
    parsed.tls = true;
    parsed.port = 443;
  } else if (scheme != "http") {
    return Bad(url, absl::StrCat("unsupported scheme \"", scheme, "\""));
  }
  rest.remove_prefix(scheme_end + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == absl::string_view::npos
             ? absl::string_view()
             : rest.substr(authority_end);
  if (absl::StrContains(authority, '@')) {
    return Bad(url, "user information is not supported");
  }
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const std::size_t close = authority.find(']');
    if (close == absl::string_view::npos) return Bad(url, "unclosed '['");
    parsed.host = std::string(authority.substr(1, close - 1));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Bad(url, "junk after ']'");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      port_text = authority.substr(colon + 1);
    }
  }
  if (parsed.host.empty()) return Bad(url, "no host");
  for (char c : parsed.host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '\\') {
      return Bad(url, "invalid character in the host");
    }
  }
  if (!port_text.empty()) {
    int port = 0;
    if (!absl::SimpleAtoi(port_text, &port) || port <= 0 || port > 65535) {
      return Bad(url, "invalid port");
    }
    parsed.port = static_cast<std::uint16_t>(port);
  }
  rest = rest.substr(0, rest.find('#'));
  parsed.target = rest.empty() || rest[0] != '/' ? absl::StrCat("/", rest)
                                                 : std::string(rest);
  for (char c : parsed.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Bad(url, "control character or space in the path");
    }
  }
  return parsed;
}

std::string HttpUrl::Origin() const {
  const bool v6 = absl::StrContains(host, ':');
  return absl::StrCat(tls ? "https://" : "http://", v6 ? "[" : "", host,
                      v6 ? "]" : "", ":", port);
}

std::string HttpUrl::HostHeader() const {
  const bool v6 = absl::StrContains(host, ':');
  std::string name = v6 ? absl::StrCat("[", host, "]") : host;
  if (port != (tls ? 443 : 80)) absl::StrAppend(&name, ":", port);
  return name;
}

}  // namespace evergreen
