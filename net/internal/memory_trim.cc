#include "net/internal/memory_trim.h"

#include <malloc.h>

#include "greenlet/raw_greenlet.h"

namespace evergreen::internal {

void TrimMemoryAfterBurst() {
  // Measured on the echo sample after 500 TLS connections (13.7 MB before,
  // 44 MB at the peak): neither alone brings it back (stacks only: 36.5 MB
  // after; malloc_trim only: 17.2 MB), both do (11.3 MB).
  ThisThreadStackPool().Trim();
  malloc_trim(0);
}

}  // namespace evergreen::internal
