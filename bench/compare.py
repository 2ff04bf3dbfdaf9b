"""Helpers shared by the benchmark suites under bench/.

Each suite's run.py runs Evergreen and its peers side by side in one run and
prints one line per comparison:

  <metric>: evergreen=<x> <unit> <peer>=<y> <unit> ratio=<r>

where r says how many times better Evergreen is: peer / evergreen for costs
(time, memory), evergreen / peer for rates (requests per second). Every
value is a median over repeated samples, never a single measurement: the
machines are small, shared and noisy. When the values are given as lists
of samples, the line ends with their spread, so a reader can tell a real
gap from noise:

  <metric>: evergreen=<x> <unit> <peer>=<y> <unit> ratio=<r> \
      (median of <n>; min..max evergreen <a>..<b>, <peer> <c>..<d>)

Pinning: every process a suite measures runs under taskset (pinned());
single-threaded benchmarks and their peers on BENCH_CORE, servers on
SERVER_CORE and load generators on LOAD_CORE, so the scheduler never
moves one side between cores mid-sample and both sides see the same core.

  import compare
  samples = compare.Samples()
  binary = compare.built('greenlet', 'switch_bench')
  for _ in range(3):
      samples.add_all(compare.google_benchmark(binary, repetitions=5))
  compare.print_comparison(
      'switch round trip', 'ns',
      samples.median('BM_EvergreenSwitchRoundTrip'),
      'boost_context', samples.median('BM_BoostContextSwitchRoundTrip'))

Failures (a binary not built, a command exiting non-zero) raise BenchError,
whose message is meant for the person running the suite.

Python peers (run under PYTHON) measure with the helpers at the end of this
module, so that every suite charges them the same way:

  samples = compare.ns_per_iteration(timed_loop, iterations, repetitions)
  compare.emit({'samples_ns': samples})
"""

import collections
import json
import os
import statistics
import subprocess
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Python peers run under Debian's interpreter, where python3-* packages live.
PYTHON = '/usr/bin/python3'

# The two cores of the machines the suites are tuned for (see the module
# doc). In-process comparisons run on core 1, away from core 0, where the
# kernel tends to put interrupts and other processes' work.
BENCH_CORE = '1'
SERVER_CORE = '0'
LOAD_CORE = '1'

_NS_PER_UNIT = {'ns': 1.0, 'us': 1e3, 'ms': 1e6, 's': 1e9}


class BenchError(Exception):
    """A benchmark could not run; the message says what to do."""


def built(suite, name):
    """Path of the Bazel-built binary bench/<suite>:<name>."""
    path = os.path.join(REPO_ROOT, 'bazel-bin', 'bench', suite, name)
    if not os.access(path, os.X_OK):
        raise BenchError(f'{path} is not built; run '
                         f'`bazel build //bench/{suite}/...` first')
    return path


def pinned(core, args):
    """`args` run under taskset on `core` ("1", or a list such as "0,1")."""
    return ['taskset', '-c', str(core), *map(str, args)]


def run(args, timeout=600):
    """Runs args from the repository root and returns its stdout."""
    try:
        done = subprocess.run(args, cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError(f'{" ".join(map(str, args))}: {e}') from e
    if done.returncode != 0:
        raise BenchError(f'{" ".join(map(str, args))} exited with '
                         f'{done.returncode}:\n{done.stderr.strip()}')
    return done.stdout


def run_json(args, timeout=600):
    """Runs args and parses the JSON document it prints on stdout."""
    out = run(args, timeout)
    try:
        return json.loads(out)
    except ValueError as e:
        raise BenchError(f'{" ".join(map(str, args))} printed no JSON: '
                         f'{out[:200]!r}') from e


def google_benchmark(binary, repetitions, min_time=0.1, extra_args=(),
                     core=BENCH_CORE):
    """Runs a Google Benchmark binary pinned to `core`; {benchmark name:
    [ns per iteration]}.

    One sample per repetition (aggregates are dropped: medians are taken
    over all samples a suite gathers). Repetitions of different benchmarks
    are randomly interleaved, so slow phases of a noisy machine spread over
    all of them instead of landing on one.
    """
    report = run_json(pinned(core, [
        binary, '--benchmark_format=json',
        f'--benchmark_repetitions={repetitions}',
        f'--benchmark_min_time={min_time}',
        '--benchmark_enable_random_interleaving=true', *extra_args]))
    samples = collections.defaultdict(list)
    for entry in report['benchmarks']:
        if entry.get('run_type', 'iteration') != 'iteration':
            continue
        if 'error_message' in entry:
            raise BenchError(f'{binary}: {entry["name"]}: '
                             f'{entry["error_message"]}')
        samples[entry.get('run_name', entry['name'])].append(
            entry['real_time'] * _NS_PER_UNIT[entry['time_unit']])
    return dict(samples)


def median(values):
    """Median of a non-empty sequence of numbers."""
    if not values:
        raise BenchError('no samples to take a median of')
    return statistics.median(values)


class Samples:
    """Samples gathered under a name over a run, possibly in several rounds."""

    def __init__(self):
        self._samples = collections.defaultdict(list)

    def add(self, name, values):
        self._samples[name].extend(values)

    def add_all(self, samples_by_name):
        for name, values in samples_by_name.items():
            self.add(name, values)

    def median(self, name):
        return median(self.get(name))

    def get(self, name, scale=1.0):
        """Every sample of `name` (a copy), each divided by `scale`."""
        if name not in self._samples:
            raise BenchError(f'no samples for {name}')
        return [value / scale for value in self._samples[name]]


def format_value(value):
    """About three significant digits, no exponent."""
    magnitude = abs(value)
    if magnitude >= 100:
        return f'{value:.0f}'
    if magnitude >= 10:
        return f'{value:.1f}'
    return f'{value:.2f}'


def spread(named_samples):
    """"(median of 9; min..max evergreen 1.02..1.10, gevent 29.8..31.0)"
    for [(name, samples)], or "" when no entry is a list of samples."""
    lists = [(name, list(values)) for name, values in named_samples
             if isinstance(values, (list, tuple))]
    if not lists:
        return ''
    counts = sorted({len(values) for _, values in lists})
    count = '/'.join(str(n) for n in counts)
    ranges = ', '.join(f'{name} {format_value(min(values))}..'
                       f'{format_value(max(values))}'
                       for name, values in lists)
    return f' (median of {count}; min..max {ranges})'


def _value(value_or_samples):
    if isinstance(value_or_samples, (list, tuple)):
        return median(value_or_samples)
    return value_or_samples


def comparison_line(metric, unit, evergreen, peer, peer_value,
                    higher_is_better=False, name='evergreen'):
    """The one-line comparison every suite prints (see the module doc).

    `evergreen` and `peer_value` are numbers, or lists of samples: then the
    median is printed and the line ends with the spread.
    `name` labels Evergreen's value when the peer is Evergreen too
    (evergreen_hooked against evergreen_native).
    """
    ours, theirs = _value(evergreen), _value(peer_value)
    better, worse = ((ours, theirs) if higher_is_better
                     else (theirs, ours))
    ratio = better / worse if worse else float('inf')
    return (f'{metric}: {name}={format_value(ours)} {unit} '
            f'{peer}={format_value(theirs)} {unit} ratio={ratio:.2f}'
            f'{spread([(name, evergreen), (peer, peer_value)])}')


def print_comparison(metric, unit, evergreen, peer, peer_value,
                     higher_is_better=False, name='evergreen'):
    print(comparison_line(metric, unit, evergreen, peer, peer_value,
                          higher_is_better, name), flush=True)


# --- For Python peers -------------------------------------------------------


def _empty_loop_ns(iterations):
    start = time.perf_counter_ns()
    for _ in range(iterations):
        pass
    return time.perf_counter_ns() - start


def ns_per_iteration(timed_loop, iterations, repetitions):
    """One sample per repetition: ns per iteration of timed_loop(n).

    timed_loop(n) runs n iterations and returns the ns they took. The time
    of an empty loop of the same length is subtracted, so a Python peer is
    not charged for Python's loop overhead, which the C++ side does not
    have.
    """
    samples = []
    for _ in range(repetitions):
        elapsed = timed_loop(iterations) - _empty_loop_ns(iterations)
        samples.append(max(elapsed, 0) / iterations)
    return samples


def status_kib(field):
    """A "<field>: <n> kB" line of /proc/self/status (VmRSS, VmHWM, ...)."""
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise BenchError(f'no {field} in /proc/self/status')


def emit(result):
    """Prints a peer's result as the one JSON document run_json() reads."""
    print(json.dumps(result), flush=True)
