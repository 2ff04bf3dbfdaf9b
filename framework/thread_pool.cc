#include "framework/thread_pool.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace evergreen {
namespace {

absl::Status CheckBounds(int min_threads, int max_threads) {
  if (max_threads < 1 || min_threads < 0 || min_threads > max_threads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "thread pool bounds must satisfy 0 <= min <= max and max >= 1; got "
        "min=",
        min_threads, " max=", max_threads));
  }
  return absl::OkStatus();
}

char default_pool_key;

}  // namespace

ThreadPool::ThreadPool(ThreadPoolOptions options)
    : hub_(Hub::Current()), options_(options) {
  absl::Status bounds = CheckBounds(options.min_threads, options.max_threads);
  if (!bounds.ok()) throw std::invalid_argument(std::string(bounds.message()));
}

ThreadPool::~ThreadPool() {
  std::deque<Task> cancelled;
  {
    std::unique_lock<std::mutex> lock(mu_);
    stopping_ = true;
    cancelled.swap(queue_);
    work_ready_.notify_all();
    worker_exited_.wait(lock, [this] { return threads_ == 0; });
  }
  for (Task& task : cancelled) task(/*cancelled=*/true);
  ReapFinished();
}

ThreadPool* ThreadPool::Default() {
  return Hub::Current()->Extension<ThreadPool>(&default_pool_key, [] {
    ThreadPoolOptions options;
    const char* env = std::getenv("EVERGREEN_THREADPOOL_SIZE");
    int size = 0;
    if (env != nullptr && absl::SimpleAtoi(env, &size) && size >= 1) {
      options.max_threads = size;
    }
    return std::make_shared<ThreadPool>(options);
  });
}

void ThreadPool::CheckOwner(const char* what) const { hub_->CheckThread(what); }

void ThreadPool::Submit(Task task) {
  ReapFinished();
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back(std::move(task));
  if (idle_ > 0) {
    work_ready_.notify_one();
    return;
  }
  if (threads_ < options_.max_threads) StartWorkerLocked();
}

void ThreadPool::StartWorkerLocked() {
  ++threads_;
  workers_.emplace_back();
  auto self = std::prev(workers_.end());
  // Assigned under mu_, which the new thread takes first: it never sees
  // its own handle half-built.
  *self = std::thread([this, self] { WorkerLoop(self); });
}

void ThreadPool::WorkerLoop(Workers::iterator self) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!queue_.empty() && threads_ <= options_.max_threads) {
      Task task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task(/*cancelled=*/false);
      task = nullptr;  // captures die off the lock
      lock.lock();
      continue;
    }
    const bool surplus = threads_ > options_.max_threads;
    if (stopping_ || surplus) break;
    ++idle_;
    const bool woke = work_ready_.wait_for(
        lock, absl::ToChronoMilliseconds(options_.idle_timeout),
        [this] { return !queue_.empty() || stopping_; });
    --idle_;
    if (!woke && threads_ > options_.min_threads) break;  // retire
  }
  --threads_;
  finished_.splice(finished_.end(), workers_, self);
  worker_exited_.notify_all();
}

void ThreadPool::ReapFinished() {
  Workers done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(finished_);
  }
  for (std::thread& t : done) t.join();
}

absl::Status ThreadPool::Resize(int min_threads, int max_threads) {
  CheckOwner("ThreadPool::Resize");
  absl::Status bounds = CheckBounds(min_threads, max_threads);
  if (!bounds.ok()) return bounds;
  ReapFinished();
  std::lock_guard<std::mutex> lock(mu_);
  options_.min_threads = min_threads;
  options_.max_threads = max_threads;
  work_ready_.notify_all();  // surplus idle threads retire
  // A raised maximum serves queued work at once, not at the next Spawn.
  std::size_t unserved =
      queue_.size() - std::min(queue_.size(), static_cast<std::size_t>(idle_));
  for (; unserved > 0 && threads_ < options_.max_threads; --unserved) {
    StartWorkerLocked();
  }
  return absl::OkStatus();
}

int ThreadPool::max_threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return options_.max_threads;
}

int ThreadPool::min_threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return options_.min_threads;
}

int ThreadPool::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return threads_;
}

std::size_t ThreadPool::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

}  // namespace evergreen
