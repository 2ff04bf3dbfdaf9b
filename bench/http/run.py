"""The HTTP benchmark suite: `./dev bench http`.

wrk (one thread, 50 keep-alive connections, SECONDS per sample) asks for a
14-byte "Hello, World!\n" from three servers in turn, in ROUNDS rounds that
alternate their order (a fresh server each time):

  evergreen  bench/http:evergreen_hello, one HttpServer on one hub
  nginx      nginx-light, worker_processes 1, access_log off, `return 200`
  gevent     gevent's pywsgi WSGIServer (gevent_hello.py), log off

Each server runs pinned to core 0 and wrk to core 1 (as the net suite pins
its servers and load). Prints requests per second against each peer and
wrk's p99 latency against nginx's:

  HTTP hello keep-alive, 50 connections: evergreen=… req/s nginx=… req/s ratio=…
  HTTP hello keep-alive, 50 connections: evergreen=… req/s gevent=… req/s ratio=…
  HTTP hello keep-alive p99 latency, 50 connections: evergreen=… ms nginx=… ms ratio=…

ratio > 1 means Evergreen is better (more requests, lower latency). Each
value is the median over the rounds, followed by the samples' min..max.

Then one service over Evergreen's two wire transports (connect_unary.cc,
16 callers in one process pinned to core 0, ROUNDS runs):

  unary call, Connect over HTTP vs TCP transport: evergreen_http=… calls/s evergreen_tcp=… calls/s ratio=…

(ratio = HTTP / TCP: the price of speaking Connect over HTTP/1.1.)
"""

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'net'))
import compare  # pylint: disable=wrong-import-position
import server_bench  # pylint: disable=wrong-import-position

SUITE = 'http'
HERE = os.path.dirname(os.path.abspath(__file__))
WRK = '/usr/bin/wrk'
NGINX = '/usr/sbin/nginx'
CONNECTIONS = 50
ROUNDS = 3
SECONDS = 4              # per wrk sample
CONNECT_SECONDS = 2      # per transport, per connect_unary run
METRIC = f'HTTP hello keep-alive, {CONNECTIONS} connections'

NGINX_CONF = """\
worker_processes 1;
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log error;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      default_type text/plain;
      return 200 "Hello, World!\\n";
    }}
  }}
}}
"""


@contextlib.contextmanager
def nginx_server():
    """nginx on a free loopback port, pinned to the server core."""
    with tempfile.TemporaryDirectory() as work:
        port = server_bench.free_tcp_port()
        conf = os.path.join(work, 'nginx.conf')
        with open(conf, 'w') as f:
            f.write(NGINX_CONF.format(dir=work, port=port))
        process = subprocess.Popen(
            server_bench.pinned(server_bench.SERVER_CORE,
                                [NGINX, '-c', conf, '-p', work]),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + server_bench.STARTUP_SECONDS
            while not server_bench.accepts(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise compare.BenchError(
                        f'nginx did not start; see {work}/error.log')
                time.sleep(0.05)
            yield port, process.pid
        finally:
            server_bench.stop(process)


def wrk(port):
    """(requests per second, p99 latency in ms) of one wrk run."""
    out = compare.run(server_bench.pinned(server_bench.LOAD_CORE, [
        WRK, '-t1', f'-c{CONNECTIONS}', f'-d{SECONDS}s', '--latency',
        f'http://127.0.0.1:{port}/']), timeout=SECONDS * 3 + 30)
    rate = re.search(r'Requests/sec:\s*([\d.]+)', out)
    p99 = re.search(r'^\s*99%\s+([\d.]+)(us|ms|s)\s*$', out, re.M)
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)',
                       out)
    if not rate or not p99:
        raise compare.BenchError(f'could not read wrk output:\n{out}')
    if errors:
        raise compare.BenchError(f'wrk saw errors:\n{out}')
    scale = {'us': 1e-3, 'ms': 1.0, 's': 1e3}[p99.group(2)]
    return float(rate.group(1)), float(p99.group(1)) * scale


def main():
    for tool in (WRK, NGINX, compare.PYTHON):
        if not shutil.which(tool):
            raise compare.BenchError(f'{tool} is missing; run ./dev setup')
    servers = {
        'evergreen': lambda: server_bench.announced_server(
            [compare.built(SUITE, 'evergreen_hello')]),
        'nginx': nginx_server,
        'gevent': lambda: server_bench.announced_server(
            [compare.PYTHON, os.path.join(HERE, 'gevent_hello.py')]),
    }
    samples = compare.Samples()
    names = list(servers)
    for round_index in range(ROUNDS):
        for name in names[::-1] if round_index % 2 else names:
            with servers[name]() as (port, _pid):
                rate, p99 = wrk(port)
                samples.add(f'{name}/rate', [rate])
                samples.add(f'{name}/p99', [p99])
    for peer in ('nginx', 'gevent'):
        compare.print_comparison(METRIC, 'req/s',
                                 samples.get('evergreen/rate'), peer,
                                 samples.get(f'{peer}/rate'),
                                 higher_is_better=True)
    for peer in ('nginx', 'gevent'):
        compare.print_comparison(
            f'HTTP hello keep-alive p99 latency, {CONNECTIONS} connections',
            'ms', samples.get('evergreen/p99'), peer,
            samples.get(f'{peer}/p99'))

    connect_unary()


def connect_unary():
    """The Connect-over-HTTP vs TCP-transport line."""
    samples = compare.Samples()
    for _ in range(ROUNDS):
        out = compare.run(server_bench.pinned(server_bench.SERVER_CORE, [
            compare.built(SUITE, 'connect_unary'), str(CONNECT_SECONDS)]),
            timeout=CONNECT_SECONDS * 6 + 30)
        try:
            http_rate, tcp_rate = (float(x) for x in out.split())
        except ValueError as error:
            raise compare.BenchError(
                f'could not read connect_unary output:\n{out}') from error
        samples.add('http', [http_rate])
        samples.add('tcp', [tcp_rate])
    # ratio = HTTP / TCP (the price of Connect over HTTP/1.1).
    compare.print_comparison(
        'unary call, Connect over HTTP vs TCP transport', 'calls/s',
        samples.get('http'), 'evergreen_tcp', samples.get('tcp'),
        higher_is_better=True, name='evergreen_http')


if __name__ == '__main__':
    try:
        main()
    except compare.BenchError as error:
        print(f'bench {SUITE}: {error}', file=sys.stderr)
        sys.exit(1)
