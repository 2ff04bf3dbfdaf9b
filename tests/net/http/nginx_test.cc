// HttpClient against a real nginx (nginx-light) on a loopback port, started
// by the test with a temporary configuration: keep-alive reuse, a chunked
// upload, a chunked (gzip) response, HEAD. Skipped with a message when
// nginx is not installed.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "net/http/client.h"

extern char** environ;

namespace evergreen {
namespace {

constexpr char kNginx[] = "/usr/sbin/nginx";

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool ok =
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

class NginxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (access(kNginx, X_OK) != 0) {
      GTEST_SKIP() << "nginx is not installed (" << kNginx
                   << "): apt-get install nginx-light to run this test";
    }
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/nginx-", getpid());
    ASSERT_EQ(system(absl::StrCat("mkdir -p ", dir_).c_str()), 0);
    port_ = FreePort();
    ASSERT_NE(port_, 0);
    std::ofstream(dir_ + "/nginx.conf") << absl::StrCat(
        "worker_processes 1; daemon off; master_process off;\n",
        // As root nginx would hand its temp folders to "nobody", which a
        // sandbox may not know: stay who we are.
        geteuid() == 0 ? "user root root;\n" : "",
        "pid ", dir_, "/nginx.pid; error_log ", dir_, "/error.log error;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "  access_log off;\n"
        "  client_body_temp_path ", dir_, "/body;\n"
        "  proxy_temp_path ", dir_, "/proxy;\n"
        "  fastcgi_temp_path ", dir_, "/fastcgi;\n"
        "  uwsgi_temp_path ", dir_, "/uwsgi;\n"
        "  scgi_temp_path ", dir_, "/scgi;\n"
        "  gzip on; gzip_types text/plain; gzip_min_length 0;\n"
        "  server {\n"
        "    listen 127.0.0.1:", port_, ";\n"
        "    default_type text/plain;\n"
        "    location /hello { return 200 \"hello from nginx\\n\"; }\n"
        "    location /te { return 200 \"te=$http_transfer_encoding\"; }\n"
        "  }\n"
        "}\n");
    std::string conf = dir_ + "/nginx.conf";
    std::vector<char*> argv = {const_cast<char*>(kNginx),
                               const_cast<char*>("-c"), conf.data(),
                               const_cast<char*>("-p"), dir_.data(), nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                     O_RDONLY, 0);
    ASSERT_EQ(posix_spawn(&pid_, kNginx, &actions, nullptr, argv.data(),
                          environ),
              0);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 500 && !Accepts(port_); ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;  // exited
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(Accepts(port_)) << "nginx did not start; see " << dir_;
  }

  void TearDown() override {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }

  std::string Url(absl::string_view path) {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }

  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST_F(NginxTest, KeepAliveChunkedBothWaysAndHead) {
  HttpClient client;
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<HttpResult> got = client.Get(Url("/hello"));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->body, "hello from nginx\n");
    EXPECT_EQ(client.idle_connections(), 1);
  }

  int pieces = 3;
  HttpClientRequest upload;
  upload.method = "POST";
  upload.url = Url("/te");
  upload.body_stream = [&]() -> absl::StatusOr<std::string> {
    return pieces-- > 0 ? std::string(1000, 'u') : std::string();
  };
  absl::StatusOr<HttpResult> got = client.Fetch(std::move(upload));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "te=chunked");

  // gzip makes nginx stream the body with chunked framing.
  HttpClientRequest gzipped;
  gzipped.url = Url("/hello");
  gzipped.headers.Add("Accept-Encoding", "gzip");
  got = client.Fetch(std::move(gzipped));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->headers.Get("Transfer-Encoding"), "chunked");
  ASSERT_GE(got->body.size(), 2u);
  EXPECT_EQ(got->body.substr(0, 2), "\x1f\x8b");

  got = client.Fetch({.method = "HEAD", .url = Url("/hello")});
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "");
  got = client.Get(Url("/hello"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->body, "hello from nginx\n");
  EXPECT_EQ(client.idle_connections(), 1);
}

}  // namespace
}  // namespace evergreen
