"""The net benchmark suite: `./dev bench net`.

Runs Evergreen's networking pieces against their peers side by side (the
C++ binaries built by `bazel build //bench/net/...`) and prints one line per
comparison:

  dns lookups   the c-ares resolver inside the hub vs getaddrinfo on the
                thread pool, lookups per second, both asking a dnsmasq that
                this script starts on a free loopback port with its own
                names (nothing leaves the machine); dns_bench (the hub and
                its thread pool) pinned to core 0, dnsmasq to core 1
  tcp echo, tls
                servers against raw libev, gevent and nginx: see
                server_bench.py

Samples are gathered in rounds that alternate their order, so a noisy moment
of the machine is shared by both sides; each printed value is the median of
every sample, followed by the samples' min..max. Each comparison is one function of COMPARISONS: a new one
gathers its own samples and prints its own line.
"""

import contextlib
import os
import pwd
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import compare  # pylint: disable=wrong-import-position
import server_bench  # pylint: disable=wrong-import-position

SUITE = 'net'
DNSMASQ = '/usr/sbin/dnsmasq'

ROUNDS = 5
DNS_NAMES = 1000
DNS_LOOKUPS = 20_000
DNS_CONCURRENCY = 100


# --- a local DNS server ------------------------------------------------------


def free_port():
    """A loopback port free for UDP and TCP right now (dnsmasq binds both)."""
    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(('127.0.0.1', 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(('127.0.0.1', port))
                except OSError:
                    continue
                return port
    raise compare.BenchError('no free loopback port for dnsmasq')


def answers(port):
    """True once a DNS server on 127.0.0.1:port answers a query."""
    query = struct.pack('>HHHHHH', 0x1234, 0x0100, 1, 0, 0, 0)
    query += b'\x05probe\x05bench\x00' + struct.pack('>HH', 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.1)
        try:
            s.sendto(query, ('127.0.0.1', port))
            return s.recv(512)[:2] == query[:2]
        except OSError:
            return False


@contextlib.contextmanager
def local_dnsmasq(names):
    """Runs dnsmasq serving `names` (name -> address) on a loopback port,
    every other name NXDOMAIN; yields "127.0.0.1:<port>" and stops it
    afterwards."""
    if not os.access(DNSMASQ, os.X_OK):
        raise compare.BenchError(f'{DNSMASQ} is missing; run ./dev setup')
    workdir = tempfile.mkdtemp(prefix='evergreen-bench-dns-')
    hosts = os.path.join(workdir, 'hosts')
    log = os.path.join(workdir, 'log')
    with open(hosts, 'w') as out:
        for name, address in names.items():
            out.write(f'{address} {name}\n')
    process = None
    try:
        for _ in range(5):  # a port found free may be taken meanwhile
            port = free_port()
            process = subprocess.Popen(
                compare.pinned(compare.LOAD_CORE, [
                    DNSMASQ, '--keep-in-foreground', '--conf-file=/dev/null',
                    '--no-resolv', '--no-hosts', f'--addn-hosts={hosts}',
                    '--local=/#/', '--listen-address=127.0.0.1',
                    '--bind-interfaces', f'--port={port}', '--pid-file=',
                    # Stay who we are: no switch to nobody/dip, which the
                    # hosts file's directory or a sandbox may not allow.
                    f'--user={pwd.getpwuid(os.geteuid()).pw_name}',
                    '--group=', f'--log-facility={log}']),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.STDOUT)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and process.poll() is None:
                if answers(port):
                    yield f'127.0.0.1:{port}'
                    return
                time.sleep(0.01)
            if process.poll() is None:
                break
        with open(log) as text:
            raise compare.BenchError(f'dnsmasq did not come up:\n{text.read()}')
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)


# --- comparisons -------------------------------------------------------------


def dns_lookups():
    """c-ares inside the hub vs getaddrinfo on the thread pool."""
    names = {f'host-{i}.bench': f'127.2.{i // 256}.{i % 256}'
             for i in range(DNS_NAMES)}
    binary = compare.built(SUITE, 'dns_bench')
    samples = compare.Samples()
    with local_dnsmasq(names) as server:
        order = ['ares', 'thread']
        for round_index in range(ROUNDS):
            for kind in order[::-1] if round_index % 2 else order:
                result = compare.run_json(compare.pinned(
                    compare.SERVER_CORE,
                    [binary, kind, server, DNS_NAMES, DNS_LOOKUPS,
                     DNS_CONCURRENCY]))
                samples.add(kind, [result['lookups_per_second']])
    compare.print_comparison('dns lookups', 'lookups/s', samples.get('ares'),
                             'thread_pool', samples.get('thread'),
                             higher_is_better=True, name='evergreen_ares')


COMPARISONS = [dns_lookups]
COMPARISONS += server_bench.COMPARISONS


def main():
    try:
        for comparison in COMPARISONS:
            comparison()
    except compare.BenchError as e:
        sys.exit(f'bench {SUITE}: {e}')


if __name__ == '__main__':
    main()
