// ChildTable: a supervisor's children in start order, indexed by id, by
// record key and by running child, so that every lookup, insertion and
// removal is O(1) (B-U9: shutting down n children costs O(n)).
//
// Internal to the supervisor. Not thread-safe (one supervisor's state).
#ifndef EVERGREEN_ACTORS_INTERNAL_CHILD_TABLE_H_
#define EVERGREEN_ACTORS_INTERNAL_CHILD_TABLE_H_

#include <cstdint>
#include <list>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "actors/child.h"
#include "actors/child_spec.h"

namespace evergreen::internal {

struct ChildRecord {
  bool running() const { return static_cast<bool>(child); }
  const std::string& id() const { return spec->id; }

  // Stable for the record's life: names it in messages to the supervisor.
  std::uint64_t key = 0;
  // Shared by all the dynamic children of a simple_one_for_one template.
  std::shared_ptr<const ChildSpec> spec;
  // What a simple_one_for_one child was started with (for its restarts).
  ChildArgs args;
  // The running child; no child when terminated or restarting.
  Child child;
  // Counts starts: an exit notice for an older start is stale.
  std::uint64_t generation = 0;
  // The supervisor's exit observer on `child`.
  std::uint64_t observer = 0;
  // A restart failed and is to be retried.
  bool restarting = false;
  // Why it last went down, for the message when the supervisor gives up.
  std::string last_failure;
};

class ChildTable {
 public:
  using List = std::list<ChildRecord>;
  using Iterator = List::iterator;

  ChildTable() = default;
  ChildTable(const ChildTable&) = delete;
  ChildTable& operator=(const ChildTable&) = delete;

  // Appends a record for `spec` (last in start order), indexed by its id
  // when `by_id` (not for dynamic simple_one_for_one children).
  // REQUIRES: no record with that id when `by_id`.
  Iterator Append(std::shared_ptr<const ChildSpec> spec, ChildArgs args,
                  bool by_id);
  // Removes the record (the caller has stopped its child, if any).
  void Erase(Iterator it);

  // end() when absent.
  Iterator FindId(const std::string& id);
  Iterator FindKey(std::uint64_t key);
  Iterator FindRunning(const Child& child);

  // Records that `child` now runs for `it`, watched by `observer`.
  void SetRunning(Iterator it, Child child, std::uint64_t observer);
  // Records that `it` no longer runs.
  void ClearRunning(Iterator it);

  Iterator begin() { return records_.begin(); }
  Iterator end() { return records_.end(); }
  List::const_iterator begin() const { return records_.begin(); }
  List::const_iterator end() const { return records_.end(); }
  bool empty() const { return records_.empty(); }
  std::size_t size() const { return records_.size(); }

 private:
  List records_;
  absl::flat_hash_map<std::string, Iterator> by_id_;
  absl::flat_hash_map<std::uint64_t, Iterator> by_key_;
  absl::flat_hash_map<const void*, Iterator> running_;
  std::uint64_t next_key_ = 1;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_ACTORS_INTERNAL_CHILD_TABLE_H_
