// Helpers shared by the demux tests: a hang guard, a tape that collects hand-overs, a stall catcher.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "retrace/demux/demux.h"

namespace retrace::demux::test {

using namespace std::chrono_literals;

/** Aborts the whole test binary, naming the test, if it is still running after `limit`: a hang is a failure. */
class HangGuard {
 public:
  explicit HangGuard(std::chrono::milliseconds limit = 20s) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name() : "?";
    thread_ = std::thread([this, limit, name] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
        std::fprintf(stderr, "HANG: %s still running after %lld ms\n", name.c_str(),
                     static_cast<long long>(limit.count()));
        std::abort();
      }
    });
  }
  ~HangGuard() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  HangGuard(const HangGuard&) = delete;
  HangGuard& operator=(const HangGuard&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

/** Collects what onHandover reports (the agent's tape, in miniature). */
class Tape {
 public:
  std::function<void(const Handover&)> sink() {
    return [this](const Handover& h) {
      std::lock_guard<std::mutex> lock(mu_);
      entries_.push_back(h);
    };
  }
  std::vector<Handover> entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Handover> entries_;
};

/** Collects what onStall reports, and when. */
class StallCatcher {
 public:
  std::function<void(const StallReport&)> sink() {
    return [this](const StallReport& report) {
      std::lock_guard<std::mutex> lock(mu_);
      reports_.push_back(report);
      at_ = std::chrono::steady_clock::now();
    };
  }
  std::vector<StallReport> reports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
  }
  std::chrono::steady_clock::time_point at() const {
    std::lock_guard<std::mutex> lock(mu_);
    return at_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<StallReport> reports_;
  std::chrono::steady_clock::time_point at_{};
};

/** Per-thread "blocked in the VM" flags, standing in for the agent's JVMTI thread state. */
class BlockedFlags {
 public:
  void set(uint32_t id, bool blocked) {
    std::lock_guard<std::mutex> lock(mu_);
    if (id >= flags_.size()) flags_.resize(id + 1, false);
    flags_[id] = blocked;
  }
  bool get(uint32_t id) const {
    std::lock_guard<std::mutex> lock(mu_);
    return id < flags_.size() && flags_[id];
  }
  std::function<bool(uint32_t)> probe() {
    return [this](uint32_t id) { return get(id); };
  }

 private:
  mutable std::mutex mu_;
  std::vector<bool> flags_;
};

/** A new thread that, once granted the baton, notes that it ran and exits at once. */
class ArrivingChild {
 public:
  ArrivingChild(Demux& demux, uint32_t id)
      : thread_([&demux, id, this] {
          demux.arrive(id);
          ran = true;
          demux.exit(id);
        }) {}
  ~ArrivingChild() {
    if (thread_.joinable()) thread_.join();
  }
  void join() { thread_.join(); }

  std::atomic<bool> ran{false};

 private:
  std::thread thread_;
};

inline Options recordOptions(Tape& tape) {
  Options options;
  options.mode = Mode::kRecord;
  options.onHandover = tape.sink();
  return options;
}

inline Options replayOptions(std::vector<Handover> schedule, StallCatcher& stalls) {
  Options options;
  options.mode = Mode::kReplay;
  options.schedule = std::move(schedule);
  options.onStall = stalls.sink();
  options.replayWait = 5s;
  return options;
}

/** Polls `condition` until it holds or `limit` passes; true when it held. */
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100us);
  }
  return true;
}

inline std::string text(const std::vector<Handover>& schedule) {
  std::string out;
  for (const Handover& h : schedule) {
    out += "{" + std::to_string(h.from) + "@" + std::to_string(h.fromPoint) + "->" + std::to_string(h.to) + " " +
           toString(h.kind) + "} ";
  }
  return out;
}

}  // namespace retrace::demux::test
