#include "net/internal/tls_bio.h"

#include <openssl/bio.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

namespace evergreen {
namespace internal {
namespace {

struct BioState {
  int fd;
  int last_errno = 0;
  bool eof = false;
  bool hold = false;
  std::string pending;  // written, not yet sent
};

BioState* StateOf(BIO* bio) {
  return static_cast<BioState*>(BIO_get_data(bio));
}

bool IsRetryable(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

// Sends from `pending` until it is empty (1), the socket would block (0) or
// send fails (-1, last_errno set).
int Drain(BioState* state) {
  std::size_t sent = 0;
  int result = 1;
  while (sent < state->pending.size()) {
    const ssize_t n = send(state->fd, state->pending.data() + sent,
                           state->pending.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    state->last_errno = errno;
    result = IsRetryable(errno) ? 0 : -1;
    break;
  }
  state->pending.erase(0, sent);
  if (state->pending.empty()) state->pending.shrink_to_fit();
  return result;
}

int Write(BIO* bio, const char* data, int size) {
  BioState* state = StateOf(bio);
  BIO_clear_retry_flags(bio);
  state->last_errno = 0;
  if (state->hold || !state->pending.empty()) {
    // Behind held or pending output: keep the order, send together.
    state->pending.append(data, size);
    if (state->hold || Drain(state) >= 0) return size;
    return -1;
  }
  const ssize_t n = send(state->fd, data, size, MSG_NOSIGNAL);
  if (n >= 0) return static_cast<int>(n);
  state->last_errno = errno;
  if (IsRetryable(state->last_errno)) BIO_set_retry_write(bio);
  return -1;
}

int Read(BIO* bio, char* data, int size) {
  BioState* state = StateOf(bio);
  BIO_clear_retry_flags(bio);
  state->last_errno = 0;
  const ssize_t n = recv(state->fd, data, size, 0);
  if (n > 0) return static_cast<int>(n);
  if (n == 0) {
    // OpenSSL asks BIO_eof() to tell a peer's close from a failure.
    state->eof = true;
    return 0;
  }
  state->last_errno = errno;
  if (IsRetryable(state->last_errno)) BIO_set_retry_read(bio);
  return -1;
}

long Control(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH: {
      BioState* state = StateOf(bio);
      if (state->hold) return 1;  // the owner flushes when it must
      BIO_clear_retry_flags(bio);
      const int result = Drain(state);
      if (result == 0) BIO_set_retry_write(bio);
      return result > 0 ? 1 : -1;
    }
    case BIO_CTRL_WPENDING:
      return static_cast<long>(StateOf(bio)->pending.size());
    case BIO_CTRL_EOF:
      return StateOf(bio)->eof ? 1 : 0;
    default:
      return 0;
  }
}

int Create(BIO* bio) {
  BIO_set_init(bio, 0);
  BIO_set_data(bio, nullptr);
  return 1;
}

int Destroy(BIO* bio) {
  delete StateOf(bio);
  BIO_set_data(bio, nullptr);
  return 1;
}

const BIO_METHOD* Method() {
  // Made once per process and never freed: every BIO refers to it.
  static const BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
                                 "evergreen socket");
    if (m == nullptr) return static_cast<BIO_METHOD*>(nullptr);
    BIO_meth_set_write(m, Write);
    BIO_meth_set_read(m, Read);
    BIO_meth_set_ctrl(m, Control);
    BIO_meth_set_create(m, Create);
    BIO_meth_set_destroy(m, Destroy);
    return m;
  }();
  return method;
}

}  // namespace

BIO* NewSocketBio(int fd) {
  const BIO_METHOD* method = Method();
  if (method == nullptr) return nullptr;
  BIO* bio = BIO_new(method);
  if (bio == nullptr) return nullptr;
  BIO_set_data(bio, new BioState{fd});
  BIO_set_init(bio, 1);
  return bio;
}

int SocketBioErrno(BIO* bio) { return StateOf(bio)->last_errno; }

void SetSocketBioHold(BIO* bio, bool hold) { StateOf(bio)->hold = hold; }

int FlushSocketBio(BIO* bio) {
  BioState* state = StateOf(bio);
  state->last_errno = 0;
  return Drain(state);
}

std::size_t SocketBioPending(BIO* bio) { return StateOf(bio)->pending.size(); }

}  // namespace internal
}  // namespace evergreen
