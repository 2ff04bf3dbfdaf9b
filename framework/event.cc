#include "framework/event.h"


namespace evergreen {

Event::Event() : state_(std::make_shared<State>(Hub::Current())) {}

void Event::Set() {
  if (Hub::CurrentIfExists() == state_->hub) {
    state_->SetHere();
    return;
  }
  state_->remote->Post([state = state_] { state->SetHere(); });
}

void Event::Clear() {
  state_->hub->CheckThread("Event::Clear");
  state_->flag = false;
}

bool Event::Wait(absl::Duration timeout) {
  state_->hub->CheckThread("Event::Wait");
  return internal::WaitForLinkable(*state_, timeout);
}

}  // namespace evergreen
