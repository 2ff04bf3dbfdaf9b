#include "framework/run_process.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace evergreen {

absl::StatusOr<Completed> Run(std::vector<std::string> argv,
                              RunOptions options) {
  if (options.input.has_value()) options.process.stdin_mode = Stdio::kPipe;
  const bool group = options.process.new_process_group;
  absl::StatusOr<std::unique_ptr<Subprocess>> child =
      Subprocess::Start(std::move(argv), std::move(options.process));
  if (!child.ok()) return child.status();
  Subprocess& process = **child;
  const absl::Time start = absl::Now();
  absl::StatusOr<Subprocess::Output> output;
  absl::StatusOr<ExitStatus> status;
  try {
    output = process.Communicate(options.input.has_value()
                                     ? absl::string_view(*options.input)
                                     : absl::string_view(),
                                 options.timeout);
    if (output.ok()) {
      const absl::Duration left = options.timeout - (absl::Now() - start);
      status = process.Wait(left);
    }
  } catch (...) {
    // Killed or timed out by a scoped Timeout: the child must not outlive
    // the run. It is reaped in the background (see Subprocess).
    (void)process.Kill(group);
    throw;
  }
  absl::Status failure = output.ok() ? status.status() : output.status();
  if (!failure.ok()) {
    // Timed out (or failed reading): never leave the child behind.
    (void)process.Kill(group);
    (void)process.Wait();
    if (absl::IsDeadlineExceeded(failure)) {
      return absl::DeadlineExceededError(absl::StrCat(
          process.Describe(), " timed out after ",
          absl::FormatDuration(options.timeout), " (killed)"));
    }
    return failure;
  }
  Completed completed;
  static_cast<ExitStatus&>(completed) = *status;
  completed.out = std::move(output->out);
  completed.err = std::move(output->err);
  return completed;
}

absl::StatusOr<std::string> CheckOutput(std::vector<std::string> argv,
                                        RunOptions options) {
  std::string command = absl::StrJoin(argv, " ");
  absl::StatusOr<Completed> done = Run(std::move(argv), std::move(options));
  if (!done.ok()) return done.status();
  if (!done->success()) {
    absl::string_view err = absl::StripAsciiWhitespace(done->err);
    if (err.size() > 1024) err = err.substr(err.size() - 1024);
    return absl::UnknownError(absl::StrCat("'", command, "' failed: ",
                                           done->ToString(),
                                           err.empty() ? "" : ": ", err));
  }
  return std::move(done->out);
}

}  // namespace evergreen
