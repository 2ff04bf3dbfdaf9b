#include "framework/pool.h"

#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace evergreen {
namespace {

int CheckedCapacity(int capacity) {
  if (capacity < 0) {
    throw std::invalid_argument(
        absl::StrCat("Pool capacity must not be negative: ", capacity));
  }
  return capacity;
}

}  // namespace

Pool::Pool(int capacity) : Group(CheckedCapacity(capacity)) {}

}  // namespace evergreen
