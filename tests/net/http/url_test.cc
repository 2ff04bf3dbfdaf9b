// HttpUrl parsing and HttpHeaders lookup/validation.
#include "net/http/url.h"

#include "gtest/gtest.h"
#include "net/http/headers.h"

namespace evergreen {
namespace {

TEST(HttpUrlTest, SplitsSchemeHostPortAndTarget) {
  absl::StatusOr<HttpUrl> url = HttpUrl::Parse("http://example.com/a?b=c#frag");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_FALSE(url->tls);
  EXPECT_EQ(url->host, "example.com");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->target, "/a?b=c");
  EXPECT_EQ(url->HostHeader(), "example.com");

  url = HttpUrl::Parse("HTTPS://[::1]:8443");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_TRUE(url->tls);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->target, "/");
  EXPECT_EQ(url->HostHeader(), "[::1]:8443");
  EXPECT_EQ(url->Origin(), "https://[::1]:8443");

  url = HttpUrl::Parse("http://h?q");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->target, "/?q");
}

TEST(HttpUrlTest, RefusesWhatAClientMustNotSend) {
  for (const char* bad :
       {"example.com/", "ftp://h/", "http://", "http://:80/", "http://u:p@h/",
        "http://h:0/", "http://h:70000/", "http://h:x/", "http://[::1/",
        "http://h/a b", "http://h/\r\nX: y"}) {
    SCOPED_TRACE(bad);
    absl::StatusOr<HttpUrl> url = HttpUrl::Parse(bad);
    ASSERT_FALSE(url.ok());
    EXPECT_TRUE(absl::IsInvalidArgument(url.status()));
    EXPECT_NE(url.status().message().find("bad URL"), std::string::npos);
  }
}

TEST(HttpHeadersTest, CaseInsensitiveLookupAndTokens) {
  HttpHeaders headers = {{"Content-Type", "text/plain"},
                         {"Connection", "keep-alive, Close"},
                         {"X-A", "1"}};
  headers.Add("x-a", "2");
  EXPECT_EQ(headers.Get("content-type"), "text/plain");
  EXPECT_EQ(headers.Get("X-A"), "1");
  EXPECT_EQ(headers.Count("x-a"), 2);
  EXPECT_TRUE(headers.HasToken("connection", "close"));
  EXPECT_FALSE(headers.HasToken("connection", "upgrade"));
  headers.Set("X-a", "3");
  EXPECT_EQ(headers.Count("X-A"), 1);
  EXPECT_EQ(headers.Get("x-a"), "3");
  EXPECT_EQ(headers.Remove("X-A"), 1);
  EXPECT_FALSE(headers.Get("X-A").has_value());
}

TEST(HttpHeadersTest, ValidationRefusesInjection) {
  EXPECT_TRUE(ValidateHeaderField("X-Ok", "a\tb c").ok());
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateHeaderField("X", "a\r\nY: b")));
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateHeaderField("X", "a\nb")));
  EXPECT_TRUE(absl::IsInvalidArgument(
      ValidateHeaderField("X", absl::string_view("a\0b", 3))));
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateHeaderField("Bad Name", "v")));
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateHeaderField("", "v")));
  EXPECT_TRUE(absl::IsInvalidArgument(ValidateHeaderField("X:", "v")));
}

}  // namespace
}  // namespace evergreen
