// The system llhttp builds and links, and parses strictly by default.
#include "llhttp.h"

#include <cstring>

#include "gtest/gtest.h"

namespace {

llhttp_errno_t Parse(const char* request) {
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  llhttp_t parser;
  llhttp_init(&parser, HTTP_REQUEST, &settings);
  return llhttp_execute(&parser, request, std::strlen(request));
}

TEST(LlhttpTest, ParsesARequest) {
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), HPE_OK);
}

TEST(LlhttpTest, RejectsContentLengthWithChunkedByDefault) {
  EXPECT_NE(Parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n"),
            HPE_OK);
}

}  // namespace
