"""The server comparisons of the net suite (run.py's COMPARISONS).

  tcp echo     Evergreen's StreamServer (evergreen_echo) against a raw libev
               server in C (libev_echo, the floor) and gevent's StreamServer
               (gevent_echo.py): 64-byte ping-pong over 100 connections
               (throughput) and over 1 (latency-bound), msgs/s and the
               server's CPU time per message, plus the 1-connection median
               round trip
  scaling      the same echo load (100 connections) against Evergreen's
               echo server on 2 hubs (a HubGroup, SO_REUSEPORT) and on 1
               hub (evergreen_echo_hubs), both free to use cores 0-1; the
               load generator is pinned to core 1, so on a 2-core machine
               it shares that core with the second hub
  HTTP scaling the same for HTTP hello (bench/http's server, keep-alive,
               50 connections) on 2 hubs and on 1 (evergreen_http_hubs,
               ServerOnHubs<HttpServer>), wrk (one thread) pinned to core 1
  tls          full TLS 1.3 handshakes (ECDSA P-256, no resumption) per
               second, and per second of the server's CPU time: Evergreen's
               TlsStreamServer (evergreen_tls) against nginx (nginx-light)

Every server runs pinned to core 0 and its load generator to core 1 (but
the scaling lines' servers, on cores 0-1); the same load generator drives
every server of a comparison (echo_load, tls_handshake_load, wrk). Servers
are restarted for each round, and rounds alternate their order, so a noisy
moment of the machine is shared by all sides; each printed value is the
median of every round's sample, followed by the samples' min..max.

Why the CPU-time lines: on two cores the load generator can be the
bottleneck (a TLS 1.3 client does more work per handshake than the server:
it parses the certificate and verifies a signature), and then every server
shows the client's rate. The server's own CPU time per operation (from
/proc/<pid>/task/*/schedstat, over the whole load run) compares the servers
whichever side saturates.
"""

import contextlib
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
import time

import compare

SUITE = 'net'
HERE = os.path.dirname(os.path.abspath(__file__))
NGINX = '/usr/sbin/nginx'
OPENSSL = '/usr/bin/openssl'
SERVER_CORE = '0'
LOAD_CORE = '1'

ROUNDS = 7
STARTUP_SECONDS = 10     # for a server to print its port or accept
ECHO_MESSAGE_BYTES = 64
ECHO_CONNECTIONS = (100, 1)
ECHO_SECONDS = 1.2       # timed, per sample
ECHO_WARMUP_SECONDS = 0.3
TLS_CONCURRENCY = 16
TLS_SECONDS = 1.5
TLS_WARMUP_SECONDS = 0.3


# --- processes ----------------------------------------------------------------


def pinned(core, args):
    return ['taskset', '-c', core, *args]


def task_cpu_seconds(pid):
    """CPU time of every thread of `pid` so far, in seconds (ns precise)."""
    total = 0
    tasks = f'/proc/{pid}/task'
    for task in os.listdir(tasks):
        try:
            with open(f'{tasks}/{task}/schedstat') as stat:
                total += int(stat.read().split()[0])
        except OSError:  # a thread that just ended
            pass
    return total / 1e9


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def announced_server(args, core=SERVER_CORE):
    """Runs a server that prints "port <n>" once listening (the Evergreen,
    libev and gevent servers here), pinned to `core` (the server core
    unless said); yields (port, pid) and stops it afterwards."""
    # stderr goes to a file: a pipe nobody reads could fill and stall it.
    with tempfile.TemporaryFile(mode='w+') as errors:
        process = subprocess.Popen(
            pinned(core, args), cwd=compare.REPO_ROOT,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
            text=True)
        try:
            ready, _, _ = select.select([process.stdout], [], [],
                                       STARTUP_SECONDS)
            line = process.stdout.readline() if ready else ''
            if not line.startswith('port '):
                stop(process)
                errors.seek(0)
                raise compare.BenchError(
                    f'{" ".join(map(str, args))} did not announce its port: '
                    f'{line!r} {errors.read().strip()}')
            yield int(line.split()[1]), process.pid
        finally:
            stop(process)


def accepts(port):
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=0.1):
            return True
    except OSError:
        return False


def free_tcp_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


NGINX_CONF = """\
# One worker, in the foreground, TLS 1.3 only, no session resumption:
# no cache, no tickets (NumTickets 0: OpenSSL would otherwise still send
# TLS 1.3 tickets nobody could use).
worker_processes 1;
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log error;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {certificate};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    ssl_conf_command NumTickets 0;
    return 204;
  }}
}}
"""


@contextlib.contextmanager
def nginx_server(certificate, key):
    """Runs nginx (one worker, pinned to the server core) serving TLS with
    `certificate` on a free loopback port; yields (port, pid)."""
    if not os.access(NGINX, os.X_OK):
        raise compare.BenchError(f'{NGINX} is missing; run ./dev setup')
    workdir = tempfile.mkdtemp(prefix='evergreen-bench-nginx-')
    conf = os.path.join(workdir, 'nginx.conf')
    try:
        for _ in range(5):  # a port found free may be taken meanwhile
            port = free_tcp_port()
            with open(conf, 'w') as out:
                out.write(NGINX_CONF.format(dir=workdir, port=port,
                                            certificate=certificate, key=key))
            process = subprocess.Popen(
                pinned(SERVER_CORE, [NGINX, '-p', workdir, '-c', conf,
                                     '-e', os.path.join(workdir, 'error.log')]),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + STARTUP_SECONDS
                while time.monotonic() < deadline and process.poll() is None:
                    if accepts(port):
                        yield port, process.pid
                        return
                    time.sleep(0.01)
            finally:
                stop(process)
        with open(os.path.join(workdir, 'error.log')) as log:
            raise compare.BenchError(f'nginx did not come up:\n{log.read()}')
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def ecdsa_p256_certificate():
    """A self-signed ECDSA P-256 certificate for 127.0.0.1, made with the
    openssl CLI; yields (certificate path, key path)."""
    workdir = tempfile.mkdtemp(prefix='evergreen-bench-tls-')
    certificate = os.path.join(workdir, 'cert.pem')
    key = os.path.join(workdir, 'key.pem')
    try:
        compare.run([OPENSSL, 'req', '-x509', '-newkey', 'ec',
                     '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                     '-keyout', key, '-out', certificate, '-days', '1',
                     '-subj', '/CN=127.0.0.1',
                     '-addext', 'subjectAltName=IP:127.0.0.1'], timeout=30)
        yield certificate, key
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def measured_load(server_pid, args):
    """Runs a load generator pinned to the load core; returns its JSON and
    the CPU seconds the server spent meanwhile."""
    before = task_cpu_seconds(server_pid)
    result = compare.run_json(pinned(LOAD_CORE, args), timeout=60)
    result['server_cpu_seconds'] = task_cpu_seconds(server_pid) - before
    return result


def rounds(names):
    """`names` in ROUNDS rounds, every other one reversed."""
    for index in range(ROUNDS):
        yield from (names[::-1] if index % 2 else names)


# --- comparisons --------------------------------------------------------------


def echo_servers():
    """name -> the command that starts it."""
    return {
        'evergreen': [compare.built(SUITE, 'evergreen_echo')],
        'libev': [compare.built(SUITE, 'libev_echo')],
        'gevent': [compare.PYTHON, os.path.join(HERE, 'gevent_echo.py')],
    }


def tcp_echo():
    """Evergreen's StreamServer against raw libev and gevent."""
    servers = echo_servers()
    load = compare.built(SUITE, 'echo_load')
    samples = compare.Samples()
    for name in rounds(list(servers)):
        with announced_server(servers[name]) as (port, pid):
            for connections in ECHO_CONNECTIONS:
                result = measured_load(pid, [
                    load, f'127.0.0.1:{port}', str(connections),
                    str(ECHO_SECONDS), str(ECHO_WARMUP_SECONDS),
                    str(ECHO_MESSAGE_BYTES)])
                key = f'{name}/{connections}'
                samples.add(f'{key}/rate', [result['msgs_per_second']])
                samples.add(f'{key}/p50', [result['p50_us']])
                samples.add(f'{key}/cpu', [
                    result['server_cpu_seconds'] * 1e9 /
                    result['all_messages']])
    for connections in ECHO_CONNECTIONS:
        what = (f'TCP echo, {connections} connection'
                f'{"s" if connections > 1 else ""} x {ECHO_MESSAGE_BYTES} B')
        lines = [(f'{what}', 'msgs/s', 'rate', True),
                 (f'{what}, server CPU per message', 'ns', 'cpu', False)]
        if connections == 1:
            lines.append((f'{what}, median round trip', 'us', 'p50', False))
        for metric, unit, kind, higher_is_better in lines:
            for peer in ('libev', 'gevent'):
                compare.print_comparison(
                    metric, unit, samples.get(f'evergreen/{connections}/'
                                              f'{kind}'),
                    peer, samples.get(f'{peer}/{connections}/{kind}'),
                    higher_is_better)


def tls_handshakes():
    """Evergreen's TlsStreamServer against nginx: full TLS 1.3 handshakes."""
    load = compare.built(SUITE, 'tls_handshake_load')
    evergreen = compare.built(SUITE, 'evergreen_tls')
    samples = compare.Samples()
    with ecdsa_p256_certificate() as (certificate, key):
        servers = {
            'evergreen': lambda: announced_server(
                [evergreen, certificate, key]),
            'nginx': lambda: nginx_server(certificate, key),
        }
        for name in rounds(list(servers)):
            with servers[name]() as (port, pid):
                result = measured_load(pid, [
                    load, f'127.0.0.1:{port}', str(TLS_CONCURRENCY),
                    str(TLS_SECONDS), str(TLS_WARMUP_SECONDS)])
                samples.add(f'{name}/rate', [result['handshakes_per_second']])
                samples.add(f'{name}/per_cpu', [
                    result['all_handshakes'] / result['server_cpu_seconds']])
    what = (f'TLS 1.3 full handshakes, ECDSA P-256, {TLS_CONCURRENCY} '
            'concurrent')
    compare.print_comparison(what, 'handshakes/s',
                             samples.get('evergreen/rate'), 'nginx',
                             samples.get('nginx/rate'),
                             higher_is_better=True)
    compare.print_comparison(f'{what}, per server CPU second', 'handshakes',
                             samples.get('evergreen/per_cpu'), 'nginx',
                             samples.get('nginx/per_cpu'),
                             higher_is_better=True)


SCALING_ROUNDS = 3
SCALING_CONNECTIONS = 100


def tcp_echo_scaling():
    """msgs/s of the echo server on 2 hubs over the same on 1 hub."""
    binary = compare.built(SUITE, 'evergreen_echo_hubs')
    load = compare.built(SUITE, 'echo_load')
    samples = compare.Samples()
    for index in range(SCALING_ROUNDS):
        for hubs in ((2, 1) if index % 2 == 0 else (1, 2)):
            with announced_server([binary, str(hubs)],
                                  core='0,1') as (port, pid):
                result = measured_load(pid, [
                    load, f'127.0.0.1:{port}', str(SCALING_CONNECTIONS),
                    str(ECHO_SECONDS), str(ECHO_WARMUP_SECONDS),
                    str(ECHO_MESSAGE_BYTES)])
                samples.add(f'{hubs}', [result['msgs_per_second']])
    compare.print_comparison(
        f'scaling 1→2 hubs, TCP echo, {SCALING_CONNECTIONS} connections x '
        f'{ECHO_MESSAGE_BYTES} B (server on cores 0-1, load generator '
        f'echo_load pinned to core {LOAD_CORE})', 'msgs/s',
        samples.get('2'), 'evergreen_1hub', samples.get('1'),
        higher_is_better=True, name='evergreen_2hubs')


WRK = '/usr/bin/wrk'
HTTP_SCALING_CONNECTIONS = 50
HTTP_SCALING_SECONDS = 3


def wrk_rate(port, connections, seconds):
    """Requests per second of one wrk run (one thread, keep-alive) pinned
    to the load core; fails on any error or non-2xx response."""
    if not os.access(WRK, os.X_OK):
        raise compare.BenchError(f'{WRK} is missing; run ./dev setup')
    out = compare.run(pinned(LOAD_CORE, [
        WRK, '-t1', f'-c{connections}', f'-d{seconds}s',
        f'http://127.0.0.1:{port}/']), timeout=seconds * 3 + 30)
    rate = re.search(r'Requests/sec:\s*([\d.]+)', out)
    if not rate:
        raise compare.BenchError(f'could not read wrk output:\n{out}')
    if re.search(r'Non-2xx or 3xx responses|Socket errors', out):
        raise compare.BenchError(f'wrk saw errors:\n{out}')
    return float(rate.group(1))


def http_hello_scaling():
    """req/s of the HTTP hello server on 2 hubs over the same on 1 hub."""
    binary = compare.built(SUITE, 'evergreen_http_hubs')
    samples = compare.Samples()
    for index in range(SCALING_ROUNDS):
        for hubs in ((2, 1) if index % 2 == 0 else (1, 2)):
            with announced_server([binary, str(hubs)],
                                  core='0,1') as (port, _pid):
                samples.add(f'{hubs}', [wrk_rate(
                    port, HTTP_SCALING_CONNECTIONS, HTTP_SCALING_SECONDS)])
    compare.print_comparison(
        f'scaling 1→2 hubs, HTTP hello keep-alive, {HTTP_SCALING_CONNECTIONS} '
        'connections (server on cores 0-1, load generator wrk -t1 pinned to '
        f'core {LOAD_CORE})', 'req/s', samples.get('2'), 'evergreen_1hub',
        samples.get('1'), higher_is_better=True, name='evergreen_2hubs')


COMPARISONS = [tcp_echo, tcp_echo_scaling, http_hello_scaling,
               tls_handshakes]
