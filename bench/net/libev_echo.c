/* The floor of the TCP echo comparison: a raw libev echo server in C, one
 * ev_io per connection whose callback reads up to 4 KiB and writes it
 * straight back (waiting for EV_WRITE only if the kernel takes less).
 * Prints "port <n>" once listening; serves until killed.
 *
 * Fair as a floor because it does per readable connection exactly the
 * system calls Evergreen's StreamServer echo (evergreen_echo.cc) does -- one
 * read, one write -- on the same libev epoll loop Evergreen's hub drives,
 * with none of the greenlets, switches or status objects on top. Both are
 * driven by echo_load on loopback, pinned by run.py to the same core.
 *
 * Usage: libev_echo [port=0]
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kBufferSize = 4096, kBacklog = 1024 };

struct Connection {
  ev_io io; /* first: the callback casts the watcher back */
  char buffer[kBufferSize];
  size_t pending; /* bytes read and not yet written */
  size_t written; /* of those, written so far */
};

static void CloseConnection(struct ev_loop* loop, struct Connection* c) {
  ev_io_stop(loop, &c->io);
  close(c->io.fd);
  free(c);
}

/* Writes what is pending; returns 0 when done, 1 when the kernel took only
 * part (wait for EV_WRITE), -1 on error. */
static int Flush(struct Connection* c) {
  while (c->written < c->pending) {
    ssize_t n = send(c->io.fd, c->buffer + c->written, c->pending - c->written,
                     MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno == EAGAIN ? 1 : -1;
    c->written += (size_t)n;
  }
  c->pending = c->written = 0;
  return 0;
}

static void OnConnection(struct ev_loop* loop, ev_io* io, int revents) {
  struct Connection* c = (struct Connection*)io;
  int flushed;
  if (revents & EV_READ) {
    ssize_t n = recv(io->fd, c->buffer, sizeof(c->buffer), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
      CloseConnection(loop, c);
      return;
    }
    c->pending = (size_t)n;
  }
  flushed = Flush(c);
  if (flushed < 0) {
    CloseConnection(loop, c);
    return;
  }
  /* Read again only once everything read has been echoed. */
  if ((flushed == 1) != ((io->events & EV_WRITE) != 0)) {
    ev_io_stop(loop, io);
    ev_io_set(io, io->fd, flushed == 1 ? EV_WRITE : EV_READ);
    ev_io_start(loop, io);
  }
}

static void OnAccept(struct ev_loop* loop, ev_io* listener, int revents) {
  (void)revents;
  for (;;) {
    int fd = accept4(listener->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        perror("libev_echo: accept");
      }
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    struct Connection* c = malloc(sizeof(*c));
    if (c == NULL) {
      close(fd);
      continue;
    }
    c->pending = c->written = 0;
    ev_io_init(&c->io, OnConnection, fd, EV_READ);
    ev_io_start(loop, &c->io);
  }
}

static int Listen(int port) {
  struct sockaddr_in address;
  const int on = 1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  memset(&address, 0, sizeof(address));
  address.sin_family = AF_INET;
  address.sin_port = htons((uint16_t)port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
      bind(fd, (struct sockaddr*)&address, sizeof(address)) != 0 ||
      listen(fd, kBacklog) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

static int BoundPort(int fd) {
  struct sockaddr_in address;
  socklen_t size = sizeof(address);
  if (getsockname(fd, (struct sockaddr*)&address, &size) != 0) return -1;
  return ntohs(address.sin_port);
}

int main(int argc, char** argv) {
  char* end = NULL;
  long port = argc > 1 ? strtol(argv[1], &end, 10) : 0;
  struct ev_loop* loop = ev_default_loop(EVFLAG_AUTO);
  ev_io listener;
  int fd;
  if (argc > 2 || (end != NULL && *end != '\0') || port < 0 || port > 65535) {
    fprintf(stderr, "usage: libev_echo [port=0]\n");
    return 2;
  }
  fd = Listen((int)port);
  if (fd < 0 || loop == NULL) {
    perror("libev_echo: listen");
    return 1;
  }
  ev_io_init(&listener, OnAccept, fd, EV_READ);
  ev_io_start(loop, &listener);
  printf("port %d\n", BoundPort(fd));
  fflush(stdout);
  ev_run(loop, 0);
  return 0;
}
