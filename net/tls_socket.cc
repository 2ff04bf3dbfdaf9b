#include "net/tls_socket.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <climits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "framework/deadline.h"
#include "net/internal/deadline.h"
#include "net/internal/openssl_ptr.h"
#include "net/internal/tls_bio.h"
#include "net/internal/tls_error.h"
#include "net/internal/tls_session_cache.h"

namespace evergreen {

struct TlsSocket::State {
  Socket socket;
  TlsContext context;  // keeps the SSL_CTX's callbacks' data alive
  internal::SslPtr ssl;
  BIO* bio = nullptr;  // owned by `ssl`
  std::string peer;    // for messages: "localhost (127.0.0.1:443)"
  bool handshake_done = false;
  // The first protocol failure: OpenSSL will not use the connection again.
  absl::Status failure;
  // A write failed with a record half sent; the stream cannot go on.
  bool write_cut = false;
};

namespace {

bool IsIpAddress(const std::string& name) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

int ClampToInt(std::size_t size) {
  return static_cast<int>(std::min<std::size_t>(size, INT_MAX));
}

// Sets the name a client sends (SNI) and checks. Errors: Internal.
absl::Status SetServerName(SSL* ssl, const std::string& name, bool verify) {
  if (name.empty()) return absl::OkStatus();
  ERR_clear_error();
  bool ok = true;
  if (IsIpAddress(name)) {
    // RFC 6066: SNI carries host names only; an IP is checked against the
    // certificate's IP entries.
    if (verify) {
      ok =
          X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1;
    }
  } else {
    ok = SSL_set_tlsext_host_name(ssl, name.c_str()) == 1;
    if (ok && verify) {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      ok = SSL_set1_host(ssl, name.c_str()) == 1;
    }
  }
  if (!ok) {
    return internal::OpenSslError(absl::StatusCode::kInternal,
                                  absl::StrCat("setting server name ", name));
  }
  return absl::OkStatus();
}

}  // namespace

TlsSocket::TlsSocket() = default;
TlsSocket::TlsSocket(std::unique_ptr<State> state) : state_(std::move(state)) {}
TlsSocket::TlsSocket(TlsSocket&&) noexcept = default;
TlsSocket& TlsSocket::operator=(TlsSocket&& other) noexcept {
  if (this != &other) {
    Close();
    state_ = std::move(other.state_);
  }
  return *this;
}
TlsSocket::~TlsSocket() { Close(); }

absl::StatusOr<TlsSocket> TlsSocket::Wrap(Socket socket,
                                          const TlsContext& context,
                                          bool server) {
  const char* side = server ? "TLS server" : "TLS client";
  if (!context) {
    return absl::InvalidArgumentError(absl::StrCat(side, ": null context"));
  }
  if (context.is_server() != server) {
    return absl::InvalidArgumentError(absl::StrCat(
        side, ": needs a ", server ? "server" : "client", " context"));
  }
  if (!socket.is_open()) {
    return absl::FailedPreconditionError(
        absl::StrCat(side, ": socket is closed"));
  }
  auto state = std::make_unique<State>();
  absl::StatusOr<SocketAddress> peer = socket.PeerAddress();
  state->peer = peer.ok() ? peer->ToString() : "<unknown peer>";
  ERR_clear_error();
  state->ssl.reset(SSL_new(context.native_handle()));
  if (state->ssl == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInternal,
                                  absl::StrCat(side, ": SSL_new"));
  }
  state->bio = internal::NewSocketBio(socket.fd());
  if (state->bio == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInternal,
                                  absl::StrCat(side, ": creating the BIO"));
  }
  SSL_set_bio(state->ssl.get(), state->bio, state->bio);
  if (server) {
    SSL_set_accept_state(state->ssl.get());
  } else {
    SSL_set_connect_state(state->ssl.get());
  }
  state->socket = std::move(socket);
  state->context = context;
  return TlsSocket(std::move(state));
}

absl::StatusOr<TlsSocket> TlsSocket::Server(Socket socket,
                                            const TlsContext& context) {
  return Wrap(std::move(socket), context, /*server=*/true);
}

absl::StatusOr<TlsSocket> TlsSocket::Client(Socket socket,
                                            const TlsContext& context,
                                            absl::string_view server_name) {
  const std::string name(server_name);
  if (name.empty() && context.verifies_peer()) {
    return absl::InvalidArgumentError(
        "TLS client: a server name is required to verify the server");
  }
  absl::StatusOr<SocketAddress> address = socket.PeerAddress();
  absl::StatusOr<TlsSocket> tls = Wrap(std::move(socket), context, false);
  if (!tls.ok()) return tls.status();
  State& state = *tls->state_;
  absl::Status named =
      SetServerName(state.ssl.get(), name, context.verifies_peer());
  if (!named.ok()) return named;
  if (!name.empty()) state.peer = absl::StrCat(name, " (", state.peer, ")");
  if (internal::TlsSessionCache* cache = context.session_cache();
      cache != nullptr && address.ok()) {
    cache->Prepare(state.ssl.get(),
                   absl::StrCat(name.empty() ? address->HostString() : name,
                                ":", address->port()));
  }
  return tls;
}

std::string TlsSocket::Describe(const char* what) const {
  return absl::StrCat(what, " ", state_->peer);
}

absl::Status TlsSocket::Usable(const char* what, bool need_handshake) const {
  if (!is_open()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": socket is closed"));
  }
  if (!state_->failure.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        Describe(what),
        ": connection failed earlier: ", state_->failure.message()));
  }
  if (need_handshake && !state_->handshake_done) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(what), ": handshake not done"));
  }
  return absl::OkStatus();
}

absl::Status TlsSocket::Writable(const char* what) const {
  absl::Status usable = Usable(what, /*need_handshake=*/true);
  if (usable.ok() && state_->write_cut) {
    return absl::FailedPreconditionError(absl::StrCat(
        Describe(what), ": an earlier write failed part-way through a record"));
  }
  return usable;
}

template <typename Op>
absl::StatusOr<int> TlsSocket::Drive(const char* what, absl::Time deadline,
                                     absl::Duration timeout, Op op) {
  State& state = *state_;
  for (;;) {
    if (!state.socket.is_open()) {
      absl::Status closed = state.socket.ClosedError(Describe(what));
      // Close() from another greenlet; a limit gives its own reason.
      return absl::IsFailedPrecondition(closed)
                 ? absl::CancelledError(
                       absl::StrCat(Describe(what), ": socket closed"))
                 : closed;
    }
    // Clear, call, and read the outcome with no switch in between: the
    // error queue is shared by every greenlet of this thread.
    ERR_clear_error();
    const int result = op();
    if (result > 0) {
      state.socket.NoteActivity();  // for an idle timeout (SetLimits)
      return result;
    }
    const int error = SSL_get_error(state.ssl.get(), result);
    absl::Status ready;
    switch (error) {
      case SSL_ERROR_WANT_READ:
        // What OpenSSL wrote (a flight, tickets) must be out before we
        // wait for the answer to it.
        if (internal::SocketBioPending(state.bio) > 0) {
          absl::Status flushed = FlushOutput(what, deadline, timeout);
          if (!flushed.ok()) return flushed;
        }
        ready = state.socket.WaitReadable(internal::Remaining(deadline));
        break;
      case SSL_ERROR_WANT_WRITE:
        ready = state.socket.WaitWritable(internal::Remaining(deadline));
        break;
      case SSL_ERROR_ZERO_RETURN:
        return 0;
      default:
        state.failure = internal::TlsFailure(
            state.ssl.get(), error, internal::SocketBioErrno(state.bio),
            Describe(what));
        return state.failure;
    }
    if (!ready.ok()) return WaitFailure(ready, what, timeout);
  }
}

absl::Status TlsSocket::WaitFailure(const absl::Status& ready, const char* what,
                                    absl::Duration timeout) const {
  if (!state_->socket.is_open()) {
    absl::Status closed = state_->socket.ClosedError(Describe(what));
    if (!absl::IsFailedPrecondition(closed)) return closed;  // a limit's
  }
  if (absl::IsDeadlineExceeded(ready)) {
    return absl::DeadlineExceededError(absl::StrCat(
        Describe(what), ": ", internal::DescribeTimeout(timeout)));
  }
  return absl::Status(ready.code(),
                      absl::StrCat(Describe(what), ": ", ready.message()));
}

absl::Status TlsSocket::FlushOutput(const char* what, absl::Time deadline,
                                    absl::Duration timeout) {
  State& state = *state_;
  for (;;) {
    // The BIO knows only the fd number, which a closed socket gave back.
    if (!state.socket.is_open()) {
      return WaitFailure(absl::CancelledError("socket closed"), what, timeout);
    }
    const int flushed = internal::FlushSocketBio(state.bio);
    if (flushed > 0) return absl::OkStatus();
    if (flushed < 0) {
      state.write_cut = true;
      return ErrnoStatus(internal::SocketBioErrno(state.bio), Describe(what));
    }
    absl::Status ready =
        state.socket.WaitWritable(internal::Remaining(deadline));
    if (!ready.ok()) return WaitFailure(ready, what, timeout);
  }
}

absl::Status TlsSocket::Handshake(Timeout timeout) {
  if (handshake_done()) return absl::OkStatus();
  const char* what = "TLS handshake with";
  absl::Status usable = Usable(what, /*need_handshake=*/false);
  if (!usable.ok()) return usable;
  const absl::Duration limit = timeout.value_or(state_->socket.timeout());
  const absl::Time deadline = internal::DeadlineFor(limit);
  // Each flight leaves in one send (flushed before waiting for the reply).
  internal::SetSocketBioHold(state_->bio, true);
  struct Release {  // also when unwound (a kill, a scoped Timeout)
    BIO* bio;
    ~Release() { internal::SetSocketBioHold(bio, false); }
  };
  absl::StatusOr<int> done;
  {
    Release release{state_->bio};
    done = Drive(what, deadline, limit,
                 [&] { return SSL_do_handshake(state_->ssl.get()); });
  }
  if (!done.ok() || *done == 0) {
    // Best effort, without waiting: the alert that says why.
    if (state_->socket.is_open()) (void)internal::FlushSocketBio(state_->bio);
    if (!done.ok()) return done.status();
    state_->failure = absl::UnavailableError(
        absl::StrCat(Describe(what), ": connection closed by peer"));
    return state_->failure;
  }
  // The last flight goes now (a TLS 1.3 client's Finished, a TLS 1.2
  // server's): the peer waits for it. A TLS 1.3 server's last flight left
  // before it waited for the client's Finished; what is pending now are
  // session tickets, which leave with its first reply, or before it first
  // waits to read (B-LR2).
  if (!SSL_is_server(state_->ssl.get()) ||
      SSL_version(state_->ssl.get()) < TLS1_3_VERSION) {
    absl::Status flushed = FlushOutput(what, deadline, limit);
    if (!flushed.ok()) return flushed;
  }
  state_->handshake_done = true;
  return absl::OkStatus();
}

absl::StatusOr<std::size_t> TlsSocket::ReadInto(void* buffer, std::size_t size,
                                                Timeout timeout) {
  // A peer that is always readable must not let us starve the others.
  // Reads only: a yield before a write could let the peer act (close) on
  // what came before the write, reordering a request/reply exchange.
  internal::MaybeYield();
  const char* what = "TLS read from";
  absl::Status usable = Usable(what, /*need_handshake=*/true);
  if (!usable.ok()) return usable;
  if (size == 0) return 0;
  const absl::Duration limit = timeout.value_or(state_->socket.timeout());
  absl::StatusOr<int> n = Drive(what, internal::DeadlineFor(limit), limit, [&] {
    return SSL_read(state_->ssl.get(), buffer, ClampToInt(size));
  });
  if (!n.ok()) return n.status();
  return static_cast<std::size_t>(*n);
}

absl::StatusOr<std::string> TlsSocket::Read(std::size_t max_size,
                                            Timeout timeout) {
  std::string data(max_size, '\0');
  absl::StatusOr<std::size_t> n = ReadInto(data.data(), max_size, timeout);
  if (!n.ok()) return n.status();
  data.resize(*n);
  return data;
}

absl::StatusOr<std::size_t> TlsSocket::Write(absl::string_view data,
                                             Timeout timeout) {
  const absl::Duration limit = timeout.value_or(
      is_open() ? state_->socket.timeout() : absl::InfiniteDuration());
  return WriteSome(data, internal::DeadlineFor(limit), limit);
}

absl::StatusOr<std::size_t> TlsSocket::WriteSome(absl::string_view data,
                                                 absl::Time deadline,
                                                 absl::Duration timeout) {
  const char* what = "TLS write to";
  absl::Status usable = Writable(what);
  if (!usable.ok()) return usable;
  if (data.empty()) return 0;
  // Until SSL_write completes, OpenSSL may hold a half-sent record and
  // expect the very same write again; callers cannot know that, so a
  // write that fails — or is unwound by a kill or a Timeout — ends the
  // stream.
  state_->write_cut = true;
  absl::StatusOr<int> n = Drive(what, deadline, timeout, [&] {
    return SSL_write(state_->ssl.get(), data.data(), ClampToInt(data.size()));
  });
  if (!n.ok()) return n.status();
  if (*n == 0) {
    return absl::UnavailableError(
        absl::StrCat(Describe(what), ": the TLS session is closed"));
  }
  if (internal::SocketBioPending(state_->bio) > 0) {
    absl::Status flushed = FlushOutput(what, deadline, timeout);
    if (!flushed.ok()) return flushed;
  }
  state_->write_cut = false;
  return static_cast<std::size_t>(*n);
}

absl::Status TlsSocket::WriteAll(absl::string_view data, Timeout timeout) {
  const absl::Duration limit = timeout.value_or(
      is_open() ? state_->socket.timeout() : absl::InfiniteDuration());
  const absl::Time deadline = internal::DeadlineFor(limit);
  do {
    absl::StatusOr<std::size_t> n = WriteSome(data, deadline, limit);
    if (!n.ok()) return n.status();
    data.remove_prefix(*n);
  } while (!data.empty());
  return absl::OkStatus();
}

absl::Status TlsSocket::Shutdown(Timeout timeout) {
  const char* what = "TLS shutdown with";
  absl::Status usable = Writable(what);
  if (!usable.ok()) return usable;
  const absl::Duration limit = timeout.value_or(state_->socket.timeout());
  const absl::Time deadline = internal::DeadlineFor(limit);
  // 0 means "close_notify sent, the peer's not yet seen": all we wait for.
  absl::StatusOr<int> done = Drive(what, deadline, limit, [&] {
    const int r = SSL_shutdown(state_->ssl.get());
    return r >= 0 ? 1 : r;
  });
  if (!done.ok()) return done.status();
  return FlushOutput(what, deadline, limit);
}

void TlsSocket::Close() {
  if (state_ != nullptr) state_->socket.Close();
}

bool TlsSocket::is_open() const {
  return state_ != nullptr && state_->socket.is_open();
}
bool TlsSocket::handshake_done() const {
  return state_ != nullptr && state_->handshake_done;
}

std::string TlsSocket::alpn() const {
  if (state_ == nullptr) return "";
  const unsigned char* data = nullptr;
  unsigned int size = 0;
  SSL_get0_alpn_selected(state_->ssl.get(), &data, &size);
  return std::string(reinterpret_cast<const char*>(data), size);
}

std::string TlsSocket::protocol_version() const {
  return state_ != nullptr ? SSL_get_version(state_->ssl.get()) : "";
}

std::string TlsSocket::peer_subject() const {
  if (state_ == nullptr) return "";
  X509* cert = SSL_get0_peer_certificate(state_->ssl.get());
  if (cert == nullptr) return "";
  internal::BioPtr out(BIO_new(BIO_s_mem()));
  if (out == nullptr) return "";
  X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0,
                     XN_FLAG_RFC2253);
  char* text = nullptr;
  const long size = BIO_get_mem_data(out.get(), &text);
  return std::string(text, size);
}

bool TlsSocket::session_reused() const {
  return state_ != nullptr && SSL_session_reused(state_->ssl.get()) == 1;
}

Socket& TlsSocket::socket() { return state_->socket; }
const Socket& TlsSocket::socket() const { return state_->socket; }
SSL* TlsSocket::native_handle() const {
  return state_ != nullptr ? state_->ssl.get() : nullptr;
}

absl::StatusOr<TlsSocket> TlsConnect(Socket socket, const TlsContext& context,
                                     absl::string_view server_name,
                                     TlsSocket::Timeout timeout) {
  absl::StatusOr<TlsSocket> tls =
      TlsSocket::Client(std::move(socket), context, server_name);
  if (!tls.ok()) return tls.status();
  absl::Status status = tls->Handshake(timeout);
  if (!status.ok()) return status;
  return tls;
}

absl::StatusOr<TlsSocket> TlsAccept(Socket socket, const TlsContext& context,
                                    TlsSocket::Timeout timeout) {
  absl::StatusOr<TlsSocket> tls = TlsSocket::Server(std::move(socket), context);
  if (!tls.ok()) return tls.status();
  absl::Status status = tls->Handshake(timeout);
  if (!status.ok()) return status;
  return tls;
}

}  // namespace evergreen
