#include "actors/service/internal/invoke.h"

namespace evergreen {
namespace internal {

absl::Status NotImplemented(const char* full_name) {
  return absl::UnimplementedError(
      absl::StrCat("method ", full_name, " is not implemented by this service"));
}

}  // namespace internal
}  // namespace evergreen
