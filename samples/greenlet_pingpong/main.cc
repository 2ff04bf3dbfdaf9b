// Two raw greenlets play ping-pong, passing a counter back and forth.
//
// This is the lowest layer of Evergreen: greenlets that switch explicitly,
// with no hub. Each Switch() suspends the caller and hands a value to the
// other side; returning from a body hands its value to the parent.
//
//   bazel run //samples/greenlet_pingpong
#include <cstdint>
#include <cstdio>

#include "greenlet/raw_greenlet.h"

using evergreen::RawGreenlet;

namespace {

intptr_t Unwrap(void* value) { return reinterpret_cast<intptr_t>(value); }
void* Wrap(intptr_t value) { return reinterpret_cast<void*>(value); }

}  // namespace

int main() {
  RawGreenlet* pong = nullptr;

  // ping starts the rally and counts the hits it receives.
  RawGreenlet ping(
      [&](void* first) -> void* {
        intptr_t ball = Unwrap(first);
        while (ball < 6) {
          std::printf("ping  sends %ld\n", static_cast<long>(ball));
          ball = Unwrap(pong->Switch(Wrap(ball + 1)));
        }
        return Wrap(ball);  // returning resumes the parent (main)
      },
      {.name = "ping"});

  // pong returns every ball, one higher, to ping.
  RawGreenlet pong_greenlet(
      [&](void* first) -> void* {
        intptr_t ball = Unwrap(first);
        for (;;) {
          std::printf("  pong returns %ld\n", static_cast<long>(ball));
          ball = Unwrap(ping.Switch(Wrap(ball + 1)));
        }
      },
      {.name = "pong"});
  pong = &pong_greenlet;

  const intptr_t final_ball = Unwrap(ping.Switch(Wrap(0)));
  std::printf("main  got %ld back; ping dead=%d, pong suspended=%d\n",
              static_cast<long>(final_ball), ping.dead(),
              pong_greenlet.active());

  // Destroying a suspended greenlet unwinds its stack first.
  return 0;
}
