#include "actors/internal/child_table.h"

#include <utility>

namespace evergreen::internal {

ChildTable::Iterator ChildTable::Append(std::shared_ptr<const ChildSpec> spec,
                                        ChildArgs args, bool by_id) {
  records_.push_back(ChildRecord{.key = next_key_++,
                                 .spec = std::move(spec),
                                 .args = std::move(args)});
  Iterator it = std::prev(records_.end());
  by_key_.emplace(it->key, it);
  if (by_id) by_id_.emplace(it->id(), it);
  return it;
}

void ChildTable::Erase(Iterator it) {
  ClearRunning(it);
  by_key_.erase(it->key);
  auto named = by_id_.find(it->id());
  if (named != by_id_.end() && named->second == it) by_id_.erase(named);
  records_.erase(it);
}

ChildTable::Iterator ChildTable::FindId(const std::string& id) {
  auto found = by_id_.find(id);
  return found == by_id_.end() ? records_.end() : found->second;
}

ChildTable::Iterator ChildTable::FindKey(std::uint64_t key) {
  auto found = by_key_.find(key);
  return found == by_key_.end() ? records_.end() : found->second;
}

ChildTable::Iterator ChildTable::FindRunning(const Child& child) {
  auto found = running_.find(child.identity());
  return found == running_.end() ? records_.end() : found->second;
}

void ChildTable::SetRunning(Iterator it, Child child, std::uint64_t observer) {
  ClearRunning(it);
  it->child = std::move(child);
  it->observer = observer;
  running_.emplace(it->child.identity(), it);
}

void ChildTable::ClearRunning(Iterator it) {
  if (!it->running()) return;
  running_.erase(it->child.identity());
  it->child = Child();
  it->observer = 0;
}

}  // namespace evergreen::internal
