// GreenletLocal<T>: storage with one value per greenlet (gevent.local).
//
//   evergreen::GreenletLocal<std::string> request_id;
//
//   void Handle(Request r) {          // runs in its own greenlet
//     *request_id = r.id;             // only this greenlet sees it
//     Log("start");                   // Log() reads *request_id
//   }
//
//   evergreen::GreenletLocal<int> budget([] { return 100; });  // initializer
//
// Each greenlet (framework greenlets, the thread's main greenlet) sees its
// own T, created on its first access: default-constructed, or by the
// initializer. A framework greenlet's value is destroyed when the greenlet
// ends; every other value (the main greenlet's, the hub's, a raw
// greenlet's) when the GreenletLocal is destroyed or its thread exits.
// reset() destroys the caller's value early.
//
// Nothing here blocks. The initializer runs in the accessing greenlet and
// may block; T's destructor must not block (it runs as the greenlet ends).
// A value is destroyed on the thread that owns its greenlet, except those
// left when the GreenletLocal itself is destroyed.
//
// Thread affinity: a GreenletLocal may be shared by greenlets of several
// threads (lookups take a short lock); each value belongs to its greenlet.
// REQUIRES: destroy the GreenletLocal only when no other thread uses it
// (typically: a static, or after those threads are joined).
// Limitation: values are keyed by the greenlet's address; a raw greenlet
// destroyed while it holds a value may pass it to a later one at the same
// address (framework greenlets and threads' main greenlets are exempt).
#ifndef EVERGREEN_FRAMEWORK_GREENLET_LOCAL_H_
#define EVERGREEN_FRAMEWORK_GREENLET_LOCAL_H_

#include <memory>
#include <mutex>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "framework/greenlet_base.h"
#include "framework/internal/end_observer.h"
#include "greenlet/raw_greenlet.h"

namespace evergreen {
namespace internal {

// The type-independent part: greenlet → value slot, and the clean-up.
class GreenletLocalCore
    : public std::enable_shared_from_this<GreenletLocalCore> {
 public:
  // One greenlet's value. Removes itself when its greenlet ends.
  class Slot : public EndObserver {
   public:
    virtual ~Slot() = default;
    virtual void* value() = 0;

   private:
    friend class GreenletLocalCore;
    void OnEnd(GreenletBase&) override { core_->Erase(key_); }
    GreenletLocalCore* core_ = nullptr;
    RawGreenlet* key_ = nullptr;
  };

  GreenletLocalCore() = default;
  ~GreenletLocalCore();
  GreenletLocalCore(const GreenletLocalCore&) = delete;
  GreenletLocalCore& operator=(const GreenletLocalCore&) = delete;

  // The calling greenlet's value, or nullptr.
  void* Find();
  // Stores `slot` as the calling greenlet's value unless one appeared
  // meanwhile (a re-entrant initializer); returns the value kept.
  void* Insert(std::unique_ptr<Slot> slot);
  // Destroys `key`'s value, if any (outside the lock).
  void Erase(RawGreenlet* key);

 private:
  // std::mutex rather than absl::Mutex: Debian's abseil is not built with
  // TSan, which then misses the synchronisation and reports Find and
  // Insert of two threads as a race (issue 14). Guards slots_.
  std::mutex mu_;
  absl::flat_hash_map<RawGreenlet*, std::unique_ptr<Slot>> slots_;
};

}  // namespace internal

template <typename T>
class GreenletLocal {
 public:
  // Values are default-constructed on first access.
  GreenletLocal() = default;
  // Values are `init()` on first access. `init` may be called from several
  // threads at once.
  explicit GreenletLocal(absl::AnyInvocable<T() const> init)
      : init_(std::move(init)) {}
  GreenletLocal(const GreenletLocal&) = delete;
  GreenletLocal& operator=(const GreenletLocal&) = delete;

  // The calling greenlet's value, created first if it has none. The
  // reference stays valid until the greenlet ends or reset().
  T& get() {
    if (void* value = core_->Find()) return *static_cast<T*>(value);
    return *static_cast<T*>(core_->Insert(std::make_unique<TypedSlot>(init_)));
  }
  T& operator*() { return get(); }
  T* operator->() { return &get(); }

  // Whether the calling greenlet has a value yet.
  bool has_value() const { return core_->Find() != nullptr; }
  // Destroys the calling greenlet's value; the next access makes a new one.
  void reset() { core_->Erase(RawGreenlet::Current()); }

 private:
  class TypedSlot final : public internal::GreenletLocalCore::Slot {
   public:
    explicit TypedSlot(const absl::AnyInvocable<T() const>& init)
        : value_(init ? init() : T()) {}
    void* value() override { return &value_; }

   private:
    T value_;
  };

  absl::AnyInvocable<T() const> init_;
  std::shared_ptr<internal::GreenletLocalCore> core_ =
      std::make_shared<internal::GreenletLocalCore>();
};

}  // namespace evergreen

#endif  // EVERGREEN_FRAMEWORK_GREENLET_LOCAL_H_
