#include "net/internal/tls_bio.h"

#include <openssl/bio.h>
#include <sys/socket.h>

#include <cerrno>

namespace evergreen {
namespace internal {
namespace {

struct BioState {
  int fd;
  int last_errno = 0;
  bool eof = false;
};

BioState* StateOf(BIO* bio) {
  return static_cast<BioState*>(BIO_get_data(bio));
}

bool IsRetryable(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == EINTR;
}

int Write(BIO* bio, const char* data, int size) {
  BioState* state = StateOf(bio);
  BIO_clear_retry_flags(bio);
  state->last_errno = 0;
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
    case BIO_CTRL_FLUSH:
      return 1;  // nothing is buffered here
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

}  // namespace internal
}  // namespace evergreen
