#include "actors/transport/connect_handler.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "actors/service/call_context.h"
#include "actors/service/handler_call.h"
#include "actors/service/payload.h"
#include "actors/transport/connect_codes.h"
#include "actors/transport/connect_json.h"
#include "framework/event.h"
#include "net/http/content_coding.h"

namespace evergreen {
namespace {

enum class Codec { kProto, kJson };

// How long past the deadline the handler waits for the runtime's own
// DeadlineExceeded before answering it itself.
constexpr absl::Duration kDeadlineGrace = absl::Seconds(1);

void SendError(HttpResponse& response, const absl::Status& status,
               HttpHeaders headers = {}) {
  headers.Set("Content-Type", "application/json");
  response.Send(ConnectHttpStatus(status.code()), ConnectErrorJson(status),
                headers)
      .IgnoreError();
}

std::optional<Codec> CodecOf(absl::string_view content_type) {
  absl::string_view media = content_type.substr(0, content_type.find(';'));
  media = absl::StripAsciiWhitespace(media);
  if (absl::EqualsIgnoreCase(media, "application/proto")) return Codec::kProto;
  if (absl::EqualsIgnoreCase(media, "application/json")) return Codec::kJson;
  return std::nullopt;
}

// Headers that are HTTP's or Connect's own, not call metadata.
bool IsProtocolHeader(absl::string_view lower) {
  static constexpr absl::string_view kExact[] = {
      "host",   "connection", "keep-alive", "transfer-encoding", "te",
      "trailer", "upgrade",   "expect",     "user-agent",        "date",
      "accept", "proxy-connection"};
  for (absl::string_view name : kExact) {
    if (lower == name) return true;
  }
  return absl::StartsWith(lower, "content-") ||
         absl::StartsWith(lower, "connect-") ||
         absl::StartsWith(lower, "accept-");
}

// The Connect-Timeout-Ms header: at most 10 digits (the spec's bound).
absl::StatusOr<absl::Time> DeadlineOf(const HttpHeaders& headers) {
  std::optional<absl::string_view> value = headers.Get("Connect-Timeout-Ms");
  if (!value.has_value()) return absl::InfiniteFuture();
  std::uint64_t ms = 0;
  if (value->empty() || value->size() > 10 ||
      !absl::c_all_of(*value, absl::ascii_isdigit) ||
      !absl::SimpleAtoi(*value, &ms)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Connect-Timeout-Ms must be 1 to 10 digits, got \"", *value, "\""));
  }
  return absl::Now() + absl::Milliseconds(ms);
}

// What the call's completion hands back to the waiting handler.
struct Outcome {
  Event done;
  std::optional<absl::StatusOr<Payload>> result;
};

class Handler {
 public:
  Handler(const ServiceTable& table, ConnectHandlerOptions options)
      : table_(table), options_(options) {}

  void Serve(HttpRequest& request, HttpResponse& response) {
    const std::string method(absl::StripPrefix(request.path(), "/"));
    if (request.method() != "POST") {
      response
          .Send(405,
                ConnectErrorJson(absl::UnimplementedError(absl::StrCat(
                    "Connect unary calls are POST, not ", request.method()))),
                {{"Content-Type", "application/json"}, {"Allow", "POST"}})
          .IgnoreError();
      return;
    }
    absl::StatusOr<const MethodInfo*> info = table_.FindMethod(method);
    if (!info.ok()) {
      // Connect: an unknown route is 404 with code unimplemented.
      HttpHeaders headers = {{"Content-Type", "application/json"}};
      response.Send(404, ConnectErrorJson(info.status()), headers)
          .IgnoreError();
      return;
    }
    std::optional<Codec> codec =
        CodecOf(request.headers().Get("Content-Type").value_or(""));
    if (!codec.has_value()) {
      response
          .Send(415,
                ConnectErrorJson(absl::InvalidArgumentError(absl::StrCat(
                    "Content-Type \"",
                    request.headers().Get("Content-Type").value_or(""),
                    "\" is not application/proto or application/json"))),
                {{"Content-Type", "application/json"},
                 {"Accept-Post", "application/proto, application/json"}})
          .IgnoreError();
      return;
    }
    if (auto version = request.headers().Get("Connect-Protocol-Version");
        version.has_value() && *version != "1") {
      return SendError(response,
                       absl::InvalidArgumentError(absl::StrCat(
                           "Connect-Protocol-Version \"", *version,
                           "\" is not supported; this server speaks 1")));
    }
    // A gzip body was decompressed by the HTTP server (the field is gone
    // then); any other coding is Connect's unimplemented, naming ours.
    if (auto encoding = request.headers().Get("Content-Encoding");
        encoding.has_value() && !absl::EqualsIgnoreCase(*encoding, "identity")) {
      return SendError(
          response,
          absl::UnimplementedError(absl::StrCat(
              "request Content-Encoding \"", *encoding,
              "\" is not supported: supported encodings are gzip")),
          {{"Accept-Encoding", "gzip"}});
    }
    absl::StatusOr<absl::Time> deadline = DeadlineOf(request.headers());
    if (!deadline.ok()) return SendError(response, deadline.status());

    absl::StatusOr<std::string> body =
        request.body().ReadAll(options_.max_body_bytes);
    if (!body.ok()) {
      absl::Status error = body.status();
      if (absl::IsResourceExhausted(error)) {
        error = absl::ResourceExhaustedError(
            absl::StrCat("request body is over the limit of ",
                         options_.max_body_bytes, " bytes"));
      }
      response.set_keep_alive(false);
      return SendError(response, error);
    }
    Payload payload;
    if (*codec == Codec::kJson) {
      absl::StatusOr<std::string> binary =
          ConnectJsonToBinary((*info)->request_type, *body);
      if (!binary.ok()) return SendError(response, binary.status());
      payload.bytes = std::move(*binary);
    } else {
      payload.bytes = std::move(*body);
    }

    auto state = std::make_shared<CallState>();
    state->peer = request.peer().ToString();
    state->deadline = *deadline;
    for (const auto& [name, value] : request.headers()) {
      std::string lower = absl::AsciiStrToLower(name);
      if (!IsProtocolHeader(lower)) state->metadata[lower] = value;
    }

    auto outcome = std::make_shared<Outcome>();
    // The call must not outlive the handler's interest in it: a killed or
    // timed-out handler marks it cancelled (a queued call then does not
    // run).
    struct CancelOnExit {
      std::shared_ptr<CallState> state;
      std::shared_ptr<Outcome> outcome;
      ~CancelOnExit() {
        if (!outcome->result.has_value()) {
          CancelCall(state, absl::CancelledError(
                                "the HTTP client went away or timed out"));
        }
      }
    } cancel_on_exit{state, outcome};
    table_.Dispatch(method, std::move(payload), state,
                    [outcome](absl::StatusOr<Payload> result) {
                      outcome->result.emplace(std::move(result));
                      outcome->done.Set();
                    });
    const absl::Duration wait =
        *deadline == absl::InfiniteFuture()
            ? absl::InfiniteDuration()
            : std::max(absl::ZeroDuration(), *deadline - absl::Now()) +
                  kDeadlineGrace;
    if (!outcome->done.Wait(wait) || !outcome->result.has_value()) {
      return SendError(response, absl::DeadlineExceededError(absl::StrCat(
                                     "call ", method,
                                     ": deadline exceeded (Connect-Timeout-Ms)")));
    }
    absl::StatusOr<Payload>& result = *outcome->result;
    if (!result.ok()) return SendError(response, result.status());
    std::string reply = std::move(result->bytes);
    if (result->message != nullptr) {
      if (!result->message->SerializeToString(&reply)) {
        return SendError(response, absl::InternalError(absl::StrCat(
                                       "reply of ", method,
                                       " does not serialise")));
      }
    }
    HttpHeaders headers = {{"Content-Type", "application/proto"}};
    if (*codec == Codec::kJson) {
      absl::StatusOr<std::string> json =
          ConnectBinaryToJson((*info)->reply_type, reply);
      if (!json.ok()) return SendError(response, json.status());
      reply = *std::move(json);
      headers.Set("Content-Type", "application/json");
    }
    // Connect unary compression is plain HTTP: gzip when Accept-Encoding
    // allows it and the reply is large enough to gain from it.
    if (reply.size() >= options_.compress_min_bytes &&
        AcceptsCoding(request.headers(), "gzip")) {
      reply = GzipCompress(reply);
      headers.Add("Content-Encoding", "gzip");
    }
    response.Send(200, reply, headers).IgnoreError();
  }

 private:
  const ServiceTable& table_;
  ConnectHandlerOptions options_;
};

}  // namespace

HttpHandler ConnectHandler(const ServiceTable& table,
                           ConnectHandlerOptions options) {
  auto handler = std::make_shared<Handler>(table, options);
  return [handler](HttpRequest& request, HttpResponse& response) {
    handler->Serve(request, response);
  };
}

}  // namespace evergreen
