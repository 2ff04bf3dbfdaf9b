// HttpParser: one llhttp parser for a connection's messages (requests on a
// server, responses on a client), with Evergreen's limits and stricter
// checks on top of llhttp's own strict mode.
//
//   HttpParser parser(HttpParser::kRequest, limits);
//   absl::StatusOr<std::size_t> used = parser.Feed(bytes);
//   if (parser.head_complete()) ... parser.head() ...
//   if (!parser.body().empty()) ... consume, then parser.ConsumeBody() ...
//   if (parser.message_complete()) parser.NextMessage();
//
// Feed() stops after each event (head complete, a piece of body, message
// complete) and says how many bytes it used; the caller feeds the rest
// after handling the event. A body piece points into the bytes fed, so the
// caller keeps them until ConsumeBody(). Nothing is allocated from a
// declared Content-Length (B-HT9).
//
// Errors are InvalidArgument with llhttp's reason, or this class's; for a
// server, error_status() is the status to answer with: 400, 413 (never
// from the parser), 414 (request target too long), 431 (head too large),
// 505 (a well-formed version other than 1.0 / 1.1). After an error the
// parser is unusable: the connection must close (B-HT5).
//
// Thread affinity: none; not thread-safe.
#ifndef EVERGREEN_NET_HTTP_INTERNAL_PARSER_H_
#define EVERGREEN_NET_HTTP_INTERNAL_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "llhttp.h"
#include "net/http/headers.h"

namespace evergreen {
namespace internal {

struct HttpParseLimits {
  std::size_t max_target_bytes = 8 * 1024;
  // Header names and values together, plus 4 bytes per field.
  std::size_t max_header_bytes = 64 * 1024;
  int max_header_count = 100;
  std::size_t max_chunk_extension_bytes = 1024;
};

// A message head as parsed.
struct HttpHead {
  std::string method;  // requests
  std::string target;  // requests
  int status = 0;      // responses
  std::string reason;  // responses
  int version_minor = 1;  // HTTP/1.<minor>
  HttpHeaders headers;
  bool chunked = false;
  std::optional<std::uint64_t> content_length;
  // llhttp_should_keep_alive, and false for an upgrade request.
  bool keep_alive = false;
};

class HttpParser {
 public:
  enum Kind { kRequest, kResponse };

  HttpParser(Kind kind, HttpParseLimits limits);
  HttpParser(const HttpParser&) = delete;
  HttpParser& operator=(const HttpParser&) = delete;

  // Parses from the start of `data` until an event or the end of `data`;
  // returns the bytes used. Errors: see the overview.
  absl::StatusOr<std::size_t> Feed(absl::string_view data);
  // The input ended: completes a body delimited by close. Errors when a
  // message was cut short.
  absl::Status FeedEof();

  // Responses only: the next message has no body whatever its head says
  // (the answer to HEAD, or the request was 1xx/204/304). Call before
  // feeding its head.
  void SkipBodyOfNextMessage() { skip_body_ = true; }

  // True once bytes of the current message arrived.
  bool message_started() const { return started_; }
  bool head_complete() const { return head_complete_; }
  const HttpHead& head() const { return head_; }
  HttpHead& mutable_head() { return head_; }
  // A piece of body from the last Feed, or "".
  absl::string_view body() const { return body_; }
  // Marks `n` bytes of body() consumed.
  void ConsumeBody(std::size_t n) { body_.remove_prefix(n); }
  bool message_complete() const { return message_complete_; }
  // The last Feed stopped at an event: feeding again (even no bytes) may
  // reach the next one (the end of a body already received, say).
  bool paused() const { return paused_; }
  // Forgets the finished message; the parser continues with the next one.
  void NextMessage();

  // For a server, the status to answer a parse error with (400 when none
  // more precise applies).
  int error_status() const { return error_status_; }

 private:
  static int OnMessageBegin(llhttp_t* p);
  static int OnUrl(llhttp_t* p, const char* at, std::size_t length);
  static int OnStatus(llhttp_t* p, const char* at, std::size_t length);
  static int OnVersion(llhttp_t* p, const char* at, std::size_t length);
  static int OnHeaderField(llhttp_t* p, const char* at, std::size_t length);
  static int OnHeaderValue(llhttp_t* p, const char* at, std::size_t length);
  static int OnHeaderValueComplete(llhttp_t* p);
  static int OnHeadersComplete(llhttp_t* p);
  static int OnBody(llhttp_t* p, const char* at, std::size_t length);
  static int OnMessageComplete(llhttp_t* p);
  static int OnChunkComplete(llhttp_t* p);
  static int OnChunkExtension(llhttp_t* p, const char* at, std::size_t length);

  // Records an error of ours; returns the llhttp code that stops parsing.
  int Fail(int status, std::string message);
  int CountHeadBytes(std::size_t length);
  // Checks beyond llhttp's at the end of the head.
  int CheckHead();
  absl::Status Error(llhttp_errno_t code);

  Kind kind_;
  HttpParseLimits limits_;
  llhttp_settings_t settings_;
  llhttp_t parser_;
  bool skip_body_ = false;
  bool paused_ = false;

  bool started_ = false;
  bool head_complete_ = false;
  bool message_complete_ = false;
  HttpHead head_;
  std::string field_;
  std::string value_;
  bool in_value_ = false;
  std::string version_;
  std::size_t header_bytes_ = 0;
  std::size_t extension_bytes_ = 0;
  absl::string_view body_;

  int error_status_ = 400;
  std::string error_;  // ours, when set
  bool failed_ = false;
};

}  // namespace internal
}  // namespace evergreen

#endif  // EVERGREEN_NET_HTTP_INTERNAL_PARSER_H_
