#include "net/http/mux.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace evergreen {

absl::Status HttpMux::Handle(absl::string_view pattern, HttpHandler handler) {
  if (!absl::StartsWith(pattern, "/")) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP route \"", pattern, "\" does not start with '/'"));
  }
  if (!routes_.emplace(std::string(pattern), std::move(handler)).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("HTTP route \"", pattern, "\" is routed already"));
  }
  return absl::OkStatus();
}

void HttpMux::Serve(HttpRequest& request, HttpResponse& response) {
  const absl::string_view path = request.path();
  // Candidates sort at or after `path` in descending order; the first
  // that matches is the longest.
  for (auto it = routes_.lower_bound(path); it != routes_.end(); ++it) {
    const std::string& pattern = it->first;
    const bool subtree = absl::EndsWith(pattern, "/");
    if (subtree ? absl::StartsWith(path, pattern) : path == pattern) {
      it->second(request, response);
      return;
    }
  }
  response.Send(404, "not found\n", {{"Content-Type", "text/plain"}})
      .IgnoreError();
}

HttpHandler HttpMux::AsHandler() {
  return [this](HttpRequest& request, HttpResponse& response) {
    Serve(request, response);
  };
}

}  // namespace evergreen
