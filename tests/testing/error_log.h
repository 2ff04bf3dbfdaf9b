// ErrorLog: captures what reaches the calling thread's Hub::HandleError for
// the lifetime of the object, so tests can assert on uncollected errors.
//
//   ErrorLog log;
//   Spawn([] { throw std::runtime_error("boom"); });
//   ASSERT_TRUE(log.reported.Wait(absl::Seconds(5)));
//   EXPECT_EQ(log.whats[0], "boom");
#ifndef EVERGREEN_TESTS_TESTING_ERROR_LOG_H_
#define EVERGREEN_TESTS_TESTING_ERROR_LOG_H_

#include <string>
#include <vector>

#include "framework/errors.h"
#include "framework/event.h"
#include "framework/hub.h"

namespace evergreen {

class ErrorLog {
 public:
  ErrorLog() {
    Hub::Current()->SetErrorHandler(
        [this](absl::string_view where, std::exception_ptr error) {
          wheres.emplace_back(where);
          whats.push_back(DescribeException(error));
          reported.Set();
        });
  }
  ~ErrorLog() { Hub::Current()->SetErrorHandler(nullptr); }
  ErrorLog(const ErrorLog&) = delete;
  ErrorLog& operator=(const ErrorLog&) = delete;

  std::vector<std::string> wheres;  // which greenlet or callback
  std::vector<std::string> whats;   // the errors' what()
  Event reported;                   // set on the first report
};

}  // namespace evergreen

#endif  // EVERGREEN_TESTS_TESTING_ERROR_LOG_H_
