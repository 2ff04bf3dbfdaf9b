#include "net/http/response.h"

#include <algorithm>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "net/http/internal/date.h"

namespace evergreen {
namespace {

bool Bodiless(int status) {
  return status < 200 || status == 204 || status == 304;
}

absl::StatusOr<std::uint64_t> ParseLength(absl::string_view text) {
  std::uint64_t length = 0;
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(),
                   [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(text, &length)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HTTP response Content-Length \"", text, "\" is not a number"));
  }
  return length;
}

}  // namespace

HttpResponse::HttpResponse(Context context)
    : context_(context), keep_alive_(context.keep_alive) {}

absl::Status HttpResponse::Send(int status, absl::string_view body,
                                const HttpHeaders& headers) {
  if (absl::Status started = StartWith(status, headers, body.size());
      !started.ok()) {
    return started;
  }
  if (absl::Status written = WriteBody(body, false); !written.ok()) {
    return written;
  }
  return Finish();
}

absl::Status HttpResponse::Start(int status, const HttpHeaders& headers) {
  return StartWith(status, headers, std::nullopt);
}

absl::Status HttpResponse::StartWith(int status, const HttpHeaders& headers,
                                     std::optional<std::uint64_t> length) {
  if (started_) {
    return absl::FailedPreconditionError("HTTP response already started");
  }
  if (status < 200 || status > 999) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP response status ", status,
                     " is not a final status (200..999)"));
  }
  bool close = false;
  for (const auto& [name, value] : headers) {
    if (absl::Status valid = ValidateHeaderField(name, value); !valid.ok()) {
      return valid;
    }
    if (absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      return absl::InvalidArgumentError(
          "HTTP response framing is the server's: do not set "
          "Transfer-Encoding");
    }
    if (absl::EqualsIgnoreCase(name, "Content-Length") && !length) {
      absl::StatusOr<std::uint64_t> declared = ParseLength(value);
      if (!declared.ok()) return declared.status();
      length = *declared;
    }
    if (absl::EqualsIgnoreCase(name, "Connection") &&
        headers.HasToken("Connection", "close")) {
      close = true;
    }
  }
  if (close || (context_.closing != nullptr && *context_.closing)) {
    keep_alive_ = false;
  }

  status_ = status;
  send_body_ = !Bodiless(status) && !context_.head_request;
  if (Bodiless(status)) {
    framing_ = Framing::kNone;
  } else if (length) {
    framing_ = Framing::kLength;
    remaining_ = *length;
  } else if (context_.version_minor >= 1) {
    framing_ = Framing::kChunked;
  } else {
    framing_ = Framing::kClose;
    keep_alive_ = false;
  }

  std::string& out = context_.output->buffer();
  absl::StrAppend(&out, "HTTP/1.1 ", status, " ",
                  internal::HttpReasonPhrase(status), "\r\n");
  bool has_date = false;
  for (const auto& [name, value] : headers) {
    if (absl::EqualsIgnoreCase(name, "Content-Length") ||
        absl::EqualsIgnoreCase(name, "Connection")) {
      continue;
    }
    if (absl::EqualsIgnoreCase(name, "Date")) has_date = true;
    absl::StrAppend(&out, name, ": ", value, "\r\n");
  }
  if (!has_date) {
    absl::StrAppend(&out, "Date: ", internal::CachedHttpDate(), "\r\n");
  }
  switch (framing_) {
    case Framing::kLength:
      absl::StrAppend(&out, "Content-Length: ", remaining_, "\r\n");
      break;
    case Framing::kChunked:
      out.append("Transfer-Encoding: chunked\r\n");
      break;
    case Framing::kNone:
    case Framing::kClose:
      break;
  }
  if (!keep_alive_) {
    out.append("Connection: close\r\n");
  } else if (context_.version_minor == 0) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");
  started_ = true;
  if (context_.output->pending() > internal::HttpOutput::kFlushBytes) {
    return context_.output->Flush();
  }
  return context_.output->status();
}

absl::Status HttpResponse::Write(absl::string_view data) {
  if (!started_) {
    return absl::FailedPreconditionError(
        "HTTP response body written before Start");
  }
  if (finished_) {
    return absl::FailedPreconditionError("HTTP response already finished");
  }
  return WriteBody(data, true);
}

absl::Status HttpResponse::WriteBody(absl::string_view data, bool flush) {
  if (framing_ == Framing::kLength) {
    if (data.size() > remaining_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "HTTP response body longer than its Content-Length (", data.size(),
          " more bytes, ", remaining_, " left)"));
    }
    remaining_ -= data.size();
  }
  if (!send_body_ || data.empty()) return context_.output->status();
  internal::HttpOutput& output = *context_.output;
  if (framing_ == Framing::kChunked) {
    absl::StrAppend(&output.buffer(), absl::Hex(data.size()), "\r\n");
  }
  absl::Status written = output.Write(data);
  if (written.ok() && framing_ == Framing::kChunked) {
    written = output.Write("\r\n");
  }
  if (written.ok() && flush) written = output.Flush();
  if (!written.ok()) broken_ = true;
  return written;
}

absl::Status HttpResponse::Finish() {
  if (!started_) {
    return absl::FailedPreconditionError("HTTP response not started");
  }
  if (finished_) return context_.output->status();
  finished_ = true;
  // (A HEAD answer sends no body, so none can be cut short.)
  if (framing_ == Framing::kLength && remaining_ > 0 && send_body_) {
    broken_ = true;
    return absl::FailedPreconditionError(absl::StrCat(
        "HTTP response body shorter than its Content-Length (", remaining_,
        " bytes missing)"));
  }
  if (framing_ == Framing::kChunked && send_body_) {
    return context_.output->Write("0\r\n\r\n");
  }
  return context_.output->status();
}

}  // namespace evergreen
