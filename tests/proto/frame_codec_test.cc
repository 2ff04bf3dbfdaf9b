// The frame codec on well-formed, oversized, garbage and truncated input
// (B-RPC2 at the codec level).
#include "proto/frame_codec.h"

#include <string>

#include "gtest/gtest.h"

namespace evergreen {
namespace {

rpc::Frame Request(std::uint64_t id, std::string payload) {
  rpc::Frame frame;
  frame.set_kind(rpc::Frame::REQUEST);
  frame.set_call_id(id);
  frame.set_method("test.Echo/Say");
  frame.set_timeout_us(1500);
  frame.set_payload(std::move(payload));
  (*frame.mutable_metadata())["who"] = "me";
  return frame;
}

std::string Prefix(std::uint32_t size) {
  std::string p(4, '\0');
  p[0] = static_cast<char>(size >> 24);
  p[1] = static_cast<char>(size >> 16);
  p[2] = static_cast<char>(size >> 8);
  p[3] = static_cast<char>(size);
  return p;
}

TEST(FrameCodecTest, RoundTripsFramesFedOneByteAtATime) {
  std::string wire;
  ASSERT_TRUE(AppendFrame(Request(1, "a"), &wire).ok());
  ASSERT_TRUE(AppendFrame(Request(2, std::string(1000, 'b')), &wire).ok());
  FrameDecoder decoder;
  rpc::Frame frame;
  std::vector<rpc::Frame> got;
  for (char c : wire) {
    decoder.Feed(absl::string_view(&c, 1));
    absl::StatusOr<bool> next = decoder.Next(&frame);
    ASSERT_TRUE(next.ok()) << next.status();
    if (*next) got.push_back(frame);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].call_id(), 1u);
  EXPECT_EQ(got[0].method(), "test.Echo/Say");
  EXPECT_EQ(got[0].timeout_us(), 1500);
  EXPECT_EQ(got[0].metadata().at("who"), "me");
  EXPECT_EQ(got[1].payload(), std::string(1000, 'b'));
  EXPECT_TRUE(decoder.Finish().ok());
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameCodecTest, DecodesSeveralFramesFromOneFeed) {
  std::string wire;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(AppendFrame(Request(i, "x"), &wire).ok());
  }
  FrameDecoder decoder;
  decoder.Feed(wire);
  rpc::Frame frame;
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(decoder.Next(&frame).value_or(false), true);
    EXPECT_EQ(frame.call_id(), static_cast<std::uint64_t>(i));
  }
  EXPECT_EQ(decoder.Next(&frame).value_or(true), false);
}

// B-RPC2: the declared length is refused from the prefix alone.
TEST(FrameCodecTest, OversizedDeclaredLengthFailsBeforeTheBodyArrives) {
  FrameDecoder decoder(1024);
  decoder.Feed(Prefix(0xffffffffu));
  rpc::Frame frame;
  absl::StatusOr<bool> next = decoder.Next(&frame);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(next.status().message().find("4294967295"), std::string::npos)
      << next.status();
  EXPECT_NE(next.status().message().find("1024"), std::string::npos);
  // Sticky, and later bytes are not buffered.
  decoder.Feed(std::string(100, 'x'));
  EXPECT_EQ(decoder.buffered(), 4u);
  EXPECT_EQ(decoder.Next(&frame).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(FrameCodecTest, DefaultLimitIsFourMebibytes) {
  FrameDecoder decoder;
  EXPECT_EQ(decoder.max_frame_size(), 4u << 20);
  decoder.Feed(Prefix((4u << 20) + 1));
  rpc::Frame frame;
  EXPECT_EQ(decoder.Next(&frame).status().code(),
            absl::StatusCode::kResourceExhausted);
  FrameDecoder at_limit;
  at_limit.Feed(Prefix(4u << 20));
  EXPECT_EQ(at_limit.Next(&frame).value_or(true), false);  // waits for it
}

TEST(FrameCodecTest, EncoderRefusesFramesOverTheLimit) {
  std::string wire = "keep";
  absl::Status s = AppendFrame(Request(1, std::string(2000, 'x')), &wire, 1000);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(wire, "keep");
}

TEST(FrameCodecTest, GarbageBodyIsInvalidArgument) {
  FrameDecoder decoder;
  // Field 1 with wire type 7 (invalid) and a truncated varint.
  std::string body = "\x0f\xff\xff\xff";
  decoder.Feed(Prefix(body.size()) + body);
  rpc::Frame frame;
  absl::StatusOr<bool> next = decoder.Next(&frame);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(next.status().message().find("evergreen.rpc.Frame"),
            std::string::npos);
}

TEST(FrameCodecTest, TruncatedStreamIsDataLossAtFinish) {
  std::string wire;
  ASSERT_TRUE(AppendFrame(Request(7, "hello"), &wire).ok());
  FrameDecoder decoder;
  decoder.Feed(wire.substr(0, wire.size() - 2));
  rpc::Frame frame;
  EXPECT_EQ(decoder.Next(&frame).value_or(true), false);
  absl::Status end = decoder.Finish();
  EXPECT_EQ(end.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(end.message().find("inside a frame"), std::string::npos) << end;

  FrameDecoder in_prefix;
  in_prefix.Feed(wire.substr(0, 2));
  EXPECT_EQ(in_prefix.Finish().code(), absl::StatusCode::kDataLoss);
}

TEST(FrameCodecTest, EmptyFrameDecodesAsDefaultFrame) {
  FrameDecoder decoder;
  decoder.Feed(Prefix(0));
  rpc::Frame frame = Request(3, "x");
  ASSERT_EQ(decoder.Next(&frame).value_or(false), true);
  EXPECT_EQ(frame.call_id(), 0u);
  EXPECT_TRUE(frame.method().empty());
}

}  // namespace
}  // namespace evergreen
