// MapResults<R>: the results of Group::IMap / IMapUnordered, one per
// input, each an absl::StatusOr<R> (absl::Status when R is void).
//
//   for (absl::StatusOr<int> r : pool.IMap(Square, inputs)) {
//     if (r.ok()) Use(*r); else Log(r.status());   // a failed element
//   }                                              // does not stop the rest
//
// Ordered (IMap): results come in input order. As-ready (IMapUnordered):
// in the order the work finished. A failure becomes the element's status
// (see exception_status.h: Unknown with the exception's message,
// Cancelled for a killed element, DeadlineExceeded for a TimeoutError);
// the greenlets keep their exception for whoever needs the original.
//
// Thread affinity: the hub thread that ran IMap. Next() and iteration
// block (what wakes them: the awaited greenlet finishing) with no timeout
// of their own: bound them with a scoped Timeout. They throw as
// Waiter::Wait.
#ifndef EVERGREEN_FRAMEWORK_MAP_RESULTS_H_
#define EVERGREEN_FRAMEWORK_MAP_RESULTS_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "framework/exception_status.h"
#include "framework/greenlet.h"
#include "framework/wait.h"

namespace evergreen {

template <typename R>
class MapResults {
 public:
  using Result =
      std::conditional_t<std::is_void_v<R>, absl::Status, absl::StatusOr<R>>;

  // Takes the greenlets doing the work, in input order.
  MapResults(std::vector<Greenlet<R>> greenlets, bool ordered)
      : greenlets_(std::move(greenlets)) {
    if (!ordered) {
      std::vector<WaitableRef> refs(greenlets_.begin(), greenlets_.end());
      as_ready_ = std::make_unique<IWait>(refs);
    }
  }

  // Blocks until the next result is ready and returns it; nullopt once
  // every result was returned.
  std::optional<Result> Next() {
    if (as_ready_ != nullptr) {
      const int i = as_ready_->Next();
      if (i < 0) return std::nullopt;
      return ResultOf(greenlets_[i]);
    }
    if (next_ == greenlets_.size()) return std::nullopt;
    const Greenlet<R>& g = greenlets_[next_++];
    g.Join();
    return ResultOf(g);
  }

  std::size_t size() const { return greenlets_.size(); }
  // The greenlets, in input order (to kill or inspect them).
  const std::vector<Greenlet<R>>& greenlets() const { return greenlets_; }

  // Range-for support: a single pass.
  class iterator {
   public:
    iterator() = default;
    explicit iterator(MapResults* owner) : owner_(owner) { Advance(); }
    Result& operator*() { return *current_; }
    iterator& operator++() {
      Advance();
      return *this;
    }
    bool operator!=(const iterator& other) const {
      return owner_ != other.owner_;
    }

   private:
    void Advance() {
      current_ = owner_->Next();
      if (!current_.has_value()) owner_ = nullptr;
    }
    MapResults* owner_ = nullptr;
    std::optional<Result> current_;
  };
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  static Result ResultOf(const Greenlet<R>& g) {
    if (g.exception() != nullptr) return StatusFromException(g.exception());
    if (g.killed()) return absl::CancelledError("greenlet was killed");
    if constexpr (std::is_void_v<R>) {
      return absl::OkStatus();
    } else {
      return *g.value();
    }
  }

  std::vector<Greenlet<R>> greenlets_;
  // Declared after greenlets_: its links go before the greenlets do.
  std::unique_ptr<IWait> as_ready_;
  std::size_t next_ = 0;
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_MAP_RESULTS_H_
