"""Instructions per hot-path operation, counted by callgrind.

  bazel build //bench/framework:op_counts
  python3 bench/framework/op_counts.py [op ...]

Runs op_counts under `valgrind --tool=callgrind` with a small and a large
count and prints (total_large - total_small) / (large - small) for each op:
deterministic, so usable for A/B comparisons on a loaded machine.
"""

import os
import re
import subprocess
import sys
import tempfile

OPS = ['sleep0', 'sleep0_pair', 'spawn_join', 'queue_pingpong', 'switch']
SMALL = 1_000
LARGE = 21_000
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, 'bazel-bin', 'bench', 'framework', 'op_counts')


def total_instructions(op, count):
  with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, 'callgrind.out')
    run = subprocess.run(
        ['valgrind', '--tool=callgrind', f'--callgrind-out-file={out}',
         BINARY, op, str(count)],
        capture_output=True, text=True, check=True)
    match = re.search(r'Collected : (\d+)', run.stderr)
    if match is None:
      sys.exit(f'op_counts.py: no instruction total in:\n{run.stderr}')
    return int(match.group(1))


def main():
  for op in sys.argv[1:] or OPS:
    small = total_instructions(op, SMALL)
    large = total_instructions(op, LARGE)
    print(f'{op}: {(large - small) / (LARGE - SMALL):.1f} instructions/op')


if __name__ == '__main__':
  main()
