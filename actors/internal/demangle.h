// Readable C++ type names, for errors and dead-letter reports.
#ifndef EVERGREEN_ACTORS_INTERNAL_DEMANGLE_H_
#define EVERGREEN_ACTORS_INTERNAL_DEMANGLE_H_

#include <string>
#include <typeinfo>

namespace evergreen::internal {

// The demangled name of `type` ("evergreen::Increment"); the mangled one if
// it cannot be demangled.
std::string DemangledName(const std::type_info& type);

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_INTERNAL_DEMANGLE_H_
