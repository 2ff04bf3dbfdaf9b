// Behaviour of the raw greenlet: B-R1 ... B-R6 of docs/behaviours.md and
// the edge cases of switching, throwing and unwinding.
#include "greenlet/raw_greenlet.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace evergreen {
namespace {

using ::testing::HasSubstr;

void* AsPtr(intptr_t v) { return reinterpret_cast<void*>(v); }
intptr_t AsInt(void* p) { return reinterpret_cast<intptr_t>(p); }

// B-R1
TEST(RawGreenletTest, NewGreenletIsNotStartedUntilSwitchedTo) {
  bool ran = false;
  RawGreenlet g([&](void*) -> void* {
    ran = true;
    return nullptr;
  });
  EXPECT_FALSE(g.started());
  EXPECT_FALSE(g.dead());
  EXPECT_FALSE(ran);
  g.Switch();
  EXPECT_TRUE(ran);
  EXPECT_TRUE(g.started());
  EXPECT_TRUE(g.dead());
}

// B-R1
TEST(RawGreenletTest, SwitchRunsUntilTheGreenletSwitchesAway) {
  std::vector<int> trace;
  RawGreenlet g([&](void*) -> void* {
    trace.push_back(1);
    RawGreenlet::Main()->Switch();
    trace.push_back(3);
    return nullptr;
  });
  g.Switch();
  trace.push_back(2);
  EXPECT_TRUE(g.active());
  g.Switch();
  EXPECT_THAT(trace, ::testing::ElementsAre(1, 2, 3));
  EXPECT_TRUE(g.dead());
}

// B-R1
TEST(RawGreenletTest, SwitchingIntoADeadGreenletIsAnError) {
  RawGreenlet g([](void*) -> void* { return nullptr; });
  g.Switch();
  ASSERT_TRUE(g.dead());
  try {
    g.Switch();
    FAIL() << "switch into a dead greenlet succeeded";
  } catch (const GreenletError& e) {
    EXPECT_THAT(e.what(), HasSubstr("dead"));
  }
}

// B-R2
TEST(RawGreenletTest, ValuesPassBothWaysOnASwitch) {
  RawGreenlet g([](void* first) -> void* {
    intptr_t received = AsInt(first);
    void* second = RawGreenlet::Main()->Switch(AsPtr(received * 10));
    return AsPtr(AsInt(second) + 1);
  });
  EXPECT_EQ(AsInt(g.Switch(AsPtr(4))), 40);
  EXPECT_EQ(AsInt(g.Switch(AsPtr(7))), 8);  // the return value
  EXPECT_TRUE(g.dead());
}

TEST(RawGreenletTest, SwitchToSelfReturnsTheValue) {
  RawGreenlet* main = RawGreenlet::Main();
  EXPECT_EQ(RawGreenlet::Current(), main);
  EXPECT_EQ(AsInt(main->Switch(AsPtr(5))), 5);
}

// B-R3
TEST(RawGreenletTest, EscapingExceptionIsRaisedInTheParent) {
  RawGreenlet g([](void*) -> void* { throw std::runtime_error("boom"); });
  EXPECT_THROW(
      {
        try {
          g.Switch();
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "boom");
          throw;
        }
      },
      std::runtime_error);
  EXPECT_TRUE(g.dead());
}

TEST(RawGreenletTest, GreenletExitEscapingTheBodyCountsAsReturn) {
  RawGreenlet g([](void*) -> void* { throw GreenletExit(); });
  EXPECT_EQ(g.Switch(), nullptr);
  EXPECT_TRUE(g.dead());
}

// B-R4
TEST(RawGreenletTest, ThrowRaisesAtTheSwitchPointAndRunsDestructors) {
  struct Flag {
    bool* set;
    ~Flag() { *set = true; }
  };
  bool destroyed = false;
  bool caught = false;
  RawGreenlet g([&](void*) -> void* {
    Flag flag{&destroyed};
    try {
      RawGreenlet::Main()->Switch();
    } catch (const std::invalid_argument&) {
      caught = true;
      throw;
    }
    return nullptr;
  });
  g.Switch();
  EXPECT_THROW(g.Throw(std::invalid_argument("x")), std::invalid_argument);
  EXPECT_TRUE(caught);
  EXPECT_TRUE(destroyed);
  EXPECT_TRUE(g.dead());
}

// B-R4
TEST(RawGreenletTest, ThrowIntoNotStartedGreenletKillsItWithoutRunning) {
  bool ran = false;
  RawGreenlet g([&](void*) -> void* {
    ran = true;
    return nullptr;
  });
  EXPECT_EQ(g.Throw(GreenletExit()), nullptr);
  EXPECT_FALSE(ran);
  EXPECT_TRUE(g.dead());

  RawGreenlet h([&](void*) -> void* {
    ran = true;
    return nullptr;
  });
  EXPECT_THROW(h.Throw(std::runtime_error("no")), std::runtime_error);
  EXPECT_FALSE(ran);
  EXPECT_TRUE(h.dead());
}

// B-R5
TEST(RawGreenletTest, DestroyingASuspendedGreenletUnwindsIt) {
  bool destroyed = false;
  bool saw_exit = false;
  {
    struct Flag {
      bool* set;
      ~Flag() { *set = true; }
    };
    RawGreenlet g([&](void*) -> void* {
      Flag flag{&destroyed};
      try {
        RawGreenlet::Main()->Switch();
      } catch (const GreenletExit&) {
        saw_exit = true;
        throw;
      }
      return nullptr;
    });
    g.Switch();
    EXPECT_FALSE(destroyed);
  }
  EXPECT_TRUE(saw_exit);
  EXPECT_TRUE(destroyed);
  EXPECT_EQ(RawGreenlet::Current(), RawGreenlet::Main());
}

TEST(RawGreenletTest, DestroyingANotStartedGreenletNeverRunsIt) {
  bool ran = false;
  {
    RawGreenlet g([&](void*) -> void* {
      ran = true;
      return nullptr;
    });
  }
  EXPECT_FALSE(ran);
}

// B-R5: the unwound greenlet's stack goes back to the pool and is reused.
TEST(RawGreenletTest, StackIsReusedAfterUnwinding) {
  const void* first_stack = nullptr;
  {
    RawGreenlet g([](void*) -> void* {
      RawGreenlet::Main()->Switch();
      return nullptr;
    });
    g.Switch();
    first_stack = g.stack()->bottom();
  }
  RawGreenlet h([](void*) -> void* {
    RawGreenlet::Main()->Switch();
    return nullptr;
  });
  h.Switch();
  ASSERT_NE(h.stack(), nullptr);
  EXPECT_EQ(h.stack()->bottom(), first_stack);
  h.Switch();
  EXPECT_EQ(h.stack(), nullptr);  // released on death
}

// B-R6
TEST(RawGreenletTest, SwitchingToAnotherThreadsGreenletIsRefused) {
  RawGreenlet g([](void*) -> void* { return nullptr; });
  std::string message;
  std::thread other([&] {
    try {
      g.Switch();
    } catch (const GreenletError& e) {
      message = e.what();
    }
  });
  other.join();
  EXPECT_THAT(message, HasSubstr("another thread"));
  EXPECT_FALSE(g.started());
  g.Switch();
  EXPECT_TRUE(g.dead());
}

TEST(RawGreenletTest, EachThreadHasItsOwnMainGreenlet) {
  RawGreenlet* here = RawGreenlet::Main();
  RawGreenlet* there = nullptr;
  intptr_t result = 0;
  std::thread other([&] {
    there = RawGreenlet::Main();
    RawGreenlet g([](void* v) -> void* { return AsPtr(AsInt(v) * 2); });
    result = AsInt(g.Switch(AsPtr(21)));
  });
  other.join();
  EXPECT_NE(here, there);
  EXPECT_EQ(result, 42);
}

TEST(RawGreenletTest, ExceptionThrownWhileAnotherIsBeingHandled) {
  // Greenlet a switches away from inside a catch block; b throws and catches
  // its own exception meanwhile; a's handled exception is intact after.
  std::string rethrown;
  RawGreenlet b([](void*) -> void* {
    try {
      throw std::runtime_error("b's error");
    } catch (const std::runtime_error&) {
      RawGreenlet::Main()->Switch();
    }
    return nullptr;
  });
  RawGreenlet a([&](void*) -> void* {
    try {
      throw std::runtime_error("a's error");
    } catch (const std::runtime_error&) {
      b.Switch();  // b suspends inside its catch block and returns to main
      RawGreenlet::Main()->Switch();
      try {
        throw;  // rethrows a's exception, not b's
      } catch (const std::runtime_error& e) {
        rethrown = e.what();
      }
    }
    return nullptr;
  });
  a.Switch();  // a → b → main
  a.Switch();  // a resumes, switches to main
  b.Switch();  // b leaves its catch block and dies
  a.Switch();  // a rethrows its own exception
  EXPECT_EQ(rethrown, "a's error");
  EXPECT_TRUE(a.dead());
  EXPECT_TRUE(b.dead());
  EXPECT_EQ(std::uncaught_exceptions(), 0);
}

TEST(RawGreenletTest, ExceptionThrownDuringUnwindingOfAnother) {
  // A destructor running during GreenletExit unwinding throws and catches
  // its own exception; the unwinding completes.
  bool inner_caught = false;
  {
    struct Thrower {
      bool* caught;
      ~Thrower() {
        try {
          throw std::logic_error("inner");
        } catch (const std::logic_error&) {
          *caught = std::uncaught_exceptions() == 1;
        }
      }
    };
    RawGreenlet g([&](void*) -> void* {
      Thrower t{&inner_caught};
      RawGreenlet::Main()->Switch();
      return nullptr;
    });
    g.Switch();
  }
  EXPECT_TRUE(inner_caught);
}

TEST(RawGreenletTest, NestingThreeDeepReturnsThroughParents) {
  std::vector<std::string> trace;
  RawGreenlet outer([&](void*) -> void* {
    RawGreenlet middle([&](void*) -> void* {
      RawGreenlet inner([&](void* v) -> void* {
        trace.push_back("inner");
        return AsPtr(AsInt(v) + 1);
      });
      EXPECT_EQ(inner.parent(), RawGreenlet::Current());
      void* r = inner.Switch(AsPtr(1));
      trace.push_back("middle");
      return AsPtr(AsInt(r) + 1);
    });
    void* r = middle.Switch();
    trace.push_back("outer");
    return AsPtr(AsInt(r) + 1);
  });
  EXPECT_EQ(AsInt(outer.Switch()), 4);
  EXPECT_THAT(trace, ::testing::ElementsAre("inner", "middle", "outer"));
}

TEST(RawGreenletTest, ChildOfADeadParentReturnsUpTheChain) {
  std::unique_ptr<RawGreenlet> child;
  RawGreenlet parent([&](void*) -> void* {
    child = std::make_unique<RawGreenlet>([](void* v) -> void* {
      RawGreenlet::Main()->Switch();
      return v;
    });
    child->Switch(AsPtr(9));
    return nullptr;  // parent dies while child is suspended
  });
  parent.Switch();            // parent starts child, child switches to main
  parent.Switch();            // parent returns (dead)
  ASSERT_TRUE(parent.dead());
  // child finishes: its parent is dead, so control goes to main.
  EXPECT_EQ(AsInt(child->Switch()), 9);
  EXPECT_TRUE(child->dead());
}

TEST(RawGreenletTest, ExceptionFromChildOfDeadParentReachesGrandparent) {
  std::unique_ptr<RawGreenlet> child;
  RawGreenlet parent([&](void*) -> void* {
    child = std::make_unique<RawGreenlet>([](void*) -> void* {
      RawGreenlet::Main()->Switch();
      throw std::out_of_range("late");
    });
    child->Switch();
    return nullptr;
  });
  parent.Switch();
  parent.Switch();
  EXPECT_THROW(child->Switch(), std::out_of_range);
}

TEST(RawGreenletTest, SetParentRefusesCyclesAndNull) {
  RawGreenlet a([](void*) -> void* { return nullptr; });
  RawGreenlet b([](void*) -> void* { return nullptr; }, {.parent = &a});
  EXPECT_EQ(b.parent(), &a);
  EXPECT_EQ(a.SetParent(&b).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a.SetParent(nullptr).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(b.SetParent(RawGreenlet::Main()).ok());
}

TEST(RawGreenletTest, ReparentedGreenletReturnsToItsNewParent) {
  RawGreenlet* receiver_seen = nullptr;
  RawGreenlet receiver([&](void* v) -> void* {
    receiver_seen = RawGreenlet::Current();
    return v;
  });
  RawGreenlet worker([](void*) -> void* { return AsPtr(77); });
  ASSERT_TRUE(worker.SetParent(&receiver).ok());
  // worker's return value starts receiver, which returns it to main.
  EXPECT_EQ(AsInt(worker.Switch()), 77);
  EXPECT_EQ(receiver_seen, &receiver);
}

TEST(RawGreenletTest, ManyGreenletsAliveAtOnce) {
#if defined(__SANITIZE_THREAD__)
  constexpr int kCount = 2000;  // TSan counts each fiber as a thread (8128 max)
#else
  constexpr int kCount = 10000;
#endif
  std::vector<std::unique_ptr<RawGreenlet>> all;
  all.reserve(kCount);
  intptr_t sum = 0;
  for (int i = 0; i < kCount; ++i) {
    all.push_back(std::make_unique<RawGreenlet>([](void* v) -> void* {
      void* w = RawGreenlet::Main()->Switch(v);
      return AsPtr(AsInt(w) * 2);
    }));
    EXPECT_EQ(AsInt(all.back()->Switch(AsPtr(i))), i);
  }
  for (int i = 0; i < kCount; ++i) sum += AsInt(all[i]->Switch(AsPtr(i)));
  EXPECT_EQ(sum, static_cast<intptr_t>(kCount) * (kCount - 1));
  for (const auto& g : all) EXPECT_TRUE(g->dead());
}

TEST(RawGreenletTest, StackSizeOptionIsHonoured) {
  RawGreenlet g(
      [](void*) -> void* {
        RawGreenlet::Main()->Switch();
        return nullptr;
      },
      {.stack_size = 1024 * 1024, .name = "big"});
  g.Switch();
  ASSERT_NE(g.stack(), nullptr);
  EXPECT_GE(g.stack()->size(), 1024u * 1024u);
  EXPECT_EQ(g.name(), "big");
}

}  // namespace
}  // namespace evergreen
