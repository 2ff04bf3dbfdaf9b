#include "net/http/internal/parser.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace evergreen {
namespace internal {
namespace {

HttpParser* Self(llhttp_t* p) { return static_cast<HttpParser*>(p->data); }

// llhttp stops parsing when a callback returns this (any error code does;
// the message is ours).
constexpr int kStop = HPE_USER;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// "1.1", "2.0": a version llhttp may refuse though it is well formed.
bool WellFormedVersion(absl::string_view v) {
  return v.size() == 3 && IsDigit(v[0]) && v[1] == '.' && IsDigit(v[2]);
}

}  // namespace

HttpParser::HttpParser(Kind kind, HttpParseLimits limits)
    : kind_(kind), limits_(limits) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &OnMessageBegin;
  settings_.on_url = &OnUrl;
  settings_.on_status = &OnStatus;
  settings_.on_version = &OnVersion;
  settings_.on_header_field = &OnHeaderField;
  settings_.on_header_value = &OnHeaderValue;
  settings_.on_header_value_complete = &OnHeaderValueComplete;
  settings_.on_headers_complete = &OnHeadersComplete;
  settings_.on_body = &OnBody;
  settings_.on_message_complete = &OnMessageComplete;
  settings_.on_chunk_complete = &OnChunkComplete;
  settings_.on_chunk_extension_name = &OnChunkExtension;
  settings_.on_chunk_extension_value = &OnChunkExtension;
  llhttp_init(&parser_, kind == kRequest ? HTTP_REQUEST : HTTP_RESPONSE,
              &settings_);
  parser_.data = this;
}

void HttpParser::NextMessage() {
  started_ = false;
  head_complete_ = false;
  message_complete_ = false;
  body_ = {};
}

absl::StatusOr<std::size_t> HttpParser::Feed(absl::string_view data) {
  if (failed_) return absl::FailedPreconditionError("HTTP parser failed");
  const llhttp_errno_t code =
      llhttp_execute(&parser_, data.data(), data.size());
  paused_ = code == HPE_PAUSED;
  if (code == HPE_OK) return data.size();
  if (code == HPE_PAUSED) {
    const char* stop = llhttp_get_error_pos(&parser_);
    llhttp_resume(&parser_);
    return static_cast<std::size_t>(stop - data.data());
  }
  return Error(code);
}

absl::Status HttpParser::FeedEof() {
  if (failed_) return absl::FailedPreconditionError("HTTP parser failed");
  // Between messages the end is clean. (llhttp itself may still be paused
  // just after the last one and would call that an invalid EOF state.)
  // Events llhttp has not reached yet for lack of a call (the end of a
  // body whose last byte was fed) come first.
  while (paused_ && started_ && !message_complete_) {
    static constexpr char kNothing[1] = {};
    absl::StatusOr<std::size_t> used = Feed(absl::string_view(kNothing, 0));
    if (!used.ok()) return used.status();
  }
  if (!started_ || message_complete_) return absl::OkStatus();
  const llhttp_errno_t code = llhttp_finish(&parser_);
  if (code == HPE_PAUSED) llhttp_resume(&parser_);
  if (code != HPE_OK && code != HPE_PAUSED) return Error(code);
  if (message_complete_) return absl::OkStatus();
  failed_ = true;
  return absl::InvalidArgumentError(
      head_complete_ ? "HTTP message body cut short by the end of the stream"
                     : "HTTP message head cut short by the end of the stream");
}

absl::Status HttpParser::Error(llhttp_errno_t code) {
  failed_ = true;
  if (code == HPE_USER && !error_.empty()) {
    return absl::InvalidArgumentError(error_);
  }
  if (code == HPE_INVALID_VERSION && WellFormedVersion(version_)) {
    error_status_ = 505;
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP version not supported: HTTP/", version_));
  }
  const char* reason = llhttp_get_error_reason(&parser_);
  return absl::InvalidArgumentError(
      absl::StrCat("bad HTTP ", kind_ == kRequest ? "request" : "response",
                   ": ", reason != nullptr ? reason : llhttp_errno_name(code)));
}

int HttpParser::Fail(int status, std::string message) {
  error_status_ = status;
  error_ = std::move(message);
  return kStop;
}

int HttpParser::CountHeadBytes(std::size_t length) {
  header_bytes_ += length;
  if (header_bytes_ > limits_.max_header_bytes) {
    return Fail(431, absl::StrCat("HTTP header section larger than ",
                                  limits_.max_header_bytes, " bytes"));
  }
  return 0;
}

int HttpParser::OnMessageBegin(llhttp_t* p) {
  HttpParser* self = Self(p);
  self->started_ = true;
  self->head_ = HttpHead();
  self->field_.clear();
  self->value_.clear();
  self->version_.clear();
  self->header_bytes_ = 0;
  self->extension_bytes_ = 0;
  return 0;
}

int HttpParser::OnUrl(llhttp_t* p, const char* at, std::size_t length) {
  HttpParser* self = Self(p);
  if (self->head_.target.size() + length > self->limits_.max_target_bytes) {
    return self->Fail(414, absl::StrCat("HTTP request target longer than ",
                                        self->limits_.max_target_bytes,
                                        " bytes"));
  }
  self->head_.target.append(at, length);
  return 0;
}

int HttpParser::OnStatus(llhttp_t* p, const char* at, std::size_t length) {
  HttpParser* self = Self(p);
  if (int stop = self->CountHeadBytes(length)) return stop;
  self->head_.reason.append(at, length);
  return 0;
}

int HttpParser::OnVersion(llhttp_t* p, const char* at, std::size_t length) {
  HttpParser* self = Self(p);
  if (self->version_.size() + length > 16) {
    return self->Fail(400, "malformed HTTP version");
  }
  self->version_.append(at, length);
  return 0;
}

int HttpParser::OnHeaderField(llhttp_t* p, const char* at,
                              std::size_t length) {
  HttpParser* self = Self(p);
  if (int stop = self->CountHeadBytes(length)) return stop;
  self->field_.append(at, length);
  return 0;
}

int HttpParser::OnHeaderValue(llhttp_t* p, const char* at,
                              std::size_t length) {
  HttpParser* self = Self(p);
  if (int stop = self->CountHeadBytes(length)) return stop;
  self->value_.append(at, length);
  return 0;
}

int HttpParser::OnHeaderValueComplete(llhttp_t* p) {
  HttpParser* self = Self(p);
  if (int stop = self->CountHeadBytes(4)) return stop;
  if (static_cast<int>(self->head_.headers.size()) >=
      self->limits_.max_header_count) {
    return self->Fail(431, absl::StrCat("more than ",
                                        self->limits_.max_header_count,
                                        " HTTP header fields"));
  }
  // llhttp strips the value's leading whitespace; the trailing is ours.
  absl::string_view value = absl::StripTrailingAsciiWhitespace(self->value_);
  if (absl::Status valid = ValidateHeaderField(self->field_, value);
      !valid.ok()) {
    return self->Fail(400, std::string(valid.message()));
  }
  self->head_.headers.Add(self->field_, value);
  self->field_.clear();
  self->value_.clear();
  return 0;
}

int HttpParser::CheckHead() {
  const HttpHeaders& headers = head_.headers;
  // Only "chunked" is a coding we decode; anything else (a list, gzip, a
  // repeated field) would be framed differently by some proxy (B-HT5).
  const int codings = headers.Count("Transfer-Encoding");
  if (codings > 1 ||
      (codings == 1 &&
       !absl::EqualsIgnoreCase(*headers.Get("Transfer-Encoding"),
                               "chunked"))) {
    return Fail(400, "HTTP Transfer-Encoding other than one \"chunked\"");
  }
  if (codings == 1 && headers.Count("Content-Length") > 0) {
    return Fail(400, "HTTP Content-Length together with Transfer-Encoding");
  }
  if (headers.Count("Content-Length") > 1) {
    return Fail(400, "HTTP Content-Length given twice");
  }
  if (kind_ == kRequest && head_.version_minor == 1 &&
      headers.Count("Host") != 1) {
    return Fail(400, headers.Count("Host") == 0
                         ? "HTTP/1.1 request without Host"
                         : "HTTP/1.1 request with more than one Host");
  }
  return 0;
}

int HttpParser::OnHeadersComplete(llhttp_t* p) {
  HttpParser* self = Self(p);
  HttpHead& head = self->head_;
  if (p->http_major != 1 || p->http_minor > 1) {
    self->error_status_ = 505;
    return self->Fail(505, absl::StrCat("HTTP version not supported: HTTP/",
                                        p->http_major, ".", p->http_minor));
  }
  head.version_minor = p->http_minor;
  if (self->kind_ == kRequest) {
    head.method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
  } else {
    head.status = p->status_code;
  }
  if (int stop = self->CheckHead()) return stop;
  head.chunked = (p->flags & F_CHUNKED) != 0;
  if ((p->flags & F_CONTENT_LENGTH) != 0) head.content_length = p->content_length;
  head.keep_alive = llhttp_should_keep_alive(p) != 0 && p->upgrade == 0;
  self->head_complete_ = true;
  if (self->skip_body_) {
    self->skip_body_ = false;
    return 1;  // llhttp: this message has no body
  }
  return HPE_PAUSED;
}

int HttpParser::OnBody(llhttp_t* p, const char* at, std::size_t length) {
  // llhttp flushes an open body span at the end of every execute, empty
  // when no byte came: not an event.
  if (length == 0) return 0;
  HttpParser* self = Self(p);
  self->body_ = absl::string_view(at, length);
  return HPE_PAUSED;
}

int HttpParser::OnMessageComplete(llhttp_t* p) {
  HttpParser* self = Self(p);
  self->message_complete_ = true;
  return HPE_PAUSED;
}

int HttpParser::OnChunkComplete(llhttp_t* p) {
  Self(p)->extension_bytes_ = 0;
  return 0;
}

int HttpParser::OnChunkExtension(llhttp_t* p, const char*,
                                 std::size_t length) {
  HttpParser* self = Self(p);
  self->extension_bytes_ += length;
  if (self->extension_bytes_ > self->limits_.max_chunk_extension_bytes) {
    return self->Fail(400, absl::StrCat("HTTP chunk extension longer than ",
                                        self->limits_.max_chunk_extension_bytes,
                                        " bytes"));
  }
  return 0;
}

}  // namespace internal
}  // namespace evergreen
