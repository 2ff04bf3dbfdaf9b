// Readable type names for errors and dead-letter reports.
#ifndef EVERGREEN_ACTORS_INTERNAL_MESSAGE_NAME_H_
#define EVERGREEN_ACTORS_INTERNAL_MESSAGE_NAME_H_

#include <string>
#include <typeinfo>

#include "actors/internal/demangle.h"

namespace evergreen::internal {

// A stable, process-lifetime C string naming M.
template <typename M>
const char* MessageName() {
  static const std::string name = DemangledName(typeid(M));
  return name.c_str();
}

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_INTERNAL_MESSAGE_NAME_H_
