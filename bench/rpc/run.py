"""The rpc benchmark suite: `./dev bench rpc`.

Evergreen's typed services against gRPC C++ 1.51 on the same .proto
(bench.proto: a unary call, 64-byte request and reply). Each server runs
pinned to core 0 and each client to core 1 (one thread on each side as
far as the library allows: gRPC keeps its own internal threads), both
started by this script on free loopback ports. Lines:

  unary latency, one at a time, TCP|TLS   median microseconds per call
  unary throughput, 64 in flight, TCP|TLS calls per second on one connection
  in-process stub call vs actor Ask       calls per second, Channel::Local
                                          stub against a plain actor Ask

Each value is the median of ROUNDS samples, Evergreen and gRPC alternating,
followed by the samples' min..max.
"""

import os
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import compare  # pylint: disable=wrong-import-position

SUITE = 'rpc'
ROUNDS = 3
LATENCY_CALLS = 10_000   # ~0.5 s per sample
THROUGHPUT_CALLS = 100_000
INPROC_CALLS = 200_000


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def pinned(core, args):
    return ['taskset', '-c', str(core), *args]


class Server:
    """A benchmark server on a free port, until the `with` block ends."""

    def __init__(self, binary, tls):
        self.port = free_port()
        args = [binary, 'server', str(self.port)]
        if tls:
            args += [tls['cert'], tls['key']]
        self.process = subprocess.Popen(pinned(0, args), stdout=subprocess.PIPE,
                                        text=True)
        if self.process.stdout.readline().strip() != 'ready':
            self.process.kill()
            raise compare.BenchError(f'{binary} server did not start')

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)


def client(binary, mode, target, calls, tls):
    args = [binary, 'client', mode, target, str(calls)]
    if tls:
        args.append(tls['cert'])
    return float(compare.run(pinned(1, args)).split()[0])


def make_certificate(directory):
    cert = os.path.join(directory, 'cert.pem')
    key = os.path.join(directory, 'key.pem')
    compare.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out',
                 cert, '-days', '1', '-subj', '/CN=localhost', '-addext',
                 'subjectAltName=DNS:localhost,IP:127.0.0.1'])
    return {'cert': cert, 'key': key}


def unary(transport, tls):
    binaries = {'evergreen': compare.built(SUITE, 'evergreen_rpc'),
                'grpc': compare.built(SUITE, 'grpc_rpc')}
    samples = {(name, mode): [] for name in binaries
               for mode in ('latency', 'throughput')}
    for round_ in range(ROUNDS):
        order = list(binaries) if round_ % 2 == 0 else list(reversed(binaries))
        for name in order:
            with Server(binaries[name], tls) as server:
                target = f'localhost:{server.port}'
                samples[(name, 'latency')].append(client(
                    binaries[name], 'latency', target, LATENCY_CALLS, tls))
                samples[(name, 'throughput')].append(client(
                    binaries[name], 'throughput', target, THROUGHPUT_CALLS,
                    tls))
    compare.print_comparison(
        f'unary latency, one at a time, {transport}', 'us',
        samples[('evergreen', 'latency')], 'grpc',
        samples[('grpc', 'latency')])
    compare.print_comparison(
        f'unary throughput, 64 in flight, {transport}', 'calls/s',
        samples[('evergreen', 'throughput')], 'grpc',
        samples[('grpc', 'throughput')],
        higher_is_better=True)


def in_process():
    binary = compare.built(SUITE, 'evergreen_rpc')
    stub, ask = [], []
    for _ in range(ROUNDS):
        values = compare.run(pinned(1, [binary, 'inproc', str(INPROC_CALLS)]))
        s, a = (float(v) for v in values.split())
        stub.append(s)
        ask.append(a)
    compare.print_comparison('in-process stub call vs actor Ask', 'calls/s',
                             stub, 'ask', ask, higher_is_better=True,
                             name='stub')


def main():
    try:
        unary('TCP', None)
        with tempfile.TemporaryDirectory() as directory:
            unary('TLS', make_certificate(directory))
        in_process()
    except compare.BenchError as e:
        sys.exit(f'bench {SUITE}: {e}')


if __name__ == '__main__':
    main()
