// ServerConnection: one client connection of an RpcServer (TCP or TLS):
// reads request frames, dispatches each call to its service actor without
// waiting for it (calls are pipelined and answered out of order), and
// writes replies from a writer greenlet of its own.
//
// Bad input never crashes or wedges the server (B-RPC1, B-RPC2): a frame
// over the limit or that does not parse is answered by an error frame
// (call id 0: ResourceExhausted / InvalidArgument) and the connection is
// closed; an unknown method or an unparseable request fails that call
// only. A client that does not read its replies gets them buffered up to
// max_buffered_output, then the connection is closed. When the client
// goes away, the calls still queued are cancelled (they do not run) and
// running handlers see CallContext::cancelled().
//
// Thread affinity: the server's hub; Serve runs in the connection's
// greenlet.
#ifndef EVERGREEN_ACTORS_TRANSPORT_SERVER_CONNECTION_H_
#define EVERGREEN_ACTORS_TRANSPORT_SERVER_CONNECTION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "actors/service/call_context.h"
#include "actors/service/payload.h"
#include "actors/transport/byte_stream.h"
#include "actors/transport/service_table.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "proto/frame_codec.h"

namespace evergreen {

struct ConnectionLimits {
  std::size_t max_frame_size = kDefaultMaxFrameSize;
  // Reply bytes waiting for a client that does not read; over it the
  // connection is closed.
  std::size_t max_buffered_output = std::size_t{16} << 20;
  // One write of buffered replies may take this long.
  absl::Duration write_timeout = absl::Seconds(30);
};

class ServerConnection
    : public std::enable_shared_from_this<ServerConnection> {
 public:
  // Takes the stream: the writer greenlet may outlive Serve by a hub turn
  // (it is woken and unwound by Close), so the stream must outlive it.
  ServerConnection(std::unique_ptr<ByteStream> stream,
                   const ServiceTable& table, ConnectionLimits limits);
  ~ServerConnection();
  ServerConnection(const ServerConnection&) = delete;
  ServerConnection& operator=(const ServerConnection&) = delete;

  // Serves the connection until the client closes it, it fails, or a
  // drain completes. Blocks (the calling greenlet: the connection's).
  void Serve();

  // Graceful end: reads no more requests; Serve returns once the calls in
  // flight are answered and written. Never blocks.
  void Drain();

  std::size_t calls_in_flight() const { return in_flight_.size(); }

 private:
  void HandleFrame(rpc::Frame& frame);
  void Reply(std::uint64_t call_id, absl::StatusOr<Payload> outcome);
  void Queue(const rpc::Frame& frame);
  // Closes the stream: the reader and writer wake and Serve ends.
  void Abort();
  void WriterLoop();

  std::unique_ptr<ByteStream> stream_;
  const ServiceTable& table_;
  ConnectionLimits limits_;
  FrameDecoder decoder_;
  absl::flat_hash_map<std::uint64_t, std::shared_ptr<CallState>> in_flight_;
  std::string out_;
  Event out_ready_;     // out_ has bytes, or the writer should finish
  Event all_answered_;  // in_flight_ became empty while draining
  Greenlet<void> writer_;
  bool draining_ = false;
  bool finishing_ = false;  // the writer ends once out_ is written
  bool closed_ = false;     // Serve returned: replies are dropped
};

}  // namespace evergreen

#endif  // EVERGREEN_ACTORS_TRANSPORT_SERVER_CONNECTION_H_
