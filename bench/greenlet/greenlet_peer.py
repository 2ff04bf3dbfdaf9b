"""Python greenlet, the peer Evergreen's RawGreenlet is modelled on.

Measures what bench/greenlet's C++ binaries measure, the same way, for the
python3-greenlet package; run with /usr/bin/python3 (Debian's interpreter,
where that package is installed). Prints JSON on stdout:

  switch  --iterations N --repetitions R   {"samples_ns": [...]}
      one sample per repetition: ns per round trip main -> greenlet -> main.
  create  --iterations N --repetitions R   {"samples_ns": [...]}
      ns to create a greenlet, run it to completion and drop it.
  memory  --count N                        {"kib_per_greenlet": x}
      VmRSS growth per suspended greenlet with N of them suspended.

The time of an empty loop of the same length is subtracted from each
timing sample, so the peer is not charged for Python's loop overhead, which
the C++ side does not have.
"""

import argparse
import json
import os
import sys
import time

try:
    import greenlet
except ImportError:
    sys.exit('greenlet_peer.py: python greenlet is missing '
             '(apt-get install python3-greenlet; run with /usr/bin/python3)')


def _loop_ns(iterations):
    start = time.perf_counter_ns()
    for _ in range(iterations):
        pass
    return time.perf_counter_ns() - start


def _sample(timed_loop, iterations, repetitions):
    """Per-repetition ns per iteration of timed_loop, net of loop overhead."""
    samples = []
    for _ in range(repetitions):
        elapsed = timed_loop(iterations) - _loop_ns(iterations)
        samples.append(max(elapsed, 0) / iterations)
    return samples


def switch_round_trip(iterations, repetitions):
    main = greenlet.getcurrent()

    def echo():
        to_main = main.switch
        while True:
            to_main()

    child = greenlet.greenlet(echo)
    child.switch()  # Started before timing, as on the C++ side.

    def timed_loop(n):
        to_child = child.switch
        start = time.perf_counter_ns()
        for _ in range(n):
            to_child()
        return time.perf_counter_ns() - start

    return _sample(timed_loop, iterations, repetitions)


def create_run_destroy(iterations, repetitions):
    def identity(value):
        return value

    def timed_loop(n):
        new = greenlet.greenlet
        start = time.perf_counter_ns()
        for _ in range(n):
            new(identity).switch(None)  # Dead, then freed by refcount.
        return time.perf_counter_ns() - start

    return _sample(timed_loop, iterations, repetitions)


def _resident_kib():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS in /proc/self/status')


def memory_per_suspended(count):
    main = greenlet.getcurrent()

    def suspend():
        main.switch()

    greenlet.greenlet(suspend).switch()  # Warms greenlet's own state.
    before = _resident_kib()
    suspended = []
    for _ in range(count):
        child = greenlet.greenlet(suspend)
        child.switch()
        suspended.append(child)
    return (_resident_kib() - before) / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('mode', choices=['switch', 'create', 'memory'])
    parser.add_argument('--iterations', type=int, default=1_000_000)
    parser.add_argument('--repetitions', type=int, default=5)
    parser.add_argument('--count', type=int, default=100_000)
    args = parser.parse_args()
    if args.mode == 'switch':
        result = {'samples_ns': switch_round_trip(args.iterations,
                                                  args.repetitions)}
    elif args.mode == 'create':
        result = {'samples_ns': create_run_destroy(args.iterations,
                                                   args.repetitions)}
    else:
        result = {'kib_per_greenlet': memory_per_suspended(args.count)}
    print(json.dumps(result), flush=True)
    # Unwinding every suspended greenlet at exit is not what is measured.
    os._exit(0)


if __name__ == '__main__':
    main()
