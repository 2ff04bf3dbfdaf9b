// Wraps the system <google/protobuf/map_field.h> so that code we compile
// with ThreadSanitizer lays protobuf maps out as Debian's libprotobuf does.
//
// The header adds two debugging counters to MapFieldBase when
// __SANITIZE_THREAD__ (GCC) or THREAD_SANITIZER is defined. Debian builds
// libprotobuf without TSan, so in a TSan build the inline map code in the
// headers and the library's out-of-line code disagree on where every
// MapFieldBase member lives: reading a google.protobuf.Struct the library
// parsed crashed in Map::find, and reflection over our own map fields
// (SpaceUsedLong, MessageDifferencer, ...) crashed in the library
// (tests/proto/protobuf_abi_test.cc). Hiding the two macros for this one
// header keeps the library's layout; everything else still sees them
// (libstdc++'s TSan annotations are configured by <cstddef> first).
//
// No-op in builds without TSan. Found ahead of /usr/include because
// @system//:protobuf depends on //third_party:protobuf_abi.
#ifndef EVERGREEN_THIRD_PARTY_PROTOBUF_ABI_MAP_FIELD_H_
#define EVERGREEN_THIRD_PARTY_PROTOBUF_ABI_MAP_FIELD_H_

#include <cstddef>

#pragma push_macro("__SANITIZE_THREAD__")
#pragma push_macro("THREAD_SANITIZER")
#undef __SANITIZE_THREAD__
#undef THREAD_SANITIZER
#include_next <google/protobuf/map_field.h>
#pragma pop_macro("THREAD_SANITIZER")
#pragma pop_macro("__SANITIZE_THREAD__")

#endif  // EVERGREEN_THIRD_PARTY_PROTOBUF_ABI_MAP_FIELD_H_
