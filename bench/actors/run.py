"""The actors benchmark suite: `./dev bench actors`.

Runs Evergreen's actors side by side with CAF 0.17 (libcaf-dev) in the
Google Benchmark binaries built by `bazel build //bench/actors/...` and
prints one comparison per line in compare.py's format:

  Ask round trip       a request and its reply between two actors
  timed Ask            the same with a 60 s timeout the reply beats, and
                       an info line: hub timers left after 100k such asks
  Tell throughput      100 sender actors into one mailbox (msgs/s)
  Spawn+stop           an actor's whole life, spawned and stopped at once
  Savina ThreadRing    a token passed around a ring of 1,000 actors
  Savina Counting      N increments to a counter, then a request for it
  cross-hub Ask/Tell   the Ask round trip and a Tell stream between actors
                       on the two hubs of a HubGroup, against CAF with two
                       scheduler workers (cross_hub_bench.cc)
  supervisor restart   crash -> replacement serving (CAF 0.17 has no
                       supervisor: its peer is a hand-written monitor +
                       respawn, which does less)

Every actor of both libraries runs on one thread: Evergreen's hub, and a
CAF actor system configured with one scheduler worker
(scheduler.max-threads = 1, CAF's default work-stealing policy); see
support.h. Samples are gathered in rounds that alternate the order of the
binaries, and Google Benchmark interleaves the repetitions of each binary's
two benchmarks, so a noisy moment of the machine is shared by both
libraries; each printed value is the median of every sample. The suite
runs in under a minute on an idle two-core machine (CAF's ThreadRing is
most of it), plus the build.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import compare  # pylint: disable=wrong-import-position

SUITE = 'actors'
ROUNDS = 2
# (binary, repetitions per round, seconds per repetition): the Savina
# binaries fix their iterations (one whole run per repetition), so their
# minimum time is ignored.
BINARIES = [
    ('ask_bench', 3, 0.1),
    ('timed_ask_bench', 3, 0.1),
    ('tell_bench', 3, 0.1),
    ('spawn_bench', 3, 0.1),
    ('supervisor_bench', 3, 0.1),
    ('thread_ring_bench', 2, 0.1),
    ('counting_bench', 3, 0.1),
    ('cross_hub_bench', 3, 0.1),
]

# Google Benchmark's name for a benchmark registered with UseRealTime()
# and, for the Savina ones, Iterations(n).
_RUN_NAME = re.compile(r'^(?P<base>BM_\w+)(/iterations:(?P<n>\d+))?'
                       r'/real_time$')


def short_count(n):
    """10000000 -> "10M", 1000 -> "1k", 999 -> "999"."""
    for size, suffix in ((1_000_000, 'M'), (1_000, 'k')):
        if n % size == 0:
            return f'{n // size}{suffix}'
    return str(n)


class Results:
    """Samples (ns per iteration) by benchmark, and each one's iterations."""

    def __init__(self):
        self.samples = compare.Samples()
        self.iterations = {}

    def add(self, by_run_name):
        for run_name, values in by_run_name.items():
            match = _RUN_NAME.match(run_name)
            if match is None:
                raise compare.BenchError(
                    f'unexpected benchmark name {run_name!r}: register '
                    f'benchmarks with UseRealTime()')
            base = match.group('base')
            self.samples.add(base, values)
            if match.group('n'):
                self.iterations[base] = int(match.group('n'))

    def ns(self, base):
        return self.samples.median(base)

    def count(self, base):
        if base not in self.iterations:
            raise compare.BenchError(f'{base} does not fix its iterations')
        return self.iterations[base]


# Not a timing: the counter BM_EvergreenTimersAliveAfterTimedAsks reports.
_TIMERS_ALIVE = 'BM_EvergreenTimersAliveAfterTimedAsks'


def timers_alive_after_timed_asks():
    """Hub timers still held after 100k timed asks answered in time."""
    report = compare.run_json([compare.built(SUITE, 'timed_ask_bench'),
                               '--benchmark_format=json',
                               f'--benchmark_filter={_TIMERS_ALIVE}'])
    for entry in report['benchmarks']:
        if entry.get('run_name', entry['name']).startswith(_TIMERS_ALIVE):
            return int(entry['timers_alive'])
    raise compare.BenchError(f'{_TIMERS_ALIVE} did not run')


def gather():
    results = Results()
    steps = [(compare.built(SUITE, binary), repetitions, min_time)
             for binary, repetitions, min_time in BINARIES]
    for round_index in range(ROUNDS):
        for binary, repetitions, min_time in (
                steps[::-1] if round_index % 2 else steps):
            results.add(compare.google_benchmark(
                binary, repetitions, min_time=min_time,
                extra_args=(f'--benchmark_filter=-{_TIMERS_ALIVE}',)))
    results.timers_alive = timers_alive_after_timed_asks()
    return results


def print_all(r):
    def cost(metric, unit, scale, evergreen, caf):
        compare.print_comparison(metric, unit, r.ns(evergreen) / scale,
                                 'caf', r.ns(caf) / scale)

    def whole_run(metric, evergreen, caf):
        """A Savina run: ns per iteration times its iterations, in ms."""
        compare.print_comparison(
            metric, 'ms', r.ns(evergreen) * r.count(evergreen) / 1e6, 'caf',
            r.ns(caf) * r.count(caf) / 1e6)

    # The sizes in the metric names that the binaries do not report (ring
    # size, senders) are kRingSize and kSenders in the C++ files.
    cost('Ask round trip between two actors on one thread', 'ns', 1,
         'BM_EvergreenAskRoundTrip', 'BM_CafRequestRoundTrip')
    cost('timed Ask, reply before timeout (60 s), round trip', 'ns', 1,
         'BM_EvergreenTimedAskRoundTrip', 'BM_CafTimedRequestRoundTrip')
    print('timed Ask, reply before timeout: timers alive after 100k asks: '
          f'{r.timers_alive}', flush=True)
    # ns per message -> millions of messages per second.
    compare.print_comparison(
        'Tell throughput into one mailbox from 100 sender actors',
        'Mmsg/s', 1e3 / r.ns('BM_EvergreenTellManySenders'), 'caf',
        1e3 / r.ns('BM_CafSendManySenders'), higher_is_better=True)
    cost('Spawn+stop of an actor', 'ns', 1, 'BM_EvergreenSpawnStop',
         'BM_CafSpawnExit')
    hops = r.count('BM_EvergreenThreadRing')
    whole_run(f'Savina ThreadRing, 1000 actors, {short_count(hops)} hops',
              'BM_EvergreenThreadRing', 'BM_CafThreadRing')
    count = r.count('BM_EvergreenCounting')
    whole_run(f'Savina Counting, {short_count(count)} increments',
              'BM_EvergreenCounting', 'BM_CafCounting')
    cost('cross-hub Ask round trip (2 hubs; caf: 2 scheduler threads)', 'ns',
         1, 'BM_EvergreenCrossHubAskRoundTrip',
         'BM_CafTwoWorkersRequestRoundTrip')
    compare.print_comparison(
        'cross-hub Tell throughput, one sender to one actor on the other hub '
        '(caf: 2 scheduler threads)',
        'Mmsg/s', 1e3 / r.ns('BM_EvergreenCrossHubTell'), 'caf',
        1e3 / r.ns('BM_CafTwoWorkersTell'), higher_is_better=True)
    cost('Supervisor restart, crash to new child serving '
         '(caf: hand-written monitor+respawn, no supervisor in CAF 0.17)',
         'us', 1e3, 'BM_EvergreenSupervisorRestart',
         'BM_CafHandRolledSupervisorRestart')


def main():
    try:
        print_all(gather())
    except compare.BenchError as e:
        sys.exit(f'bench actors: {e}')


if __name__ == '__main__':
    main()
