"""The greenlet benchmark suite: `./dev bench greenlet`.

Runs Evergreen's RawGreenlet and its peers side by side (the C++ binaries
built by `bazel build //bench/greenlet/...` and greenlet_peer.py) and
prints one comparison per line, in compare.py's format:

  switch round trip    RawGreenlet vs raw Boost.Context fcontext (the floor)
                       and Python greenlet, ns per main -> greenlet -> main
  create+run+destroy   vs a Boost.Context fiber (boost::context::fiber, the
                       like-for-like peer: a bare context, no scheduler)
                       and Python greenlet, ns each, stacks pooled
  create+run+destroy, boost_fiber through its scheduler
                       vs Boost.Fiber create + join (join() runs the fiber
                       through Fiber's scheduler: not like for like)
  memory per suspended greenlet
                       vs Python greenlet and Boost.Fiber, KiB of VmRSS per
                       greenlet with 100,000 suspended

Every process runs pinned to compare.BENCH_CORE (taskset). Timings are
gathered in rounds that alternate their order, so a noisy moment of the
machine is shared by Evergreen and its peers; each sample lasts at least
CPP_MIN_TIME (C++) or ~0.3-1 s (Python), and each printed value is the
median of every sample, followed by the samples' min..max. Memory is
measured once per process, in several fresh processes, and the median
printed.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import compare  # pylint: disable=wrong-import-position

SUITE = 'greenlet'
PEER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                           'greenlet_peer.py')

ROUNDS = 3
CPP_REPETITIONS = 3      # per round, per benchmark
CPP_MIN_TIME = 0.3       # seconds per sample
PYTHON_REPETITIONS = 3   # per round
SWITCH_ITERATIONS = 1_000_000
# Python greenlet creation costs microseconds; fewer iterations keep the
# suite short at the same relative precision.
CREATE_ITERATIONS = 100_000
MEMORY_COUNT = 100_000
MEMORY_PROCESSES = 3

# (metric, unit, Evergreen's sample name, [(peer, peer's sample name)]).
COMPARISONS = [
    ('switch round trip', 'ns', 'BM_EvergreenSwitchRoundTrip',
     [('boost_context', 'BM_BoostContextSwitchRoundTrip'),
      ('python_greenlet', 'python_switch')]),
    ('create+run+destroy', 'ns', 'BM_EvergreenCreateRunDestroy',
     [('boost_context', 'BM_BoostContextCreateRunDestroy'),
      ('python_greenlet', 'python_create')]),
    ('create+run+destroy, boost_fiber through its scheduler (create+join)',
     'ns', 'BM_EvergreenCreateRunDestroy',
     [('boost_fiber', 'BM_BoostFiberCreateJoin')]),
    ('memory per suspended greenlet', 'KiB', 'memory_evergreen',
     [('python_greenlet', 'memory_python_greenlet'),
      ('boost_fiber', 'memory_boost_fiber')]),
]


def python_peer(mode, **options):
    args = [compare.PYTHON, PEER_SCRIPT, mode]
    for name, value in options.items():
        args.append(f'--{name}={value}')
    return compare.run_json(compare.pinned(compare.BENCH_CORE, args))


def gather_times(samples):
    def cpp(binary):
        return lambda: samples.add_all(compare.google_benchmark(
            compare.built(SUITE, binary), CPP_REPETITIONS,
            min_time=CPP_MIN_TIME))

    def python(mode, iterations):
        return lambda: samples.add(f'python_{mode}', python_peer(
            mode, iterations=iterations,
            repetitions=PYTHON_REPETITIONS)['samples_ns'])

    steps = [cpp('switch_bench'), python('switch', SWITCH_ITERATIONS),
             cpp('create_bench'), python('create', CREATE_ITERATIONS)]
    for round_index in range(ROUNDS):
        for step in steps[::-1] if round_index % 2 else steps:
            step()


def gather_memory(samples):
    memory_bench = compare.built(SUITE, 'memory_bench')
    measures = {
        'evergreen': lambda: float(compare.run(compare.pinned(
            compare.BENCH_CORE, [memory_bench, 'evergreen', MEMORY_COUNT]))),
        'boost_fiber': lambda: float(compare.run(compare.pinned(
            compare.BENCH_CORE, [memory_bench, 'boost_fiber',
                                 MEMORY_COUNT]))),
        'python_greenlet': lambda: python_peer(
            'memory', count=MEMORY_COUNT)['kib_per_greenlet'],
    }
    order = list(measures)
    for process_index in range(MEMORY_PROCESSES):
        for name in order[process_index:] + order[:process_index]:
            samples.add(f'memory_{name}', [measures[name]()])


def main():
    samples = compare.Samples()
    try:
        gather_times(samples)
        gather_memory(samples)
        for metric, unit, evergreen_name, peers in COMPARISONS:
            evergreen = samples.get(evergreen_name)
            for peer, peer_name in peers:
                compare.print_comparison(metric, unit, evergreen, peer,
                                         samples.get(peer_name))
    except compare.BenchError as e:
        sys.exit(f'bench greenlet: {e}')


if __name__ == '__main__':
    main()
