#include "framework/hub.h"

#include <ev.h>
#include <sched.h>
#include <time.h>

#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "framework/internal/delayed_call.h"
#include "framework/internal/hub_registry.h"
#include "framework/internal/hub_remote.h"

namespace evergreen {
namespace {

// Owns the thread's hub. Its destructor must run before the greenlet
// layer's thread state is torn down, which Current() ensures by creating
// that state first (thread_local destructors run in reverse order).
thread_local std::unique_ptr<Hub> owned_hub;

// Cross-hub traffic on this thread: set when its code posts to another
// hub or its hub drains posts, cleared when a spin for posts (below) came
// back empty. While set, the hub spins briefly before it sleeps.
thread_local bool cross_hub_traffic = false;

// DrainPosted's buffer between drains (empty): it and the remote's list
// trade buffers instead of allocating one per batch of posts.
thread_local std::vector<absl::AnyInvocable<void()>> spare_posts;

// How long a hub with nothing ready spins for a post before it sleeps in
// the poll, by default (Hub::set_remote_spin). A cross-hub request/reply
// takes the peer hub ~1-2 us of work; caught by the spin, it costs no
// thread wake-up (eventfd write + epoll return, 5-50 us), and neither does
// the next one, as the peer spins too. Spins only after cross-hub
// traffic, once per burst when nothing follows, so an idle hub sleeps at
// once.
constexpr absl::Duration kDefaultRemoteSpin = absl::Microseconds(20);

// Spins that found nothing back off: after one, the next `spin_backoff`
// sleeps of this thread's hub skip the spin; one that paid halves it (see
// Hub::Run).
thread_local int spin_backoff = 0;
// The CPU that the hub this thread last posted to last ran on (-1: none).
thread_local int peer_cpu = -1;
thread_local int spin_skips = 0;
constexpr int kMaxSpinBackoff = 255;

std::int64_t MonotonicNanos() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins up to `nanos`; returns true as soon as a post waits.
bool SpinUntilPosted(const internal::HubRemote& remote, std::int64_t nanos) {
  const std::int64_t until = MonotonicNanos() + nanos;
  do {
    for (int i = 0; i < 32; ++i) {
      if (remote.has_posts()) return true;
      CpuRelax();
    }
  } while (MonotonicNanos() < until);
  return false;
}

// The same, for a peer that shares this CPU: spinning would only hold it
// off, so this gives the CPU away (sched_yield) between peeks. The peer,
// runnable, runs at once; its reply finds this hub outside its poll (no
// eventfd write) and, as the peer yields in turn, a same-CPU round trip
// costs two yields instead of two sleeps and wake-ups through the kernel.
bool YieldUntilPosted(const internal::HubRemote& remote, std::int64_t nanos) {
  const std::int64_t until = MonotonicNanos() + nanos;
  do {
    if (remote.has_posts()) return true;
    sched_yield();
  } while (MonotonicNanos() < until);
  return remote.has_posts();
}

}  // namespace

bool internal::HubRemote::Post(absl::AnyInvocable<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return false;
    posted_.push_back(std::move(fn));
    has_posts_.store(true, std::memory_order_release);
    // Counted under the lock: Close() waits for this signal to finish.
    signalling_.fetch_add(1, std::memory_order_relaxed);
  }
  Signal();
  if (Hub::current_ != nullptr && Hub::current_->remote().get() != this) {
    cross_hub_traffic = true;  // a reply may come soon: spin for it
    peer_cpu = cpu();
  }
  return true;
}

void internal::HubRemote::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    signalling_.fetch_add(1, std::memory_order_relaxed);
  }
  Signal();
}

void internal::HubRemote::Signal() {
  // Off the lock: when the loop sleeps, ev_async_send writes its eventfd,
  // and the woken hub's first step is Take(), which would block on a lock
  // still held through the write (a futex wait and wake per post, measured
  // on cross-hub Asks). loop_ and async_ stay valid: Close() waits until
  // every signal counted in signalling_ is done. libev writes the eventfd
  // only while the loop sleeps in its poll; a loop awake (or spinning in
  // Hub::Run) just finds the flag.
  ev_async_send(loop_, async_);
  signalling_.fetch_sub(1, std::memory_order_release);
}

void internal::HubRemote::Take(
    std::vector<absl::AnyInvocable<void()>>* into) {
  std::lock_guard<std::mutex> lock(mu_);
  has_posts_.store(false, std::memory_order_relaxed);
  into->swap(posted_);
}

void internal::HubRemote::Close() {
  std::vector<absl::AnyInvocable<void()>> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    dropped.swap(posted_);
    has_posts_.store(false, std::memory_order_relaxed);
  }
  // Signals begun before the close still use the loop (destroyed after
  // this returns): wait for them; they take a system call at most.
  while (signalling_.load(std::memory_order_acquire) != 0) sched_yield();
  // Destroyed off the lock: a dropped function may own something whose
  // destructor posts (a HubKeepAlive), which is then refused, not a
  // self-deadlock.
  dropped.clear();
}

Hub* Hub::CreateCurrent() {
  RawGreenlet::Current();  // the greenlet thread state must outlive the hub
  owned_hub.reset(new Hub());
  current_ = owned_hub.get();
  return current_;
}

void Hub::DestroyCurrent() { owned_hub.reset(); }

Hub::Hub()
    // A loop of its own even on the main thread: a hub destroyed and made
    // again must not inherit the old one's watchers or references.
    : loop_(ev_loop_new(EVFLAG_AUTO)),
      async_(std::make_unique<ev_async>()),
      last_poll_(internal::CoarseNanos()),
      slice_start_(last_poll_) {
  set_poll_budget(kDefaultPollBudget);
  set_remote_spin(kDefaultRemoteSpin);
  if (loop_ == nullptr) {
    std::fprintf(stderr, "evergreen: libev could not create a loop\n");
    std::abort();
  }
  ev_set_userdata(loop_, this);
  ev_async_init(async_.get(), &Hub::OnAsync);
  ev_async_start(loop_, async_.get());
  ev_unref(loop_);  // posts alone do not keep the loop alive
  remote_ = std::make_shared<internal::HubRemote>(loop_, async_.get());
  greenlet_ = std::make_unique<RawGreenlet>(
      [this](void*) -> void* {
        Run();
        return nullptr;
      },
      RawGreenlet::Options{.parent = RawGreenlet::Main(), .name = "hub"});
  registry_entry_ = internal::RegisterHub(this, remote_);
}

Hub::~Hub() {
  while (!extensions_.empty()) extensions_.pop_back();
  destroying_ = true;
  // What was still alive is counted (HubLeftoversSoFar(), the tests' leak
  // check) before it is shut down.
  HubLeftovers left{.greenlets_killed = live_greenlets_,
                    .calls_dropped = pending_calls_,
                    .callbacks_discarded = soon_calls_};
  // Unwind every live greenlet; each untracks itself.
  while (tracked_ != nullptr) tracked_->ShutdownForHub();
  remote_->Close();
  greenlet_.reset();  // unwinds Run(); an unfinished batch returns to ready_
  // (A batch begun by a hand-off while the hub was not running one.)
  while (internal::Runnable* node = batch_.PopFront()) node->Discard();
  while (internal::Runnable* node = ready_.PopFront()) node->Discard();
  // Referenced watchers nobody stopped (a keep-alive never released, a
  // watcher of one's own).
  left.watchers_left = static_cast<std::uint64_t>(
      std::max(0, active_watchers_ + remote_->keep_alives()));
  if (left.total() != 0) internal::AddHubLeftovers(left);
  ev_ref(loop_);
  ev_async_stop(loop_, async_.get());
  ev_loop_destroy(loop_);
  internal::UnregisterHub(registry_entry_);  // after Run() has unwound
  if (Hub::current_ == this) Hub::current_ = nullptr;
}

void Hub::FailCheckThread(const char* what) {
  throw WrongThreadError(
      absl::StrCat(what, ": object belongs to another thread's hub"));
}

bool Hub::Join(absl::Duration timeout) {
  CheckThread("Hub::Join");
  if (RawGreenlet::Current() != RawGreenlet::Main()) {
    throw BlockingInHubError("Hub::Join must be called from the main greenlet");
  }
  struct JoinTimer {
    ev_timer watcher;
    Hub* hub;
  } timer;
  timer.hub = this;
  const bool timed = timeout != absl::InfiniteDuration();
  if (timed) {
    ev_timer_init(
        &timer.watcher,
        [](struct ev_loop* loop, ev_timer* w, int) {
          ev_ref(loop);  // balances the ev_unref below as the timer stops
          reinterpret_cast<JoinTimer*>(w)->hub->join_timed_out_ = true;
        },
        absl::ToDoubleSeconds(timeout), 0.0);
    RefreshLoopTime();
    ev_timer_start(loop_, &timer.watcher);
    ev_unref(loop_);  // the deadline alone does not keep the loop alive
  }
  joining_ = true;
  join_timed_out_ = false;
  struct Cleanup {
    JoinTimer* timer;
    bool timed;
    ~Cleanup() {
      Hub* hub = timer->hub;
      hub->joining_ = false;
      if (timed && ev_is_active(&timer->watcher)) {
        ev_ref(hub->loop_);
        ev_timer_stop(hub->loop_, &timer->watcher);
      }
    }
  } cleanup{&timer, timed};
  RawGreenlet::Current()->set_waiting_since(internal::CoarseNanos());
  greenlet_->Switch();
  return !join_timed_out_;
}

std::int64_t Hub::WaitStartNanos() const {
  const std::uint64_t activity =
      registry_entry_->activity.load(std::memory_order_relaxed);
  return (activity & 1) != 0 ? slice_start_ : internal::CoarseNanos();
}

void Hub::Post(absl::AnyInvocable<void()> fn) { remote_->Post(std::move(fn)); }

namespace {

// A callback in the ready list that owns itself.
class SoonCall final {
 public:
  SoonCall(absl::AnyInvocable<void()> fn, std::size_t* count)
      : fn_(std::move(fn)), count_(count), node_(this) {
    ++*count_;
  }
  internal::Runnable* node() { return &node_; }

 private:
  void Run(bool discard) {
    std::unique_ptr<SoonCall> owned(this);
    --*count_;
    if (!discard) fn_();
  }

  absl::AnyInvocable<void()> fn_;
  std::size_t* count_;  // the hub's soon_calls_
  internal::BoundRunnable<SoonCall, &SoonCall::Run> node_;
};

}  // namespace

void Hub::CallSoon(absl::AnyInvocable<void()> fn) {
  CheckThread("Hub::CallSoon");
  Schedule((new SoonCall(std::move(fn), &soon_calls_))->node());
}

TimerHandle Hub::CallLater(absl::Duration delay,
                           absl::AnyInvocable<void()> fn) {
  CheckThread("Hub::CallLater");
  auto* call = new internal::DelayedCall(this, delay, std::move(fn));
  call->AddRef();  // the handle's
  return TimerHandle(call);
}

void Hub::HandleError(absl::string_view where, std::exception_ptr error) {
  if (error_handler_) {
    error_handler_(where, error);
    return;
  }
  std::fprintf(stderr, "evergreen: uncaught error in %.*s: %s\n",
               static_cast<int>(where.size()), where.data(),
               DescribeException(error).c_str());
}

void Hub::SetErrorHandler(ErrorHandler handler) {
  error_handler_ = std::move(handler);
}

[[gnu::always_inline]] inline bool Hub::MayHandOff(bool batch_over) {
  if (handoffs_ >= kMaxHandOffs || destroying_) return false;
  // Beginning the next batch is what Run() does between batches, unless it
  // has more to do there: a poll due by count, a Join timed out.
  if (batch_over && (batches_since_poll_ + 1 >= kBatchesPerPoll ||
                     (joining_ && join_timed_out_))) {
    return false;
  }
  // Only while the hub runs a batch (its activity count odd, see
  // internal/hub_registry.h): a hand-off then counts as the hub running
  // the next node (+2: still odd, but changed, so the blocking monitor
  // sees progress and names whoever holds the hub).
  std::atomic<std::uint64_t>& activity = registry_entry_->activity;
  const std::uint64_t count = activity.load(std::memory_order_relaxed);
  if ((count & 1) == 0) return false;
  // The budget, as RunReadyBatch checks it after every node.
  const std::int64_t now = internal::CoarseNanos();
  if (now - last_poll_ >= poll_budget_) return false;
  activity.store(count + 2, std::memory_order_relaxed);
  if (batch_over) {
    ++turns_;
    ++batches_since_poll_;
    ready_.SpliceInto(&batch_);
  }
  ++handoffs_;
  slice_start_ = now;
  return true;
}

[[gnu::always_inline]] inline internal::Runnable* Hub::NextHandOff(bool need_target) {
  const bool batch_over = batch_.empty();
  internal::Runnable* next = batch_over ? ready_.front() : batch_.front();
  if (next == nullptr || !next->hands_off()) return nullptr;
  if (need_target && next->Target() == nullptr) return nullptr;
  if (!MayHandOff(batch_over)) return nullptr;
  batch_.PopFront();
  return next;
}

[[gnu::always_inline]] inline bool Hub::HandOff() {
  internal::Runnable* next = NextHandOff(/*need_target=*/false);
  if (next == nullptr) return false;
  RawGreenlet* target = next->Target();
  if (target != nullptr && !target->started() && !target->Prepare().ok())
      [[unlikely]] {
    // No stack for it: the hub runs the start and reports the failure.
    batch_.PushFront(next);
    return false;
  }
  next->Run();
  return true;
}

void Hub::Suspend() {
  RawGreenlet* self = RawGreenlet::Current();
  if (self == greenlet_.get()) {
    throw BlockingInHubError(
        "cannot block inside the hub (a blocking call was made from a libev "
        "callback, a link callback or a posted function)");
  }
  if (destroying_) throw GreenletExit();
  if (HandOff()) return;
  greenlet_->Switch();
}

RawGreenlet* Hub::HandOffAtExit() {
  internal::Runnable* next = NextHandOff(/*need_target=*/true);
  return next != nullptr ? next->Target() : nullptr;
}

void Hub::Yield() {
  // Nothing else is ready: the hub would only resume the caller. Unless it
  // has work between batches (see MayHandOff), that is a turn without it.
  if (ready_.empty() && batch_.empty() && !InHub() &&
      MayHandOff(/*batch_over=*/true)) {
    return;
  }
  // A bare ready-list node on this stack: no timer, no wake-up flags.
  struct YieldNode {
    internal::Runnable node{&YieldNode::Resume, &YieldNode::Target};
    RawGreenlet* greenlet;
    static void Resume(internal::Runnable* node, bool discard) {
      if (!discard) reinterpret_cast<YieldNode*>(node)->greenlet->Switch();
    }
    static RawGreenlet* Target(internal::Runnable* node) {
      return reinterpret_cast<YieldNode*>(node)->greenlet;
    }
  } yield{.greenlet = RawGreenlet::Current()};
  // The node outlives its place in the list: it is unlinked when run, and
  // by its destructor if an exception unwinds this frame first.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
  Schedule(&yield.node);
#pragma GCC diagnostic pop
  while (yield.node.linked()) Suspend();
}

HubStats Hub::stats() const {
  HubStats stats{.greenlets = live_greenlets_,
                 .callbacks = soon_calls_,
                 .pending_calls = pending_calls_,
                 .posted = remote_->pending(),
                 .active_watchers = active_watchers_ + remote_->keep_alives(),
                 .ready = ready_.size() + batch_.size()};
  return stats;
}

void Hub::RefreshLoopTime() { ev_now_update(loop_); }

void Hub::set_poll_budget(absl::Duration budget) {
  if (budget <= absl::ZeroDuration()) {
    throw std::invalid_argument(absl::StrCat(
        "Hub::set_poll_budget: the budget must be positive, got ",
        absl::FormatDuration(budget)));
  }
  poll_budget_ = absl::ToInt64Nanoseconds(budget);
  yield_after_ = poll_budget_ + internal::CoarseResolutionNanos();
}

absl::Duration Hub::poll_budget() const {
  return absl::Nanoseconds(poll_budget_);
}

void Hub::set_remote_spin(absl::Duration spin) {
  if (spin < absl::ZeroDuration() || spin > absl::Milliseconds(1)) {
    throw std::invalid_argument(absl::StrCat(
        "Hub::set_remote_spin: the spin must be within [0, 1ms], got ",
        absl::FormatDuration(spin)));
  }
  remote_spin_ = absl::ToInt64Nanoseconds(spin);
}

absl::Duration Hub::remote_spin() const {
  return absl::Nanoseconds(remote_spin_);
}

void Hub::YieldSlice() {
  // Not in a callback (it must not switch), nor while unwinding (a
  // destructor's I/O must not meet a GreenletExit from a dying hub).
  if (InHub() || destroying_ || std::uncaught_exceptions() > 0) return;
  Yield();
}

void Hub::AddKeepAlive() { ev_ref(loop_); }

void Hub::ReleaseKeepAlive() { ev_unref(loop_); }

void Hub::OnAsync(struct ev_loop* loop, ev_async*, int) {
  static_cast<Hub*>(ev_userdata(loop))->DrainPosted();
}

void Hub::DrainPosted() {
  // The buffer of the last drain (empty) goes to the remote for the next
  // posts; on an unwind the batch dies here, as before.
  std::vector<absl::AnyInvocable<void()>> posted = std::move(spare_posts);
  remote_->Take(&posted);
  if (!posted.empty()) cross_hub_traffic = true;  // more may follow
  for (auto& fn : posted) {
    try {
      fn();
    } catch (const GreenletExit&) {
      throw;  // the hub greenlet itself is being unwound
    } catch (...) {
      HandleError("posted function", std::current_exception());
    }
  }
  posted.clear();
  spare_posts = std::move(posted);
}

void Hub::RunReadyBatch() {
  // Only what was ready when the batch began runs now: what it schedules
  // (a Sleep(0), a wake-up) waits for the next turn, after I/O is polled.
  // (A greenlet's hand-off may begin the next batch in the hub's place.)
  ready_.SpliceInto(&batch_);
  // If the batch stops early, or the hub greenlet is unwound mid-batch,
  // what was not run yet goes back to the front of the ready list (in
  // order) so that it runs first, or destruction discards it.
  struct Restore {
    internal::RunnableList* batch;
    internal::RunnableList* ready;
    ~Restore() {
      if (batch->empty()) return;
      ready->SpliceInto(batch);
      batch->SpliceInto(ready);
    }
  } restore{&batch_, &ready_};
  std::int64_t now = internal::CoarseNanos();
  while (internal::Runnable* node = batch_.PopFront()) {
    slice_start_ = now;
    internal::HubBusyScope busy(registry_entry_);  // for the monitor
    try {
      node->Run();
    } catch (const GreenletExit&) {
      throw;  // the hub greenlet itself is being unwound
    } catch (...) {
      HandleError("hub callback", std::current_exception());
    }
    handoffs_ = 0;  // the hub runs again
    // Greenlets that work between yields must not hold off timers and I/O
    // for a whole batch: once the budget is spent, stop here (the rest of
    // the batch goes back first in line) and let Run() poll.
    now = internal::CoarseNanos();
    if (now - last_poll_ >= poll_budget_) return;
  }
}

void Hub::PollAhead() {
  // What the poll wakes (a timer's greenlet, a readable socket's) runs
  // before the work that was already ready, as in gevent and libev's own
  // loop: latency follows the budget, not the length of the ready list;
  // the ready work still runs after it, in order.
  struct Waiting {
    internal::RunnableList nodes;
    internal::RunnableList* ready;
    bool* polling_ahead;
    ~Waiting() {  // also if the poll unwinds
      nodes.SpliceInto(ready);
      *polling_ahead = false;
    }
  } waiting{.ready = &ready_, .polling_ahead = &polling_ahead_};
  ready_.SpliceInto(&waiting.nodes);
  polling_ahead_ = true;
  Poll(EVRUN_NOWAIT);
}

bool Hub::Poll(int flags) {
  const bool alive = ev_run(loop_, flags) != 0;
  batches_since_poll_ = 0;
  last_poll_ = internal::CoarseNanos();
  return alive;
}

void Hub::RanDry() {
  // Nothing is ready and no referenced watcher is active: nothing can ever
  // resume a waiting greenlet. A Join() is over; a wait in the main
  // greenlet would block forever.
  slice_start_ = internal::CoarseNanos();
  if (joining_) {
    joining_ = false;
    RawGreenlet::Main()->Switch();
  } else {
    RawGreenlet::Main()->Throw(LoopExit(
        "this operation would block forever: the main greenlet waits, but "
        "no greenlet is runnable and no watcher is active"));
  }
}

void Hub::Run() {
  for (;;) {
    ++turns_;
    if (joining_ && join_timed_out_) {
      joining_ = false;
      slice_start_ = internal::CoarseNanos();
      RawGreenlet::Main()->Switch();
    }
    RunReadyBatch();
    if (!ready_.empty()) {
      // Polling costs a system call; while greenlets keep each other busy,
      // poll every few batches, or once the time budget is spent: I/O and
      // timers still run within a bounded number of turns and a bounded
      // time, and yields stay cheap.
      if (++batches_since_poll_ >= kBatchesPerPoll ||
          internal::CoarseNanos() - last_poll_ >= poll_budget_) {
        PollAhead();
      }
      continue;
    }
    // Nothing is ready. After cross-hub traffic, spin briefly for the next
    // post (a reply, a request) before sleeping: it then costs no thread
    // wake-up. I/O and timers are still polled once the budget has passed,
    // however long the traffic lasts. A spin that finds nothing disarms
    // (the poll below then sleeps), so an idle hub burns no CPU.
    if (cross_hub_traffic && remote_spin_ > 0) {
      if (internal::CoarseNanos() - last_poll_ >= poll_budget_) {
        Poll(EVRUN_NOWAIT);
        if (!ready_.empty()) continue;
      }
      cross_hub_traffic = false;  // set again by what the spin drains
      const int cpu = sched_getcpu();
      remote_->set_cpu(cpu);
      if (spin_skips > 0) {
        --spin_skips;
      } else if (cpu == peer_cpu
                     ? YieldUntilPosted(*remote_, remote_spin_)
                     : SpinUntilPosted(*remote_, remote_spin_)) {
        // (cpu == peer_cpu: the hub we last posted to last ran on this
        // CPU; on a loaded machine the scheduler keeps a waker and its
        // wakee together, and a busy spin would only hold off the peer we
        // wait for: yield to it instead.)
        spin_backoff /= 2;  // one lucky spin does not undo a losing streak
        DrainPosted();
        continue;
      } else {
        // The peer did not answer in time (it is busy, or descheduled on
        // a loaded machine, where spinning would take its CPU): sleep
        // without spinning for the next 1, 3, 7, ... sleeps, up to
        // kMaxSpinBackoff; spins that pay halve it again. So spinning
        // stays on while most spins pay (two hubs on idle cores) and
        // mostly off while most do not.
        spin_backoff = std::min(2 * spin_backoff + 1, kMaxSpinBackoff);
        spin_skips = spin_backoff;
      }
    }
    // Blocks only while some referenced watcher is active; returns whether
    // one still is.
    const bool alive = Poll(EVRUN_ONCE);
    if (!alive && ready_.empty()) RanDry();
  }
}

}  // namespace evergreen
