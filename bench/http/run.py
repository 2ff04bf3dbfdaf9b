"""The HTTP benchmark suite: `./dev bench http`.

wrk (one thread, 50 keep-alive connections, 10 s) asks for a 14-byte
"Hello, World!\n" from three servers in turn:

  evergreen  bench/http:evergreen_hello, one HttpServer on one hub
  nginx      nginx-light, worker_processes 1, access_log off, `return 200`
  gevent     gevent's pywsgi WSGIServer (gevent_hello.py), log off

Each server runs pinned to core 0 and wrk to core 1 (as the net suite pins
its servers and load). Prints requests per second against each peer and
wrk's p99 latency against nginx's:

  HTTP hello keep-alive, 50 connections: evergreen=… req/s nginx=… req/s ratio=…
  HTTP hello keep-alive, 50 connections: evergreen=… req/s gevent=… req/s ratio=…
  HTTP hello keep-alive p99 latency, 50 connections: evergreen=… ms nginx=… ms ratio=…

ratio > 1 means Evergreen is better (more requests, lower latency).

Then one service over Evergreen's two wire transports (connect_unary.cc,
16 callers in one process):

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
SECONDS = 10
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
    results = {}
    for name, start in servers.items():
        with start() as (port, _pid):
            results[name] = wrk(port)
    ours_rate, ours_p99 = results['evergreen']
    for peer in ('nginx', 'gevent'):
        compare.print_comparison(METRIC, 'req/s', ours_rate, peer,
                                 results[peer][0], higher_is_better=True)
    compare.print_comparison(
        f'HTTP hello keep-alive p99 latency, {CONNECTIONS} connections', 'ms',
        ours_p99, 'nginx', results['nginx'][1])
    compare.print_comparison(
        f'HTTP hello keep-alive p99 latency, {CONNECTIONS} connections', 'ms',
        ours_p99, 'gevent', results['gevent'][1])

    connect_unary()


def connect_unary():
    """The Connect-over-HTTP vs TCP-transport line."""
    out = compare.run(server_bench.pinned(server_bench.SERVER_CORE, [
        compare.built(SUITE, 'connect_unary'), str(SECONDS // 2)]),
        timeout=SECONDS * 3 + 30)
    try:
        http_rate, tcp_rate = (float(x) for x in out.split())
    except ValueError as error:
        raise compare.BenchError(
            f'could not read connect_unary output:\n{out}') from error
    print('unary call, Connect over HTTP vs TCP transport: '
          f'evergreen_http={http_rate:.0f} calls/s '
          f'evergreen_tcp={tcp_rate:.0f} calls/s '
          f'ratio={http_rate / tcp_rate:.2f}', flush=True)


if __name__ == '__main__':
    try:
        main()
    except compare.BenchError as error:
        print(f'bench {SUITE}: {error}', file=sys.stderr)
        sys.exit(1)
