// The key proof of the syscall hooks (B-OS3): libcurl, a blocking client
// nobody here wrote, linked from Debian's shared library and unmodified,
// becomes cooperative. Its calls into libc (poll, recv, send, connect)
// resolve to framework/hooks.h's definitions, so 100 greenlets each running
// curl_easy_perform against a server that answers after a delay finish in
// about one delay, not 100, while a timer on the same hub keeps firing.
#include <curl/curl.h>

#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "framework/greenlet.h"
#include "framework/hooks.h"
#include "framework/hub.h"
#include "framework/waiter.h"
#include "gtest/gtest.h"
#include "net/http/server.h"

namespace evergreen {
namespace {

constexpr absl::Duration kServerDelay = absl::Milliseconds(300);
constexpr int kClients = 100;

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One blocking fetch with curl's easy API, as any threaded program does it.
std::string Fetch(const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return code == CURLE_OK ? body : std::string(curl_easy_strerror(code));
}

TEST(HooksCurlTest, HundredBlockingFetchesTakeAboutOneServerDelay) {
  ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
  hooks::Enable();
  ASSERT_TRUE(hooks::Linked());
  HttpServer server(*SocketAddress::Parse("127.0.0.1:0"),
                    [](HttpRequest&, HttpResponse& response) {
                      Sleep(kServerDelay);
                      (void)response.Send(200, "slow hello\n");
                    });
  ASSERT_TRUE(server.Start().ok());
  const std::string url =
      "http://127.0.0.1:" + std::to_string(server.address().port()) + "/";
  int ticks = 0;
  auto ticker = Spawn([&] {
    for (;;) {
      Sleep(absl::Milliseconds(20));
      ++ticks;
    }
  });
  const unsigned long long waits_before = hooks::CooperativeWaits();
  const absl::Time start = absl::Now();
  std::vector<Greenlet<std::string>> fetches;
  for (int i = 0; i < kClients; ++i) fetches.push_back(Spawn(Fetch, url));
  for (auto& fetch : fetches) EXPECT_EQ(fetch.Get(), "slow hello\n");
  const absl::Duration took = absl::Now() - start;
  // Serially: 100 x 300 ms = 30 s. Together: about one delay.
  EXPECT_LT(took, absl::Seconds(10)) << took;
  // Each fetch waited in hooked calls made from inside libcurl.so.
  EXPECT_GE(hooks::CooperativeWaits() - waits_before,
            static_cast<unsigned long long>(kClients));
  EXPECT_GE(ticks, 3) << "the timer stalled while curl ran";
  ticker.Kill();
  server.Stop(absl::Seconds(5));
  hooks::Disable();
  Hub::DestroyCurrent();
  curl_global_cleanup();
}

}  // namespace
}  // namespace evergreen
