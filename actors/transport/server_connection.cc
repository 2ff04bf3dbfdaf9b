#include "actors/transport/server_connection.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "actors/service/handler_call.h"
#include "actors/transport/frames.h"

namespace evergreen {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// How long a finished connection may take to write its last replies.
constexpr absl::Duration kFinalFlush = absl::Seconds(5);

rpc::Frame ErrorReply(std::uint64_t call_id, const absl::Status& status) {
  return ReplyFrame(call_id, status);
}

}  // namespace

ServerConnection::ServerConnection(std::unique_ptr<ByteStream> stream,
                                   const ServiceTable& table,
                                   ConnectionLimits limits)
    : stream_(std::move(stream)),
      table_(table),
      limits_(limits),
      decoder_(limits.max_frame_size) {}

ServerConnection::~ServerConnection() = default;

void ServerConnection::Serve() {
  writer_ = Spawn([self = shared_from_this()] { self->WriterLoop(); });
  // Whatever ends Serve (the client, an error, a kill from Stop), the
  // writer must not outlive the stream it writes to.
  struct Cleanup {
    ServerConnection* self;
    ~Cleanup() {
      self->closed_ = true;
      // Calls still queued do not run; running ones see cancelled().
      for (auto& [id, state] : self->in_flight_) {
        CancelCall(state, absl::UnavailableError(
                              "the connection to the client was closed"));
      }
      self->in_flight_.clear();
      // Wakes the writer if it is blocked on the stream; it unwinds on its
      // own and releases the connection (and so the stream) last.
      self->stream_->Close();
      self->writer_.Kill(nullptr, /*block=*/false);
    }
  } cleanup{this};

  std::vector<char> buffer(kReadChunk);
  rpc::Frame frame;
  for (;;) {
    absl::StatusOr<std::size_t> n = stream_->ReadSome(buffer.data(), buffer.size());
    if (!n.ok() || *n == 0) break;
    decoder_.Feed(absl::string_view(buffer.data(), *n));
    absl::StatusOr<bool> next;
    while ((next = decoder_.Next(&frame)).ok() && *next) HandleFrame(frame);
    if (!next.ok()) {
      // B-RPC2: say why, then close; nothing more is read.
      Queue(ErrorReply(0, next.status()));
      break;
    }
    if (closed_) break;
  }
  if (draining_ && !in_flight_.empty()) {
    all_answered_.Wait(kFinalFlush);
  }
  if (!closed_) {
    finishing_ = true;
    out_ready_.Set();
    writer_.Join(kFinalFlush);
  }
}

void ServerConnection::Drain() {
  draining_ = true;
  stream_->StopReading();
}

void ServerConnection::HandleFrame(rpc::Frame& frame) {
  const std::uint64_t id = frame.call_id();
  switch (frame.kind()) {
    case rpc::Frame::REQUEST:
      break;
    case rpc::Frame::CANCEL: {
      auto it = in_flight_.find(id);
      if (it != in_flight_.end()) {
        CancelCall(it->second, absl::CancelledError("cancelled by the client"));
      }
      return;
    }
    default:
      Queue(ErrorReply(id, absl::InvalidArgumentError(absl::StrCat(
                               "unexpected frame kind ", frame.kind(),
                               " from a client"))));
      return;
  }
  if (draining_) {
    Queue(ErrorReply(id, absl::UnavailableError("server is shutting down")));
    return;
  }
  if (in_flight_.contains(id)) {
    Queue(ErrorReply(id, absl::InvalidArgumentError(absl::StrCat(
                             "call id ", id, " is already in flight"))));
    return;
  }
  auto state = std::make_shared<CallState>();
  state->peer = stream_->peer();
  state->deadline = DeadlineFromWire(frame.timeout_us());
  state->metadata.insert(frame.metadata().begin(), frame.metadata().end());
  in_flight_.emplace(id, state);
  Payload request;
  request.bytes = std::move(*frame.mutable_payload());
  std::weak_ptr<ServerConnection> weak = weak_from_this();
  table_.Dispatch(frame.method(), std::move(request), std::move(state),
                  [weak, id](absl::StatusOr<Payload> outcome) {
                    if (auto self = weak.lock()) {
                      self->Reply(id, std::move(outcome));
                    }
                  });
}

void ServerConnection::Reply(std::uint64_t call_id,
                             absl::StatusOr<Payload> outcome) {
  if (closed_) return;
  in_flight_.erase(call_id);
  if (draining_ && in_flight_.empty()) all_answered_.Set();
  Queue(ReplyFrame(call_id, std::move(outcome)));
}

void ServerConnection::Queue(const rpc::Frame& frame) {
  if (closed_) return;
  absl::Status appended = AppendFrame(frame, &out_, limits_.max_frame_size);
  if (!appended.ok()) {
    // The reply is over the limit: the call fails, the connection lives.
    appended = AppendFrame(
        ErrorReply(frame.call_id(),
                   absl::ResourceExhaustedError(absl::StrCat(
                       "reply: ", appended.message()))),
        &out_, limits_.max_frame_size);
  }
  if (out_.size() > limits_.max_buffered_output) {
    // The client is not reading: stop buffering for it.
    Abort();
    return;
  }
  out_ready_.Set();
}

void ServerConnection::Abort() {
  closed_ = true;
  out_.clear();
  stream_->Close();
}

void ServerConnection::WriterLoop() {
  std::string batch;
  for (;;) {
    while (out_.empty()) {
      if (finishing_ || closed_) return;
      out_ready_.Clear();
      out_ready_.Wait();
    }
    batch.clear();
    batch.swap(out_);
    if (!stream_->WriteAll(batch, limits_.write_timeout).ok()) {
      Abort();
      return;
    }
  }
}

}  // namespace evergreen
