#include "actors/child_spec.h"

#include "absl/strings/str_cat.h"

namespace evergreen {
namespace {

// OTP's default grace period for a worker.
constexpr absl::Duration kDefaultWorkerShutdown = absl::Seconds(5);

bool Known(RestartType restart) {
  return restart == RestartType::kPermanent ||
         restart == RestartType::kTransient ||
         restart == RestartType::kTemporary;
}

bool Known(ChildType type) {
  return type == ChildType::kWorker || type == ChildType::kSupervisor;
}

}  // namespace

const char* ToString(RestartType restart) {
  switch (restart) {
    case RestartType::kPermanent:
      return "permanent";
    case RestartType::kTransient:
      return "transient";
    case RestartType::kTemporary:
      return "temporary";
  }
  return "invalid";
}

const char* ToString(ChildType type) {
  switch (type) {
    case ChildType::kWorker:
      return "worker";
    case ChildType::kSupervisor:
      return "supervisor";
  }
  return "invalid";
}

std::string ChildShutdown::ToString() const {
  switch (kind_) {
    case Kind::kBrutalKill:
      return "brutal_kill";
    case Kind::kTimeout:
      return absl::StrCat("timeout(", absl::FormatDuration(timeout_), ")");
    case Kind::kInfinity:
      return "infinity";
  }
  return "invalid";
}

ChildShutdown EffectiveShutdown(const ChildSpec& spec) {
  if (spec.shutdown.has_value()) return *spec.shutdown;
  return spec.type == ChildType::kSupervisor
             ? ChildShutdown::Infinity()
             : ChildShutdown::Timeout(kDefaultWorkerShutdown);
}

absl::Status ValidateChildSpec(const ChildSpec& spec) {
  if (spec.id.empty()) {
    return absl::InvalidArgumentError("child spec: the id is empty");
  }
  const std::string what = absl::StrCat("child spec '", spec.id, "': ");
  if (!spec.start) {
    return absl::InvalidArgumentError(absl::StrCat(what, "no start function"));
  }
  if (!Known(spec.restart)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, "invalid restart type ", static_cast<int>(spec.restart)));
  }
  if (!Known(spec.type)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, "invalid child type ", static_cast<int>(spec.type)));
  }
  if (spec.shutdown.has_value() &&
      spec.shutdown->kind() == ChildShutdown::Kind::kTimeout &&
      spec.shutdown->timeout() < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, "negative shutdown timeout ",
                     absl::FormatDuration(spec.shutdown->timeout())));
  }
  return absl::OkStatus();
}

}  // namespace evergreen
