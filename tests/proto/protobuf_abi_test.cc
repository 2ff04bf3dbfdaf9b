// Protobuf maps in every build configuration, ThreadSanitizer included:
// Debian's libprotobuf is built without TSan, and the headers change the
// layout of map fields under TSan unless third_party/protobuf_abi keeps it.
// Each test touches a map from both sides: inline header code and the
// library's out-of-line code (reflection, JSON, the well-known types the
// library compiled). Without that shim, under `--config=tsan`, the
// reflection test crashes in the library (SpaceUsedLong) and the Struct test
// reads a map at the wrong offsets (as //tests/proto:http_transport_test
// did, reading a Connect error through google.protobuf.Struct).
#include <string>

#include "gtest/gtest.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "proto/evergreen/rpc.pb.h"

namespace evergreen {
namespace {

rpc::Frame WithMaps() {
  rpc::Frame frame;
  frame.set_call_id(7);
  (*frame.mutable_metadata())["tenant"] = "acme";
  (*frame.mutable_metadata())["who"] = "me";
  (*frame.mutable_status_details())["type.example/x"] = std::string(3, '\0');
  return frame;
}

// A map field we compiled, walked by the library's reflection.
TEST(ProtobufAbiTest, LibraryReflectionReadsOurMapFields) {
  rpc::Frame frame = WithMaps();
  const google::protobuf::Reflection* reflection = frame.GetReflection();
  const google::protobuf::FieldDescriptor* metadata =
      frame.GetDescriptor()->FindFieldByName("metadata");
  ASSERT_NE(metadata, nullptr);
  EXPECT_EQ(reflection->FieldSize(frame, metadata), 2);
  EXPECT_GT(frame.SpaceUsedLong(), sizeof(frame));

  rpc::Frame copy = frame;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(frame, copy));
  (*copy.mutable_metadata())["who"] = "you";
  EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(frame, copy));

  reflection->RemoveLast(&frame, metadata);
  EXPECT_EQ(frame.metadata().size(), 1u);
  EXPECT_NE(frame.ShortDebugString().find("status_details"), std::string::npos);
}

// JSON through the library both ways, read back with the inline map code.
TEST(ProtobufAbiTest, JsonRoundTripKeepsOurMapFields) {
  const rpc::Frame frame = WithMaps();
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(frame, &json).ok());
  rpc::Frame back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &back).ok())
      << json;
  EXPECT_EQ(back.metadata().at("tenant"), "acme");
  EXPECT_EQ(back.status_details().at("type.example/x"), std::string(3, '\0'));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(frame, back));
}

// google.protobuf.Struct is compiled into the library; its map is read here
// with the inline header code.
TEST(ProtobufAbiTest, StructParsedByTheLibraryReadsInline) {
  google::protobuf::Struct value;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"code":"not_found","n":{"list":[1,"x",null]}})", &value)
                  .ok());
  const auto& fields = value.fields();
  ASSERT_EQ(fields.size(), 2u);
  auto code = fields.find("code");
  ASSERT_NE(code, fields.end());
  EXPECT_EQ(code->second.string_value(), "not_found");
  const auto& nested = fields.at("n").struct_value().fields();
  EXPECT_EQ(nested.at("list").list_value().values_size(), 3);
  EXPECT_EQ(fields.count("missing"), 0u);
}

}  // namespace
}  // namespace evergreen
