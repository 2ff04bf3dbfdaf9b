"""The gevent side of the TCP echo comparison: gevent's StreamServer with
the echo handler from gevent's own documentation (recv up to 4 KiB, sendall
it back, until EOF). Prints "port <n>" once listening; serves until killed.

Fair because it is the idiomatic gevent program for the job, doing per
readable connection what evergreen_echo.cc does (one recv, one send), driven
by the same echo_load client and pinned by run.py to the same core. Run it
with /usr/bin/python3, where Debian's python3-gevent lives.

Usage: gevent_echo.py [port=0]
"""

import sys

from gevent.server import StreamServer


def echo(connection, _address):
    # Like evergreen_echo.cc's handler, any error just ends the connection.
    try:
        while True:
            data = connection.recv(4096)
            if not data:
                return
            connection.sendall(data)
    except OSError:
        return


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = StreamServer(('127.0.0.1', port), echo)
    server.start()
    print(f'port {server.server_port}', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
