// ServerThread: an HttpServer on a thread (and hub) of its own, so a test
// can block its own thread on a child process (curl, nginx) while the
// server serves.
#ifndef EVERGREEN_TESTS_NET_HTTP_SERVER_THREAD_H_
#define EVERGREEN_TESTS_NET_HTTP_SERVER_THREAD_H_

#include <future>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "net/http/server.h"

namespace evergreen {

class ServerThread {
 public:
  explicit ServerThread(HttpHandler handler, HttpServerOptions options = {}) {
    std::promise<std::string> ready;
    thread_ = std::thread([this, &ready, &handler, &options] {
      HttpServer server(*SocketAddress::Parse("127.0.0.1:0"),
                        std::move(handler), options);
      absl::Status started = server.Start();
      server_ = &server;
      hub_ = Hub::Current();
      ready.set_value(started.ok() ? server.address().ToString() : "");
      if (started.ok()) server.ServeForever().IgnoreError();
      server_ = nullptr;
    });
    address_ = ready.get_future().get();
  }
  ~ServerThread() {
    if (!address_.empty()) {
      hub_->Post([this] {
        Spawn([this] { server_->Stop(absl::Seconds(5)); });
      });
    }
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  // "127.0.0.1:port", or "" when the server did not start.
  const std::string& address() const { return address_; }
  std::string Url(absl::string_view path) const {
    return absl::StrCat("http://", address_, path);
  }

 private:
  std::thread thread_;
  std::string address_;
  Hub* hub_ = nullptr;
  HttpServer* server_ = nullptr;
};

}  // namespace evergreen

#endif  // EVERGREEN_TESTS_NET_HTTP_SERVER_THREAD_H_
