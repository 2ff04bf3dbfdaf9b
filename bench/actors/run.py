"""The actors benchmark suite: `./dev bench actors`.

Runs Evergreen's actors side by side with CAF 0.17 (libcaf-dev) in the
Google Benchmark binaries built by `bazel build //bench/actors/...` and
prints one comparison per line in compare.py's format:

  Ask round trip       a request and its reply between two actors, against
                       CAF's request().then() and against CAF's plain send
                       ping-pong (two sends, no request machinery: CAF's
                       floor for a round trip); Call, Ask's blocking form,
                       against the latter
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
  memory per idle actor
                       bytes of peak RSS growth per actor with 1M idle
                       actors on each side (memory_bench.cc), one fresh
                       process per side; fewer (a multiple of 100k, named
                       in the line) when MemAvailable or vm.max_map_count
                       cannot hold 1M Evergreen actors. Two lines: the
                       like-for-like one, Evergreen actors spawned with
                       hibernate_when_idle (no stack while idle) against
                       CAF's event_based_actor (no stack either), and
                       Evergreen's default stackful actors against the
                       same

Every actor of both libraries runs on one thread: Evergreen's hub, and a
CAF actor system configured with one scheduler worker
(scheduler.max-threads = 1, CAF's default work-stealing policy); see
support.h. Every binary runs pinned to compare.BENCH_CORE (taskset): the
one thread of each side, and CAF's main thread, which only starts batches
and waits for them; the cross-hub binary is pinned to both cores (0,1),
its hubs and CAF's two workers alike. Samples are gathered in rounds that
alternate the order of the binaries, and Google Benchmark interleaves the
repetitions of each binary's benchmarks, so a noisy moment of the machine
is shared by both libraries; each sample lasts at least its binary's
minimum time below, and each printed value is the median of every sample,
followed by the samples' min..max. The suite takes about two minutes on a
two-core machine (the 1M-actor memory measure is half of it), plus the
build.
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
    ('ask_bench', 3, 0.25),
    ('timed_ask_bench', 3, 0.25),
    ('tell_bench', 3, 0.25),
    ('spawn_bench', 3, 0.25),
    ('supervisor_bench', 3, 0.25),
    ('thread_ring_bench', 2, 0.1),
    ('counting_bench', 3, 0.1),
    ('cross_hub_bench', 3, 0.25),
]
# Binaries whose two sides use two threads each: pinned to both cores.
TWO_CORE_BINARIES = {'cross_hub_bench'}
TWO_CORES = '0,1'

MEMORY_ACTORS = 1_000_000
# Peak RSS one Evergreen idle actor was measured to take (~6.2 KB: its
# stack's touched pages, cell, mailbox), with room to spare: the count is
# lowered when MemAvailable cannot hold this many bytes per actor.
MEMORY_BYTES_PER_ACTOR_BUDGET = 10_000
MEMORY_MAP_SLACK = 10_000  # mappings besides the two per greenlet stack

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

    def all_ns(self, base):
        """Every sample of `base`, in ns."""
        return self.samples.get(base)

    def count(self, base):
        if base not in self.iterations:
            raise compare.BenchError(f'{base} does not fix its iterations')
        return self.iterations[base]


# Not a timing: the counter BM_EvergreenTimersAliveAfterTimedAsks reports.
_TIMERS_ALIVE = 'BM_EvergreenTimersAliveAfterTimedAsks'


def timers_alive_after_timed_asks():
    """Hub timers still held after 100k timed asks answered in time."""
    report = compare.run_json(compare.pinned(compare.BENCH_CORE, [
        compare.built(SUITE, 'timed_ask_bench'), '--benchmark_format=json',
        f'--benchmark_filter={_TIMERS_ALIVE}']))
    for entry in report['benchmarks']:
        if entry.get('run_name', entry['name']).startswith(_TIMERS_ALIVE):
            return int(entry['timers_alive'])
    raise compare.BenchError(f'{_TIMERS_ALIVE} did not run')


def gather():
    results = Results()
    steps = [(compare.built(SUITE, binary), repetitions, min_time,
              TWO_CORES if binary in TWO_CORE_BINARIES else
              compare.BENCH_CORE)
             for binary, repetitions, min_time in BINARIES]
    for round_index in range(ROUNDS):
        for binary, repetitions, min_time, core in (
                steps[::-1] if round_index % 2 else steps):
            results.add(compare.google_benchmark(
                binary, repetitions, min_time=min_time,
                extra_args=(f'--benchmark_filter=-{_TIMERS_ALIVE}',),
                core=core))
    results.timers_alive = timers_alive_after_timed_asks()
    results.memory_actors = memory_actor_count()
    memory_bench = compare.built(SUITE, 'memory_bench')
    for impl in ('caf', 'evergreen', 'evergreen_hibernating'):
        results.samples.add(f'memory_{impl}', compare.run_json(
            compare.pinned(compare.BENCH_CORE, [
                memory_bench, impl, results.memory_actors]),
            timeout=900)['bytes_per_actor'])
    return results


def memory_actor_count():
    """MEMORY_ACTORS, or the largest multiple of 100k that this machine's
    free memory and map limit hold."""
    with open('/proc/sys/vm/max_map_count') as limit:
        by_maps = (int(limit.read()) - MEMORY_MAP_SLACK) // 2
    available_kib = 0
    with open('/proc/meminfo') as meminfo:
        for line in meminfo:
            if line.startswith('MemAvailable:'):
                available_kib = int(line.split()[1])
    by_memory = available_kib * 1024 // MEMORY_BYTES_PER_ACTOR_BUDGET
    fits = min(MEMORY_ACTORS, by_maps, by_memory) // 100_000 * 100_000
    if fits < 100_000:
        raise compare.BenchError(
            f'too little memory ({available_kib} KiB available) or too low '
            'a vm.max_map_count for 100k idle actors (./dev setup raises it)')
    return fits


def print_all(r):
    def cost(metric, unit, scale, evergreen, caf, peer='caf'):
        compare.print_comparison(
            metric, unit, r.samples.get(evergreen, scale), peer,
            r.samples.get(caf, scale))

    def rate(metric, evergreen, caf):
        """ns per message -> millions of messages per second."""
        compare.print_comparison(
            metric, 'Mmsg/s', [1e3 / ns for ns in r.all_ns(evergreen)], 'caf',
            [1e3 / ns for ns in r.all_ns(caf)], higher_is_better=True)

    def whole_run(metric, evergreen, caf):
        """A Savina run: ns per iteration times its iterations, in ms."""
        compare.print_comparison(
            metric, 'ms', r.samples.get(evergreen, 1e6 / r.count(evergreen)),
            'caf', r.samples.get(caf, 1e6 / r.count(caf)))

    # The sizes in the metric names that the binaries do not report (ring
    # size, senders) are kRingSize and kSenders in the C++ files.
    cost('Ask round trip between two actors on one thread', 'ns', 1,
         'BM_EvergreenAskRoundTrip', 'BM_CafRequestRoundTrip')
    cost('Ask round trip between two actors on one thread, against CAF\'s '
         'plain send ping-pong (no request/then)', 'ns', 1,
         'BM_EvergreenAskRoundTrip', 'BM_CafSendPingPongRoundTrip',
         peer='caf_send')
    cost('Call (Ask and wait, reply slot on the caller\'s stack) round trip '
         'between two actors on one thread, against CAF\'s plain send '
         'ping-pong', 'ns', 1,
         'BM_EvergreenCallRoundTrip', 'BM_CafSendPingPongRoundTrip',
         peer='caf_send')
    cost('timed Ask, reply before timeout (60 s), round trip', 'ns', 1,
         'BM_EvergreenTimedAskRoundTrip', 'BM_CafTimedRequestRoundTrip')
    print('timed Ask, reply before timeout: timers alive after 100k asks: '
          f'{r.timers_alive}', flush=True)
    rate('Tell throughput into one mailbox from 100 sender actors',
         'BM_EvergreenTellManySenders', 'BM_CafSendManySenders')
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
    rate('cross-hub Tell throughput, one sender to one actor on the other '
         'hub (caf: 2 scheduler threads)', 'BM_EvergreenCrossHubTell',
         'BM_CafTwoWorkersTell')
    cost('Supervisor restart, crash to new child serving '
         '(caf: hand-written monitor+respawn, no supervisor in CAF 0.17)',
         'us', 1e3, 'BM_EvergreenSupervisorRestart',
         'BM_CafHandRolledSupervisorRestart')
    for kind, sample in (
        ('hibernating actors (hibernate_when_idle: no stack while idle)',
         'memory_evergreen_hibernating'),
        ('stackful actors (the default: each waits in its greenlet)',
         'memory_evergreen')):
        compare.print_comparison(
            f'Memory: {r.memory_actors:,} idle actors, bytes per idle '
            f'actor, {kind} (peak RSS growth / count, one process per '
            'side; caf: event_based_actor, 1 scheduler thread)', 'B',
            r.samples.get(sample), 'caf', r.samples.get('memory_caf'))

def main():
    try:
        print_all(gather())
    except compare.BenchError as e:
        sys.exit(f'bench actors: {e}')


if __name__ == '__main__':
    main()
