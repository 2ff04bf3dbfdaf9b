// The item orders of the queue family: the container policies QueueCore is
// parameterised by. Each keeps the items that are in the queue (not those
// still held by waiting putters) and offers the same small interface:
//
//   value_type, size(), empty(),
//   Push(T)      an accepted item;
//   PushNext(T)  an item given back (its getter was killed before it
//                resumed): it becomes the next one Pop() returns;
//   Pop()        removes and returns the next item; REQUIRES: !empty();
//   Next()       the next item, for Peek; REQUIRES: !empty();
//   Clear()      drops every item.
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_BUFFERS_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_BUFFERS_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace evergreen::internal {

// First in, first out (Queue, JoinableQueue, Channel).
template <typename T>
class FifoBuffer {
 public:
  using value_type = T;

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void Push(T item) { items_.push_back(std::move(item)); }
  void PushNext(T item) { items_.push_front(std::move(item)); }
  T Pop() {
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }
  const T& Next() const { return items_.front(); }
  void Clear() { items_.clear(); }

 private:
  std::deque<T> items_;
};

// Last in, first out (LifoQueue).
template <typename T>
class LifoBuffer {
 public:
  using value_type = T;

  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  void Push(T item) { items_.push_back(std::move(item)); }
  void PushNext(T item) { items_.push_back(std::move(item)); }
  T Pop() {
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }
  const T& Next() const { return items_.back(); }
  void Clear() { items_.clear(); }

 private:
  std::vector<T> items_;
};

// Least first under `Compare` (as heapq / gevent's PriorityQueue; note that
// std::priority_queue returns the greatest). Stable: equal items come out
// in the order they were pushed, by a sequence number kept with each.
template <typename T, typename Compare>
class PriorityBuffer {
 public:
  using value_type = T;

  explicit PriorityBuffer(Compare compare = Compare())
      : compare_(std::move(compare)) {}

  std::size_t size() const { return heap_.size(); }
  bool empty() const { return heap_.empty(); }
  void Push(T item) { Insert(std::move(item), next_seq_++); }
  // Given-back items sort before every pushed one of equal priority.
  void PushNext(T item) { Insert(std::move(item), --first_seq_); }
  T Pop() {
    std::pop_heap(heap_.begin(), heap_.end(), ComesAfter{&compare_});
    T item = std::move(heap_.back().value);
    heap_.pop_back();
    return item;
  }
  const T& Next() const { return heap_.front().value; }
  void Clear() { heap_.clear(); }

 private:
  struct Entry {
    T value;
    std::int64_t seq;
  };
  // The std heap algorithms keep the greatest element under their
  // comparator at the front; "greatest" here is "comes out first".
  struct ComesAfter {
    const Compare* compare;
    bool operator()(const Entry& a, const Entry& b) const {
      if ((*compare)(a.value, b.value)) return false;
      if ((*compare)(b.value, a.value)) return true;
      return a.seq > b.seq;
    }
  };

  void Insert(T item, std::int64_t seq) {
    heap_.push_back(Entry{std::move(item), seq});
    std::push_heap(heap_.begin(), heap_.end(), ComesAfter{&compare_});
  }

  Compare compare_;
  std::vector<Entry> heap_;
  std::int64_t next_seq_ = 0;
  std::int64_t first_seq_ = 0;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_QUEUE_BUFFERS_H_
