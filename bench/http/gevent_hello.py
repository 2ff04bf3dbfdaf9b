"""The gevent side of the HTTP hello comparison: gevent's pywsgi WSGIServer
with the hello app of gevent's documentation, access log off (as nginx's
and Evergreen's). Prints "port <n>" once listening; serves until killed.
Run it with /usr/bin/python3, where Debian's python3-gevent lives.

Usage: gevent_hello.py [port=0]
"""

import sys

from gevent.pywsgi import WSGIServer

BODY = b'Hello, World!\n'


def hello(_environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(BODY)))])
    return [BODY]


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = WSGIServer(('127.0.0.1', port), hello, log=None)
    server.init_socket()
    print(f'port {server.server_port}', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
