"""gevent, the peer Evergreen's framework layer is modelled on.

Measures what bench/framework's C++ binaries measure, the same way, for
Debian's python3-gevent; run with /usr/bin/python3. Prints one JSON
document on stdout:

  sleep0          {"samples_ns": [...]}  gevent.sleep(0), one greenlet
  sleep0_pair     {"samples_ns": [...]}  gevent.sleep(0) in main while a
                                         partner greenlet yields in turn
  spawn_join      {"samples_ns": [...]}  gevent.spawn(f).join()
  event_wake      {"samples_ns": [...]}  Event.set() until --waiters
                                         waiters resumed (event_bench.cc)
  timeout         {"samples_ns": [...]}  with gevent.Timeout(10): call()
  queue_pingpong  {"samples_ns": [...]}  put/get round trip over two
                                         gevent.queue.Queue
  skynet          {"samples_s": [...]}   the skynet tree of --size leaves
  memory          {"kib_per_greenlet": [x]}  peak RSS growth per greenlet
                                         with --count parked on an Event
  subprocess      {"samples_us": [...]}  gevent.subprocess.Popen of
                                         /bin/true, then wait(), --count
                                         times per sample

Timing modes take --iterations and --repetitions (one sample each); skynet
takes --size and --repetitions, after one untimed warm-up tree.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import compare  # pylint: disable=wrong-import-position

try:
    import gevent
    import gevent.event
    import gevent.queue
    import gevent.subprocess
except ImportError:
    sys.exit('gevent_peer.py: gevent is missing '
             '(apt-get install python3-gevent; run with /usr/bin/python3)')


def _timed(step):
    """A timed_loop for compare.ns_per_iteration calling step() n times."""
    def timed_loop(n):
        start = time.perf_counter_ns()
        for _ in range(n):
            step()
        return time.perf_counter_ns() - start
    return timed_loop


def sleep0(args):
    gevent.sleep(0)  # Creates the hub.
    return compare.ns_per_iteration(_timed(lambda: gevent.sleep(0)),
                                    args.iterations, args.repetitions)


def sleep0_pair(args):
    stop = False

    def partner():
        while not stop:
            gevent.sleep(0)

    yielding = gevent.spawn(partner)
    gevent.sleep(0)  # The partner starts and yields back.
    samples = compare.ns_per_iteration(_timed(lambda: gevent.sleep(0)),
                                       args.iterations, args.repetitions)
    stop = True
    yielding.join()
    return samples


def spawn_join(args):
    def nothing():
        pass

    gevent.spawn(nothing).join()
    return compare.ns_per_iteration(
        _timed(lambda: gevent.spawn(nothing).join()),
        args.iterations, args.repetitions)


def event_wake(args):
    """event_bench.cc's protocol: two gates, and `done` set by the last."""
    gates = [gevent.event.Event(), gevent.event.Event()]
    done = gevent.event.Event()
    state = {'resumed': 0, 'stop': False, 'gate': 0}

    def waiter():
        gate = 0
        while True:
            gates[gate].wait()
            if state['stop']:
                return
            state['resumed'] += 1
            if state['resumed'] == args.waiters:
                state['resumed'] = 0
                done.set()
            gate ^= 1

    parked = [gevent.spawn(waiter) for _ in range(args.waiters)]
    gevent.sleep(0)

    def wake_all():
        gate = state['gate']
        gates[gate ^ 1].clear()
        gates[gate].set()
        done.wait()
        done.clear()
        state['gate'] = gate ^ 1

    samples = compare.ns_per_iteration(_timed(wake_all), args.iterations,
                                       args.repetitions)
    state['stop'] = True
    gates[state['gate']].set()
    gevent.joinall(parked)
    return samples


def timeout(args):
    def returns_in_time():
        return 1

    def scoped():
        with gevent.Timeout(10):
            returns_in_time()

    gevent.sleep(0)
    return compare.ns_per_iteration(_timed(scoped), args.iterations,
                                    args.repetitions)


def queue_pingpong(args):
    ping, pong = gevent.queue.Queue(), gevent.queue.Queue()

    def echo():
        while True:
            n = ping.get()
            if n is None:
                return
            pong.put(n)

    partner = gevent.spawn(echo)

    def round_trip():
        ping.put(1)
        pong.get()

    samples = compare.ns_per_iteration(_timed(round_trip), args.iterations,
                                       args.repetitions)
    ping.put(None)
    partner.join()
    return samples


def _skynet(num, size):
    if size == 1:
        return num
    child = size // 10
    children = [gevent.spawn(_skynet, num + i * child, child)
                for i in range(10)]
    return sum(c.get() for c in children)


def skynet(args):
    expected = args.size * (args.size - 1) // 2
    samples = []
    for repetition in range(args.repetitions + 1):
        start = time.perf_counter()
        total = gevent.spawn(_skynet, 0, args.size).get()
        elapsed = time.perf_counter() - start
        if total != expected:
            sys.exit(f'gevent_peer.py: skynet sum {total}, '
                     f'expected {expected}')
        if repetition > 0:
            samples.append(elapsed)
    return samples


def memory(args):
    gevent.spawn(lambda: None).join()  # Hub first-use costs not counted.
    release = gevent.event.Event()
    before = compare.status_kib('VmRSS')
    for _ in range(args.count):
        gevent.spawn(release.wait)
    gevent.sleep(0)  # Runs every greenlet up to its wait().
    peak = compare.status_kib('VmHWM')
    return (peak - before) / args.count


def subprocess_spawn_wait(args):
    samples = []
    for repetition in range(args.repetitions + 1):
        start = time.perf_counter()
        for _ in range(args.count):
            if gevent.subprocess.Popen(['/bin/true']).wait() != 0:
                sys.exit('gevent_peer.py: /bin/true failed')
        elapsed = time.perf_counter() - start
        if repetition > 0:
            samples.append(elapsed * 1e6 / args.count)
    return samples


MODES = {
    'sleep0': ('samples_ns', sleep0),
    'sleep0_pair': ('samples_ns', sleep0_pair),
    'spawn_join': ('samples_ns', spawn_join),
    'event_wake': ('samples_ns', event_wake),
    'timeout': ('samples_ns', timeout),
    'queue_pingpong': ('samples_ns', queue_pingpong),
    'skynet': ('samples_s', skynet),
    'memory': ('kib_per_greenlet', lambda args: [memory(args)]),
    'subprocess': ('samples_us', subprocess_spawn_wait),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('mode', choices=sorted(MODES))
    parser.add_argument('--iterations', type=int, default=100_000)
    parser.add_argument('--repetitions', type=int, default=3)
    parser.add_argument('--waiters', type=int, default=1)
    parser.add_argument('--size', type=int, default=100_000)
    parser.add_argument('--count', type=int, default=100_000)
    args = parser.parse_args()
    key, measure = MODES[args.mode]
    compare.emit({key: measure(args)})
    # Unwinding parked greenlets at exit is not what is measured.
    os._exit(0)


if __name__ == '__main__':
    main()
