// Memory that comes back after a burst (B-LR1): the echo sample, run as a
// child process, takes a burst of concurrent connections (2,000 plain TCP;
// 500 TLS); once they have closed its resident memory returns near where
// it was before. Prints before / peak / after.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "framework/event.h"
#include "framework/greenlet.h"
#include "framework/hub.h"
#include "framework/io_watcher.h"
#include "gtest/gtest.h"
#include "net/socket.h"
#include "net/tls_socket.h"
#include "tests/net/test_certs.h"

extern char** environ;

namespace evergreen {
namespace {

constexpr absl::Duration kPatience = absl::Seconds(20);

// The echo sample in a child process, its stdout read by a greenlet that
// counts "left" lines (one per connection that ended).
class EchoChild {
 public:
  explicit EchoChild(std::vector<std::string> args) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    const std::string binary = "samples/echo/echo";
    args.insert(args.begin(), binary);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr,
                                    argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (spawned != 0) {
      close(out[0]);
      pid_ = -1;
      return;
    }
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    out_ = out[0];
    reader_ = Spawn([this] { ReadLines(); });
  }
  ~EchoChild() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    reader_.Kill();
    if (out_ >= 0) close(out_);
  }

  // The address from "echo server on 127.0.0.1:N", once printed.
  absl::StatusOr<SocketAddress> Address() {
    if (!started_.Wait(kPatience)) {
      return absl::DeadlineExceededError("echo sample did not start");
    }
    return SocketAddress::Parse(address_);
  }
  // Blocks until `count` connections have ended in the child.
  bool WaitLeft(int count) {
    const absl::Time deadline = absl::Now() + kPatience;
    while (left_ < count && absl::Now() < deadline) {
      left_changed_.Wait(deadline - absl::Now());
      left_changed_.Clear();
    }
    return left_ >= count;
  }
  // The child's resident set, in KiB (from /proc/PID/statm).
  long ResidentKiB() const {
    std::ifstream in(absl::StrCat("/proc/", pid_, "/statm"));
    long size = 0, resident = 0;
    in >> size >> resident;
    return resident * (getpagesize() / 1024);
  }

 private:
  void ReadLines() {
    IoWatcher io(out_);
    std::string buffer;
    char chunk[4096];
    for (;;) {
      const ssize_t n = read(out_, chunk, sizeof chunk);
      if (n == 0) return;
      if (n < 0) {
        if (errno != EAGAIN || !io.Wait(IoWatcher::kRead).ok()) return;
        continue;
      }
      buffer.append(chunk, n);
      std::size_t end;
      while ((end = buffer.find('\n')) != std::string::npos) {
        const std::string line = buffer.substr(0, end);
        buffer.erase(0, end + 1);
        if (line.rfind("echo server", 0) == 0) {
          address_ = line.substr(line.rfind(' ') + 1);
          started_.Set();
        } else if (line.size() > 5 && line.substr(line.size() - 5) == " left") {
          ++left_;
          left_changed_.Set();
        }
      }
    }
  }

  pid_t pid_ = -1;
  int out_ = -1;
  Greenlet<void> reader_;
  std::string address_;
  Event started_;
  int left_ = 0;
  Event left_changed_;
};

struct Rss {
  long before = 0, peak = 0, after = 0;
};

// `count` clients connect at once (through `open`, which returns a
// connected, ready-to-echo stream), each does one round trip, all wait
// until everyone has, then all close. Measures the child around it.
template <typename Open>
Rss Burst(EchoChild& child, int count, int warmup, Open open) {
  Rss rss;
  auto run = [&](int n, long* peak) {
    int ready = 0;
    int failed = 0;
    Event all_ready, release;
    std::vector<Greenlet<void>> clients;
    for (int i = 0; i < n; ++i) {
      clients.push_back(Spawn([&] {
        auto stream = open();
        const bool ok = stream.has_value() && stream->RoundTrip("ping");
        if (!ok) ++failed;
        if (++ready == n) all_ready.Set();
        release.Wait(kPatience);
        if (stream.has_value()) stream->Close();
      }));
    }
    EXPECT_TRUE(all_ready.Wait(kPatience));
    EXPECT_EQ(failed, 0);
    if (peak != nullptr) *peak = child.ResidentKiB();
    release.Set();
    for (auto& client : clients) client.Join();
  };
  run(warmup, nullptr);
  EXPECT_TRUE(child.WaitLeft(warmup));
  rss.before = child.ResidentKiB();
  run(count, &rss.peak);
  EXPECT_TRUE(child.WaitLeft(warmup + count));
  // The child trims as its last connection ends, just after printing
  // "left": take the lowest of a few samples over a bounded time.
  rss.after = child.ResidentKiB();
  for (int i = 0; i < 50; ++i) {
    Sleep(absl::Milliseconds(20));
    rss.after = std::min(rss.after, child.ResidentKiB());
  }
  return rss;
}

struct PlainStream {
  Socket socket;
  bool RoundTrip(const std::string& message) {
    if (!socket.SendAll(message, kPatience).ok()) return false;
    absl::StatusOr<std::string> back = socket.Recv(64, kPatience);
    return back.ok() && *back == message;
  }
  void Close() { socket.Close(); }
};

struct TlsStream {
  TlsSocket tls;
  bool RoundTrip(const std::string& message) {
    if (!tls.WriteAll(message, kPatience).ok()) return false;
    absl::StatusOr<std::string> back = tls.Read(64, kPatience);
    return back.ok() && *back == message;
  }
  void Close() {
    (void)tls.Shutdown(absl::Seconds(1));
    tls.Close();
  }
};

void Report(const char* what, const Rss& rss) {
  std::printf("%s: RSS before %ld KiB, peak %ld KiB, after %ld KiB\n", what,
              rss.before, rss.peak, rss.after);
}

// B-LR1: 2,000 concurrent plain TCP connections.
TEST(BurstMemoryTest, PlainEchoReturnsNearItsSizeAfterABurst) {
  EchoChild child({"--port=0"});
  absl::StatusOr<SocketAddress> address = child.Address();
  ASSERT_TRUE(address.ok()) << address.status();
  const Rss rss = Burst(child, 2000, 100, [&]() -> std::optional<PlainStream> {
    absl::StatusOr<Socket> socket = Socket::Connect(*address, kPatience);
    if (!socket.ok()) return std::nullopt;
    return PlainStream{*std::move(socket)};
  });
  Report("2,000 TCP connections", rss);
  EXPECT_GT(rss.peak, rss.before);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(rss.after, rss.before + rss.before / 4 + 1024);  // generous
#endif
}

// B-LR1 over TLS: 500 concurrent TLS 1.3 connections.
TEST(BurstMemoryTest, TlsEchoReturnsNearItsSizeAfterABurst) {
  const TestPki& pki = TestCertificates();
  const std::string dir = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR")
                                                     : "/tmp";
  const std::string cert = dir + "/burst_cert.pem", key = dir + "/burst_key.pem";
  std::ofstream(cert) << pki.server.cert_pem;
  std::ofstream(key) << pki.server.key_pem;
  EchoChild child({"--port=0", "--tls-cert=" + cert, "--tls-key=" + key});
  absl::StatusOr<SocketAddress> address = child.Address();
  ASSERT_TRUE(address.ok()) << address.status();
  absl::StatusOr<TlsContext> context =
      TlsContext::Client({.ca = PemSource::Text(pki.ca_pem)});
  ASSERT_TRUE(context.ok()) << context.status();
  const Rss rss = Burst(child, 500, 50, [&]() -> std::optional<TlsStream> {
    absl::StatusOr<Socket> socket = Socket::Connect(*address, kPatience);
    if (!socket.ok()) return std::nullopt;
    absl::StatusOr<TlsSocket> tls =
        TlsConnect(*std::move(socket), *context, "localhost", kPatience);
    if (!tls.ok()) return std::nullopt;
    return TlsStream{*std::move(tls)};
  });
  Report("500 TLS connections", rss);
  EXPECT_GT(rss.peak, rss.before);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_LT(rss.after, rss.before + rss.before / 4 + 1024);  // generous
#endif
}

}  // namespace
}  // namespace evergreen
