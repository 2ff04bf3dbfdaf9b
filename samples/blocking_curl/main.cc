// A blocking C library made cooperative by the syscall hooks: libcurl's
// easy API, which blocks its thread in poll() until the server answers,
// runs in 20 greenlets at once against a server on the same thread that
// takes 200 ms per answer — about 0.2 s in all instead of 4 s — while a
// ticker greenlet keeps ticking. Then 20 plain sleep(1) calls take 1 s.
//
//   bazel run //samples/blocking_curl
#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "framework/greenlet.h"
#include "framework/hooks.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "net/http/server.h"

namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// Ordinary blocking code, written for threads, knowing nothing of greenlets.
std::string Fetch(const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return code == CURLE_OK ? body : curl_easy_strerror(code);
}

}  // namespace

int main() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  evergreen::hooks::Enable();  // gevent's patch_all()
  std::printf("hooks linked: %s\n",
              evergreen::hooks::Linked() ? "yes" : "NO (nothing interposed)");

  evergreen::HttpServer server(
      *evergreen::SocketAddress::Parse("127.0.0.1:0"),
      [](evergreen::HttpRequest&, evergreen::HttpResponse& response) {
        evergreen::Sleep(absl::Milliseconds(200));  // a slow backend
        (void)response.Send(200, "hello from a slow server\n");
      });
  if (!server.Start().ok()) return 1;
  const std::string url =
      "http://127.0.0.1:" + std::to_string(server.address().port()) + "/";

  int ticks = 0;
  auto ticker = evergreen::Spawn([&] {
    for (;;) {
      evergreen::Sleep(absl::Milliseconds(10));
      ++ticks;
    }
  });

  absl::Time start = absl::Now();
  std::vector<evergreen::Greenlet<std::string>> fetches;
  for (int i = 0; i < 20; ++i) fetches.push_back(evergreen::Spawn(Fetch, url));
  int ok = 0;
  for (auto& fetch : fetches) ok += fetch.Get() == "hello from a slow server\n";
  std::printf("20 libcurl fetches of a 200 ms page: %d ok in %s, %d ticks\n",
              ok, absl::FormatDuration(absl::Now() - start).c_str(), ticks);

  start = absl::Now();
  std::vector<evergreen::Greenlet<unsigned>> sleepers;
  for (int i = 0; i < 20; ++i) {
    sleepers.push_back(evergreen::Spawn([] { return sleep(1); }));
  }
  for (auto& sleeper : sleepers) sleeper.Join();
  std::printf("20 blocking sleep(1) calls: %s\n",
              absl::FormatDuration(absl::Now() - start).c_str());

  ticker.Kill();
  server.Stop(absl::Seconds(5));
  curl_global_cleanup();
  return ok == 20 ? 0 : 1;
}
