#include "actors/transport/http_channel.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "actors/transport/connect_codes.h"
#include "actors/transport/connect_json.h"
#include "actors/transport/internal/client_channel.h"
#include "framework/greenlet.h"
#include "google/protobuf/util/json_util.h"
#include "net/http/client.h"

namespace evergreen {
namespace {

// A reply body larger than this fails the call (ResourceExhausted).
constexpr std::size_t kMaxReplyBytes = 64 << 20;

// The calls and the HTTP client; shared with the greenlets running the
// calls so that they can unwind after the channel is gone.
class HttpCalls : public std::enable_shared_from_this<HttpCalls> {
 public:
  HttpCalls(std::string base_url, HttpChannelOptions options)
      : target_(std::move(base_url)),
        base_(absl::StripSuffix(target_, "/")),
        json_(options.json),
        default_timeout_(options.default_timeout),
        client_(MakeClientOptions(std::move(options))) {}

  const std::string& target() const { return target_; }

  std::uint64_t Start(const MethodInfo& method,
                      const google::protobuf::Message& request,
                      absl::Time deadline, const Metadata& metadata,
                      ReplyCallback done) {
    const std::uint64_t id = next_id_++;
    if (closed_) {
      done(absl::CancelledError(
          absl::StrCat("call ", method.full_name, ": channel closed")));
      return id;
    }
    HttpClientRequest http;
    http.method = "POST";
    http.url = absl::StrCat(base_, "/", method.full_name);
    if (json_) {
      google::protobuf::util::JsonPrintOptions print;
      auto printed = google::protobuf::util::MessageToJsonString(
          request, &http.body, print);
      if (!printed.ok()) {
        done(absl::InvalidArgumentError(absl::StrCat(
            "call ", method.full_name, ": request as JSON: ",
            printed.message().ToString())));
        return id;
      }
      http.headers.Add("Content-Type", "application/json");
    } else {
      if (!request.SerializeToString(&http.body)) {
        done(absl::InvalidArgumentError(absl::StrCat(
            "call ", method.full_name, ": request does not serialise")));
        return id;
      }
      http.headers.Add("Content-Type", "application/proto");
    }
    http.headers.Add("Connect-Protocol-Version", "1");
    if (deadline != absl::InfiniteFuture()) {
      const std::int64_t ms = std::max<std::int64_t>(
          1, absl::ToInt64Milliseconds(absl::Ceil(deadline - absl::Now(),
                                                  absl::Milliseconds(1))));
      http.headers.Add("Connect-Timeout-Ms", absl::StrCat(ms));
      http.timeout = std::max(absl::ZeroDuration(), deadline - absl::Now());
    } else {
      http.timeout = default_timeout_;
    }
    for (const auto& [name, value] : metadata) http.headers.Add(name, value);

    calls_[id].done = std::move(done);
    std::weak_ptr<HttpCalls> weak = weak_from_this();
    calls_[id].greenlet = Spawn(
        [self = shared_from_this(), id, http = std::move(http),
         &method]() mutable {
          absl::StatusOr<Payload> outcome = self->Exchange(method, http);
          self->Finish(id, std::move(outcome));
        });
    return id;
  }

  void Cancel(std::uint64_t id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    Greenlet<void> greenlet = std::move(it->second.greenlet);
    calls_.erase(it);
    if (greenlet) greenlet.Kill(nullptr, /*block=*/false);
  }

  // The channel handle is gone: stop every call, fail what waits.
  void Close() {
    closed_ = true;
    auto calls = std::move(calls_);
    calls_.clear();
    for (auto& [id, call] : calls) {
      if (call.greenlet) call.greenlet.Kill(nullptr, /*block=*/false);
      call.done(absl::CancelledError(
          absl::StrCat("channel to ", target_, " closed")));
    }
  }

 private:
  struct Call {
    ReplyCallback done;
    Greenlet<void> greenlet;
  };

  static HttpClientOptions MakeClientOptions(HttpChannelOptions options) {
    HttpClientOptions client;
    client.connect_timeout = options.connect_timeout;
    client.tls = std::move(options.tls);
    return client;
  }

  absl::StatusOr<Payload> Exchange(const MethodInfo& method,
                                   HttpClientRequest& http) {
    absl::StatusOr<HttpResult> result =
        client_.Fetch(std::move(http), kMaxReplyBytes);
    if (!result.ok()) {
      const absl::Status& error = result.status();
      absl::StatusCode code = absl::IsDeadlineExceeded(error) ||
                                      absl::IsResourceExhausted(error)
                                  ? error.code()
                                  : absl::StatusCode::kUnavailable;
      return absl::Status(code, absl::StrCat("call ", method.full_name, ": ",
                                             error.message()));
    }
    const absl::string_view content_type =
        result->headers.Get("Content-Type").value_or("");
    if (result->status != 200) {
      return ConnectErrorFromResponse(result->status, content_type,
                                      result->body);
    }
    Payload payload;
    if (json_) {
      absl::StatusOr<std::string> binary =
          ConnectJsonToBinary(method.reply_type, result->body);
      if (!binary.ok()) {
        return absl::InternalError(absl::StrCat(
            "call ", method.full_name, ": reply: ", binary.status().message()));
      }
      payload.bytes = std::move(*binary);
    } else {
      payload.bytes = std::move(result->body);
    }
    return payload;
  }

  void Finish(std::uint64_t id, absl::StatusOr<Payload> outcome) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;  // cancelled or closed
    ReplyCallback done = std::move(it->second.done);
    calls_.erase(it);
    done(std::move(outcome));
  }

  std::string target_;
  std::string base_;
  bool json_;
  absl::Duration default_timeout_;
  HttpClient client_;
  std::uint64_t next_id_ = 1;
  bool closed_ = false;
  absl::flat_hash_map<std::uint64_t, Call> calls_;
};


}  // namespace

Channel Channel::Http(absl::string_view base_url) {
  return Http(base_url, HttpChannelOptions());
}

Channel Channel::Http(absl::string_view base_url,
                      const HttpChannelOptions& options) {
  return Channel(
      std::make_shared<internal::ClientChannel<HttpCalls>>(
          std::make_shared<HttpCalls>(std::string(base_url), options)));
}

}  // namespace evergreen
