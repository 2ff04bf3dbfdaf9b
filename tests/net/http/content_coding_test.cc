// Accept-Encoding negotiation and gzip for response bodies.
#include "net/http/content_coding.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/net/http/gzip_testing.h"

namespace evergreen {
namespace {

bool Accepts(absl::string_view accept_encoding) {
  HttpHeaders headers = {{"Accept-Encoding", accept_encoding}};
  return AcceptsCoding(headers, "gzip");
}

TEST(ContentCodingTest, AcceptEncodingListsAndQValues) {
  EXPECT_TRUE(Accepts("gzip"));
  EXPECT_TRUE(Accepts("br, GZIP"));
  EXPECT_TRUE(Accepts("deflate, gzip;q=0.5"));
  EXPECT_TRUE(Accepts("*"));
  EXPECT_FALSE(Accepts("br, deflate"));
  EXPECT_FALSE(Accepts("gzip;q=0"));
  EXPECT_FALSE(Accepts("gzip; q=0.000"));
  // The coding's own entry outranks "*", both ways.
  EXPECT_FALSE(Accepts("gzip;q=0, *"));
  EXPECT_TRUE(Accepts("*;q=0, gzip"));
  EXPECT_FALSE(Accepts("gzipped"));
  EXPECT_FALSE(AcceptsCoding(HttpHeaders(), "gzip"));
  // Several fields count as one list.
  HttpHeaders two = {{"Accept-Encoding", "br"}, {"accept-encoding", "gzip"}};
  EXPECT_TRUE(AcceptsCoding(two, "gzip"));
}

TEST(ContentCodingTest, GzipCompressRoundTrips) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "repetitive text ";
  const std::string compressed = GzipCompress(text);
  EXPECT_LT(compressed.size(), text.size() / 10);
  EXPECT_EQ(testing::Gunzip(compressed), text);
  EXPECT_EQ(testing::Gunzip(GzipCompress("")), "");
}

}  // namespace
}  // namespace evergreen
