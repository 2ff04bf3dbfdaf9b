// One error vocabulary: StatusError and StatusFromException (B-D4).
#include "framework/errors.h"

#include <stdexcept>
#include <string>

#include "absl/status/status.h"
#include "actors/actor_error.h"
#include "actors/supervisor_error.h"
#include "framework/exception_status.h"
#include "framework/timeout.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

template <typename E>
absl::Status StatusOf(E error) {
  return StatusFromException(std::make_exception_ptr(std::move(error)));
}

// B-D4
TEST(ErrorsTest, StatusErrorCarriesItsStatusUnchanged) {
  const absl::Status original = absl::NotFoundError("no such user 'ann'");
  EXPECT_EQ(StatusOf(StatusError(original)), original);
  EXPECT_EQ(std::string(StatusError(original).what()), original.ToString());
}

// B-D4: the actor layer's names are the same exception, not a copy of it.
TEST(ErrorsTest, ActorAndSupervisorErrorsAreStatusErrors) {
  const absl::Status full = absl::ResourceExhaustedError("mailbox full");
  try {
    throw ActorError(full);
  } catch (const StatusError& e) {
    EXPECT_EQ(e.status(), full);
  }
  const absl::Status gave_up = absl::AbortedError("maximum restart intensity");
  try {
    throw SupervisorError(gave_up);
  } catch (const ActorError& e) {  // one type under both names
    EXPECT_EQ(e.status(), gave_up);
  }
  EXPECT_EQ(StatusOf(SupervisorError(gave_up)), gave_up);
}

// B-D4
TEST(ErrorsTest, TimeoutErrorIsADeadlineExceededStatusError) {
  const TimeoutError timeout(absl::Milliseconds(250));
  EXPECT_EQ(timeout.duration(), absl::Milliseconds(250));
  EXPECT_EQ(timeout.source(), nullptr);
  EXPECT_EQ(timeout.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(timeout.what()), HasSubstr("250ms"));
  const absl::Status status = StatusOf(timeout);
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(status.message()), HasSubstr("timed out after 250ms"));
  try {
    throw TimeoutError(absl::Seconds(1), nullptr, "Ask(Ping) timed out");
  } catch (const StatusError& e) {
    EXPECT_EQ(e.status(),
              absl::DeadlineExceededError("Ask(Ping) timed out"));
  }
}

// B-D4: unwinding a greenlet is a cancellation.
TEST(ErrorsTest, KillsMapToCancelled) {
  EXPECT_EQ(StatusOf(GreenletExit()).code(), absl::StatusCode::kCancelled);
  const absl::Status killed =
      StatusOf(GreenletKilledError("greenlet 'w' was killed"));
  EXPECT_EQ(killed.code(), absl::StatusCode::kCancelled);
  EXPECT_THAT(std::string(killed.message()), HasSubstr("'w'"));
}

// B-D4: Evergreen's contract violations are never kUnknown.
TEST(ErrorsTest, ContractViolationsAreFailedPrecondition) {
  for (const absl::Status& status :
       {StatusOf(LoopExit("would block forever")),
        StatusOf(BlockingInHubError("cannot block inside the hub")),
        StatusOf(WrongThreadError("another thread's hub")),
        StatusOf(GreenletError("cannot switch into a dead greenlet"))}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition)
        << status;
    EXPECT_FALSE(status.message().empty());
  }
}

TEST(ErrorsTest, StandardExceptionsKeepTheirMeaning) {
  EXPECT_EQ(StatusOf(std::invalid_argument("bad")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusOf(std::out_of_range("far")).code(),
            absl::StatusCode::kOutOfRange);
  const absl::Status other = StatusOf(std::runtime_error("disk on fire"));
  EXPECT_EQ(other, absl::UnknownError("disk on fire"));
  EXPECT_EQ(StatusOf(42).code(), absl::StatusCode::kUnknown);
  EXPECT_TRUE(StatusFromException(nullptr).ok());
}

}  // namespace
}  // namespace evergreen
