// A background thread that sleeps in steps and is woken at once when its owner is done: the
// progress line and a sweep point's watchdog. The destructor stops and joins it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

namespace dfsim {

class StoppableThread {
 public:
  StoppableThread() = default;
  StoppableThread(const StoppableThread&) = delete;
  StoppableThread& operator=(const StoppableThread&) = delete;
  ~StoppableThread() { stop(); }

  // Runs body(*this) on the thread; the body calls stopped_within() to sleep.
  template <class Body>
  void start(Body body) {
    thread_ = std::thread([this, b = std::move(body)]() mutable { b(*this); });
  }

  // Sleeps up to `seconds`; true as soon as stop() is called (or if it already was).
  bool stopped_within(double seconds) {
    std::unique_lock<std::mutex> lock(mutex_);
    return wake_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return done_; });
  }

  void stop() {
    if (!thread_.joinable()) return;
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::thread thread_;  // last: started after the members it uses exist
};

}  // namespace dfsim
