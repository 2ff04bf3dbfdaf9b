"""The framework benchmark suite: `./dev bench framework`.

Runs the hub's primitives and two whole-program loads side by side with
gevent (gevent_peer.py under /usr/bin/python3) and Boost.Fiber (in the C++
binaries built by `bazel build //bench/framework/...`), and prints one
comparison per line in compare.py's format:

  Sleep(0)             the yield round trip through the hub, alone and with
                       a partner yielding in turn (ns per round)
  Spawn+Join           of a greenlet that does nothing
  Queue ping-pong      a put/get round trip between two greenlets
  Event.Set            waking 1 and 1,000 parked waiters
  scoped Timeout       around a call that returns in time
  skynet               a 10-ary tree of greenlets summing their ids: 1M
                       leaves against Boost.Fiber, 100k against gevent
                       (gevent takes ~2 s per 100k tree); Boost.Fiber gets
                       its best stacks for this load, a warmed
                       pooled_fixedsize_stack of our stack size (256 KiB):
                       its per-fiber fixedsize_stack is ~10x slower here
                       (skynet_bench boost_fiber_fixedsize)
  hooked blocking recv ping-pong
                       a 64-byte round trip between two greenlets over a
                       socketpair: plain blocking recv/send through the
                       syscall hooks against Evergreen's Socket (us each)
  subprocess spawn+wait
                       Start /bin/true and wait for its exit, SUBPROCESS_COUNT
                       times in a row, against gevent.subprocess (us each)
  peak RSS per parked greenlet
                       100k parked on an Event on both sides (gevent needs
                       ~8 GB and a minute for 1M; each Evergreen stack is
                       two mappings: vm.max_map_count must allow 200k)

Every process runs pinned to compare.BENCH_CORE (taskset), peers alike.
Micro timings are gathered in rounds that alternate their order, so a noisy
moment of the machine is shared by Evergreen and its peers; each sample
lasts at least CPP_MIN_TIME (C++) or ~0.2 s (gevent). Macro loads run a few
repetitions in one process per implementation (skynet, after an untimed
warm-up tree) or one fresh process per sample (memory). Each printed value
is the median of every sample, followed by the samples' min..max.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import compare  # pylint: disable=wrong-import-position

SUITE = 'framework'
PEER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'gevent_peer.py')

ROUNDS = 3
CPP_REPETITIONS = 3      # per round, per benchmark
CPP_MIN_TIME = 0.2       # seconds per repetition
GEVENT_REPETITIONS = 3   # per round
MICRO_BINARIES = ['yield_bench', 'spawn_bench', 'queue_bench', 'event_bench',
                  'timeout_bench']
# (sample name, gevent_peer.py mode, options): each sample takes ~0.2 s.
GEVENT_MICRO = [
    ('gevent_sleep0', 'sleep0', {'iterations': 100_000}),
    ('gevent_sleep0_pair', 'sleep0_pair', {'iterations': 60_000}),
    ('gevent_spawn_join', 'spawn_join', {'iterations': 14_000}),
    ('gevent_queue_pingpong', 'queue_pingpong', {'iterations': 40_000}),
    ('gevent_event_wake_1', 'event_wake', {'waiters': 1,
                                           'iterations': 40_000}),
    ('gevent_event_wake_1000', 'event_wake', {'waiters': 1000,
                                              'iterations': 100}),
    ('gevent_timeout', 'timeout', {'iterations': 100_000}),
]

SKYNET_SIZE = 1_000_000
SKYNET_GEVENT_SIZE = 100_000
SKYNET_REPETITIONS = 3
SUBPROCESS_COUNT = 200
HOOKS_ROUND_TRIPS = 50_000
HOOKS_REPETITIONS = 3
SUBPROCESS_REPETITIONS = 3
# The same count on both sides: gevent's ~8 KiB per parked greenlet makes
# 1M take ~8 GB and a minute, too much for a shared machine.
MEMORY_COUNT = 100_000
MEMORY_PROCESSES = 3
# Mappings a process needs besides its greenlet stacks.
MEMORY_MAP_SLACK = 10_000


def check_map_count():
    """Fails unless vm.max_map_count lets MEMORY_COUNT stacks be mapped."""
    with open('/proc/sys/vm/max_map_count') as limit:
        max_maps = int(limit.read())
    needed = 2 * MEMORY_COUNT + MEMORY_MAP_SLACK
    if max_maps < needed:
        raise compare.BenchError(
            f'vm.max_map_count is {max_maps}; parking {MEMORY_COUNT} '
            f'greenlets needs {needed} (./dev setup raises it)')


def short_count(n):
    """1000000 -> "1M", 500000 -> "500k"."""
    return f'{n // 1_000_000}M' if n % 1_000_000 == 0 else f'{n // 1000}k'


# (metric, unit, what samples are divided by to be in that unit,
#  Evergreen's sample name, [(peer, peer's sample name)]), in print order.
# Timing samples are in ns; macro samples are already in their unit.
def comparisons():
    return [
        ('Sleep(0) yield round trip, 1 greenlet', 'ns', 1,
         'BM_EvergreenSleep0',
         [('gevent', 'gevent_sleep0'), ('boost_fiber', 'BM_BoostFiberYield')]),
        ('Sleep(0) 2 greenlets alternating, per round of 2 yields', 'ns', 1,
         'BM_EvergreenSleep0Pair',
         [('gevent', 'gevent_sleep0_pair'),
          ('boost_fiber', 'BM_BoostFiberYieldPair')]),
        ('Spawn+Join trivial greenlet', 'ns', 1, 'BM_EvergreenSpawnJoin',
         [('gevent', 'gevent_spawn_join'),
          ('boost_fiber', 'BM_BoostFiberSpawnJoin')]),
        ('Queue ping-pong round trip', 'ns', 1, 'BM_EvergreenQueuePingPong',
         [('gevent', 'gevent_queue_pingpong'),
          ('boost_fiber', 'BM_BoostFiberChannelPingPong')]),
        ('Event.Set waking 1 waiter', 'ns', 1, 'BM_EvergreenEventWake/1',
         [('gevent', 'gevent_event_wake_1')]),
        ('Event.Set waking 1000 waiters', 'us', 1e3,
         'BM_EvergreenEventWake/1000', [('gevent', 'gevent_event_wake_1000')]),
        ('scoped Timeout, call returns in time', 'ns', 1,
         'BM_EvergreenTimeoutScope', [('gevent', 'gevent_timeout')]),
        (f'skynet {short_count(SKYNET_SIZE)} greenlets (boost_fiber: '
         'pooled_fixedsize_stack, 256 KiB stacks as ours, pool warmed)', 's',
         1,
         'skynet_evergreen', [('boost_fiber', 'skynet_boost_fiber')]),
        (f'skynet {short_count(SKYNET_GEVENT_SIZE)} greenlets', 's', 1,
         'skynet_evergreen_small', [('gevent', 'skynet_gevent')]),
        ('hooked blocking recv ping-pong', 'us', 1, 'hooks_hooked',
         [('evergreen_native', 'hooks_native')]),
        ('subprocess spawn+wait', 'us', 1, 'subprocess_evergreen',
         [('gevent', 'subprocess_gevent')]),
        (f'peak RSS per parked greenlet, {short_count(MEMORY_COUNT)} parked '
         'on an Event on both sides', 'KiB', 1,
         'memory_evergreen', [('gevent', 'memory_gevent')]),
    ]


def gevent_peer(mode, **options):
    args = [compare.PYTHON, PEER_SCRIPT, mode]
    for name, value in options.items():
        args.append(f'--{name}={value}')
    return compare.run_json(compare.pinned(compare.BENCH_CORE, args))


def cpp_json(args):
    """Runs a macro benchmark binary pinned as its peers are."""
    return compare.run_json(compare.pinned(compare.BENCH_CORE, args))


def gather_micro(samples):
    def cpp(binary):
        return lambda: samples.add_all(compare.google_benchmark(
            compare.built(SUITE, binary), CPP_REPETITIONS,
            min_time=CPP_MIN_TIME))

    def gevent(name, mode, options):
        return lambda: samples.add(name, gevent_peer(
            mode, repetitions=GEVENT_REPETITIONS, **options)['samples_ns'])

    steps = ([cpp(binary) for binary in MICRO_BINARIES] +
             [gevent(*spec) for spec in GEVENT_MICRO])
    for round_index in range(ROUNDS):
        for step in steps[::-1] if round_index % 2 else steps:
            step()


def gather_macro(samples):
    skynet = compare.built(SUITE, 'skynet_bench')
    memory_bench = compare.built(SUITE, 'memory_bench')

    def skynet_cpp(impl, size):
        return cpp_json([skynet, impl, size,
                         SKYNET_REPETITIONS])['samples_s']

    samples.add('skynet_evergreen', skynet_cpp('evergreen', SKYNET_SIZE))
    samples.add('skynet_boost_fiber', skynet_cpp('boost_fiber', SKYNET_SIZE))
    samples.add('skynet_evergreen_small',
                skynet_cpp('evergreen', SKYNET_GEVENT_SIZE))
    samples.add('skynet_gevent', gevent_peer(
        'skynet', size=SKYNET_GEVENT_SIZE,
        repetitions=SKYNET_REPETITIONS)['samples_s'])
    for impl in ('hooked', 'native'):
        samples.add(f'hooks_{impl}', cpp_json(
            [compare.built(SUITE, 'hooks_bench'), impl,
             HOOKS_ROUND_TRIPS, HOOKS_REPETITIONS])['samples_us'])
    samples.add('subprocess_evergreen', cpp_json(
        [compare.built(SUITE, 'subprocess_bench'), 'evergreen',
         SUBPROCESS_COUNT, SUBPROCESS_REPETITIONS])['samples_us'])
    samples.add('subprocess_gevent', gevent_peer(
        'subprocess', count=SUBPROCESS_COUNT,
        repetitions=SUBPROCESS_REPETITIONS)['samples_us'])
    for _ in range(MEMORY_PROCESSES):
        samples.add('memory_evergreen', cpp_json(
            [memory_bench, 'evergreen', MEMORY_COUNT])['kib_per_greenlet'])
        samples.add('memory_gevent', gevent_peer(
            'memory', count=MEMORY_COUNT)['kib_per_greenlet'])


def main():
    samples = compare.Samples()
    try:
        check_map_count()
        gather_micro(samples)
        gather_macro(samples)
        for metric, unit, scale, evergreen_name, peers in comparisons():
            evergreen = samples.get(evergreen_name, scale)
            name = ('evergreen_hooked' if evergreen_name == 'hooks_hooked'
                    else 'evergreen')
            for peer, peer_name in peers:
                compare.print_comparison(metric, unit, evergreen, peer,
                                         samples.get(peer_name, scale),
                                         name=name)
    except compare.BenchError as e:
        sys.exit(f'bench framework: {e}')


if __name__ == '__main__':
    main()
