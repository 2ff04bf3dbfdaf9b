#include "net/http/request.h"

namespace evergreen {

absl::string_view HttpRequest::path() const {
  absl::string_view target = target_;
  return target.substr(0, target.find('?'));
}

absl::string_view HttpRequest::query() const {
  absl::string_view target = target_;
  const std::size_t mark = target.find('?');
  return mark == absl::string_view::npos ? absl::string_view()
                                         : target.substr(mark + 1);
}

}  // namespace evergreen
