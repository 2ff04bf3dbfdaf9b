#include "framework/semaphore.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "framework/waiter.h"

namespace evergreen {

// A greenlet waiting in line: granting it wakes its Waiter.
class Semaphore::GreenletTicket final : public internal::SemaphoreTicket {
 public:
  explicit GreenletTicket(bool takes_slot)
      : SemaphoreTicket(&GreenletTicket::OnGranted, takes_slot) {}

  Waiter waiter;

 private:
  static void OnGranted(internal::Runnable* node, bool) {
    static_cast<GreenletTicket*>(node)->waiter.Wake();
  }
};

Semaphore::Semaphore(int value) : Semaphore(value, -1) {}

Semaphore::Semaphore(int value, int bound)
    : hub_(Hub::Current()), counter_(value), bound_(bound) {
  if (value < 0) {
    throw std::invalid_argument(
        absl::StrCat("semaphore value must not be negative: ", value));
  }
}

Semaphore::~Semaphore() = default;  // the list detaches leftover tickets

bool Semaphore::TryAcquire() {
  hub_->CheckThread("Semaphore::TryAcquire");
  if (counter_ <= 0) return false;
  --counter_;
  return true;
}

bool Semaphore::Acquire(absl::Duration timeout) {
  if (TryAcquire()) return true;
  if (timeout <= absl::ZeroDuration()) return false;
  return WaitInLine(/*takes_slot=*/true, timeout);
}

bool Semaphore::Wait(absl::Duration timeout) {
  hub_->CheckThread("Semaphore::Wait");
  if (counter_ > 0) return true;
  if (timeout <= absl::ZeroDuration()) return false;
  return WaitInLine(/*takes_slot=*/false, timeout);
}

bool Semaphore::AcquireOrEnqueue(internal::SemaphoreTicket* ticket) {
  if (TryAcquire()) return true;
  waiters_.PushBack(ticket);
  return false;
}

bool Semaphore::WaitInLine(bool takes_slot, absl::Duration timeout) {
  GreenletTicket ticket(takes_slot);
  waiters_.PushBack(&ticket);
  try {
    ticket.waiter.Wait(timeout);
  } catch (...) {
    // Killed or timed out by a scoped Timeout: a slot granted meanwhile
    // belongs to the next in line, not to a greenlet that will never use it.
    ticket.Unlink();
    if (ticket.granted() && takes_slot) Release();
    throw;
  }
  ticket.Unlink();  // still queued after a timeout
  return ticket.granted();
}

void Semaphore::Release() {
  hub_->CheckThread("Semaphore::Release");
  if (bound_ >= 0 && counter_ >= bound_) {
    throw LockError(absl::StrCat(
        "BoundedSemaphore released too many times (its value is already ",
        bound_, ")"));
  }
  ++counter_;
  Dispatch();
}

void Semaphore::Dispatch() {
  // Wake-only tickets (Wait) are granted without using up the slot; the
  // first acquirer takes it. Either way strictly in arrival order.
  while (counter_ > 0) {
    auto* ticket = static_cast<internal::SemaphoreTicket*>(waiters_.PopFront());
    if (ticket == nullptr) return;
    if (ticket->takes_slot_) --counter_;
    ticket->granted_ = true;
    ticket->Run();
  }
}

}  // namespace evergreen
