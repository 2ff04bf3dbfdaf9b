#include "net/http/headers.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace evergreen {

HttpHeaders::HttpHeaders(
    std::initializer_list<std::pair<absl::string_view, absl::string_view>>
        fields) {
  fields_.reserve(fields.size());
  for (const auto& [name, value] : fields) Add(name, value);
}

void HttpHeaders::Add(absl::string_view name, absl::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void HttpHeaders::Set(absl::string_view name, absl::string_view value) {
  Remove(name);
  Add(name, value);
}

int HttpHeaders::Remove(absl::string_view name) {
  int removed = 0;
  for (auto it = fields_.begin(); it != fields_.end();) {
    if (absl::EqualsIgnoreCase(it->first, name)) {
      it = fields_.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

std::optional<absl::string_view> HttpHeaders::Get(
    absl::string_view name) const {
  for (const Field& field : fields_) {
    if (absl::EqualsIgnoreCase(field.first, name)) return field.second;
  }
  return std::nullopt;
}

int HttpHeaders::Count(absl::string_view name) const {
  int count = 0;
  for (const Field& field : fields_) {
    if (absl::EqualsIgnoreCase(field.first, name)) ++count;
  }
  return count;
}

bool HttpHeaders::HasToken(absl::string_view name,
                           absl::string_view token) const {
  for (const Field& field : fields_) {
    if (!absl::EqualsIgnoreCase(field.first, name)) continue;
    for (absl::string_view part : absl::StrSplit(field.second, ',')) {
      if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(part), token)) {
        return true;
      }
    }
  }
  return false;
}

bool IsHttpTokenChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*':
    case '+': case '-': case '.': case '^': case '_': case '`': case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsHttpMethod(absl::string_view method) {
  return !method.empty() &&
         std::all_of(method.begin(), method.end(), &IsHttpTokenChar);
}

absl::Status ValidateHeaderField(absl::string_view name,
                                 absl::string_view value) {
  if (name.empty()) {
    return absl::InvalidArgumentError("HTTP header with an empty name");
  }
  for (char c : name) {
    if (!IsHttpTokenChar(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "HTTP header name \"", absl::CEscape(name),
          "\" holds a character that is not allowed in a token"));
    }
  }
  for (char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "HTTP header ", name, ": the value \"", absl::CEscape(value),
          "\" holds a control character (CR, LF, NUL, ...)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace evergreen
