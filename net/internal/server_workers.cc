#include "net/internal/server_workers.h"

#include <exception>
#include <utility>

#include "framework/greenlet.h"

namespace evergreen::internal {

ServerWorkers::ServerWorkers(Pool* pool, int max_workers)
    : owned_pool_(pool == nullptr && max_workers > 0
                      ? std::make_unique<Pool>(max_workers)
                      : nullptr),
      pool_(pool != nullptr ? pool : owned_pool_.get()) {}

void ServerWorkers::WaitAvailable() {
  if (pool_ != nullptr) pool_->WaitAvailable();
}

bool ServerWorkers::full() const {
  return pool_ != nullptr && pool_->FreeCount() <= 0;
}

void ServerWorkers::Spawn(std::string name, absl::AnyInvocable<void()> body) {
  auto worker = Greenlet<void>::Create(
      GreenletOptions{.name = std::move(name)},
      [body = std::move(body)]() mutable {
        try {
          body();
        } catch (const GreenletExit&) {
          throw;  // a kill (Stop): the expected way for a worker to end early
        } catch (...) {
          GreenletBase* self = GreenletBase::Current();
          self->hub()->HandleError(self->name(), std::current_exception());
        }
      });
  // Admission first: if the wait is interrupted, the worker is dropped
  // unstarted and `body` (with the connection it owns) is destroyed.
  if (pool_ != nullptr) pool_->Add(worker).IgnoreError();  // untimed: OK
  running_.Add(worker).IgnoreError();                      // a Group: OK
  worker.Start();
}

void ServerWorkers::Stop(absl::Duration timeout) {
  if (!running_.Join(timeout)) running_.Kill();
}

bool ServerWorkers::Contains(const GreenletBase* greenlet) const {
  return greenlet != nullptr && running_.Contains(greenlet);
}

}  // namespace evergreen::internal
