// RefPtr: an intrusive, non-atomic reference-counted pointer for hub-bound
// objects (which never cross threads, so the count needs no atomics).
// T provides AddRef() and Release().
#ifndef EVERGREEN_FRAMEWORK_INTERNAL_REF_PTR_H_
#define EVERGREEN_FRAMEWORK_INTERNAL_REF_PTR_H_

#include <utility>

namespace evergreen::internal {

template <typename T>
class RefPtr {
 public:
  RefPtr() = default;
  // Adopts a reference the caller already holds.
  static RefPtr Adopt(T* ptr) {
    RefPtr r;
    r.ptr_ = ptr;
    return r;
  }
  explicit RefPtr(T* ptr) : ptr_(ptr) {
    if (ptr_ != nullptr) ptr_->AddRef();
  }
  RefPtr(const RefPtr& other) : RefPtr(other.ptr_) {}
  RefPtr(RefPtr&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  RefPtr& operator=(RefPtr other) noexcept {
    std::swap(ptr_, other.ptr_);
    return *this;
  }
  ~RefPtr() {
    if (ptr_ != nullptr) ptr_->Release();
  }

  T* get() const { return ptr_; }
  T* operator->() const { return ptr_; }
  T& operator*() const { return *ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }
  friend bool operator==(const RefPtr& a, const RefPtr& b) {
    return a.ptr_ == b.ptr_;
  }

 private:
  T* ptr_ = nullptr;
};

}  // namespace evergreen::internal

#endif  // EVERGREEN_FRAMEWORK_INTERNAL_REF_PTR_H_
