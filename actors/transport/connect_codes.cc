#include "actors/transport/connect_codes.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "actors/transport/connect_error.pb.h"
#include "google/protobuf/util/json_util.h"

namespace evergreen {
namespace {

struct CodeRow {
  absl::StatusCode code;
  const char* name;
  int http_status;
};

constexpr CodeRow kCodes[] = {
    {absl::StatusCode::kCancelled, "canceled", 499},
    {absl::StatusCode::kUnknown, "unknown", 500},
    {absl::StatusCode::kInvalidArgument, "invalid_argument", 400},
    {absl::StatusCode::kDeadlineExceeded, "deadline_exceeded", 504},
    {absl::StatusCode::kNotFound, "not_found", 404},
    {absl::StatusCode::kAlreadyExists, "already_exists", 409},
    {absl::StatusCode::kPermissionDenied, "permission_denied", 403},
    {absl::StatusCode::kResourceExhausted, "resource_exhausted", 429},
    {absl::StatusCode::kFailedPrecondition, "failed_precondition", 400},
    {absl::StatusCode::kAborted, "aborted", 409},
    {absl::StatusCode::kOutOfRange, "out_of_range", 400},
    {absl::StatusCode::kUnimplemented, "unimplemented", 501},
    {absl::StatusCode::kInternal, "internal", 500},
    {absl::StatusCode::kUnavailable, "unavailable", 503},
    {absl::StatusCode::kDataLoss, "data_loss", 500},
    {absl::StatusCode::kUnauthenticated, "unauthenticated", 401},
};

const CodeRow* RowOf(absl::StatusCode code) {
  for (const CodeRow& row : kCodes) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out->append(escaped);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

}  // namespace

absl::string_view ConnectCodeName(absl::StatusCode code) {
  const CodeRow* row = RowOf(code);
  return row == nullptr ? "unknown" : row->name;
}

std::optional<absl::StatusCode> ConnectCodeFromName(absl::string_view name) {
  for (const CodeRow& row : kCodes) {
    if (name == row.name) return row.code;
  }
  return std::nullopt;
}

int ConnectHttpStatus(absl::StatusCode code) {
  const CodeRow* row = RowOf(code);
  return row == nullptr ? 500 : row->http_status;
}

absl::StatusCode ConnectCodeFromHttpStatus(int http_status) {
  switch (http_status) {
    case 400: return absl::StatusCode::kInternal;
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kUnimplemented;
    case 429:
    case 502:
    case 503:
    case 504: return absl::StatusCode::kUnavailable;
    default: return absl::StatusCode::kUnknown;
  }
}

std::string ConnectErrorJson(const absl::Status& status) {
  std::string out = "{\"code\":";
  AppendJsonString(ConnectCodeName(status.code()), &out);
  if (!status.message().empty()) {
    out.append(",\"message\":");
    AppendJsonString(status.message(), &out);
  }
  out.push_back('}');
  return out;
}

absl::Status ConnectErrorFromResponse(int http_status,
                                      absl::string_view content_type,
                                      absl::string_view body) {
  if (absl::StartsWithIgnoreCase(content_type, "application/json")) {
    connect::ErrorBody error;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;  // "details", extensions
    if (google::protobuf::util::JsonStringToMessage(
            google::protobuf::StringPiece(body.data(), body.size()), &error,
            options)
            .ok() &&
        error.has_code()) {
      std::optional<absl::StatusCode> parsed =
          ConnectCodeFromName(error.code());
      return absl::Status(parsed.value_or(absl::StatusCode::kUnknown),
                          error.message());
    }
  }
  return absl::Status(
      ConnectCodeFromHttpStatus(http_status),
      absl::StrCat("HTTP ", http_status, ": ", body.substr(0, 200)));
}

}  // namespace evergreen
