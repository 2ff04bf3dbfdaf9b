// Fuzz target: SocketAddress::Parse / FromHostPort on arbitrary text. Every
// input must give an address or a Status; an address must print back to a
// form that parses to the same address.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "absl/strings/string_view.h"
#include "net/address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = evergreen::SocketAddress::Parse(text);
  if (parsed.ok() && !parsed->ToString().empty() &&
      parsed->family() != AF_UNIX) {
    auto again = evergreen::SocketAddress::Parse(parsed->ToString());
    if (!again.ok() || again->ToString() != parsed->ToString()) std::abort();
  }
  const size_t cut = size / 2;
  (void)evergreen::SocketAddress::FromHostPort(text.substr(0, cut),
                                               size % 65536);
  return 0;
}
