// What travels on dfsim's TLM-2.0 sockets: the generic payload, the DataTransfer extension
// every target reads (which data type, how many bits on the wires, when service began), and
// one extension per protocol on top of it. Each protocol's extension lives with the
// components that speak it: the tagged multicast and the GON write with the NoCs
// (components/noc/noc.hpp), the row-stationary PE operations, the systolic stream and the sparse
// stream with their array styles. A target finds the extensions it needs by type, so a field
// means one thing wherever it is read.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <tuple>
#include <vector>

#include "base/sim_error.hpp"

namespace dfsim {

enum class DataKind : std::uint8_t { Weight = 0, Ifmap = 1, Psum = 2, Ofmap = 3 };
constexpr int kNumDataKinds = 4;
const char* to_string(DataKind k);

// The clone/copy boilerplate of a TLM extension; `T` names itself in error messages with a
// static `kName`.
template <class T>
struct Extension : tlm::tlm_extension<T> {
  tlm::tlm_extension_base* clone() const override { return new T(static_cast<const T&>(*this)); }
  void copy_from(const tlm::tlm_extension_base& e) override {
    static_cast<T&>(*this) = static_cast<const T&>(e);
  }
};

// What every dfsim transaction carries, whatever its protocol: memories, buses and PEs all
// count traffic and energy by data type and wire bits from it.
struct DataTransfer : Extension<DataTransfer> {
  static constexpr const char* kName = "DataTransfer";
  DataKind kind = DataKind::Ifmap;
  std::int64_t values = 0;           // data values carried
  std::int64_t bits_per_value = 16;  // width each value occupies on wires and in memories
  sc_core::sc_time started;          // filled by the target: when the resource began serving
  std::int64_t bits() const { return values * bits_per_value; }
};

// A shared resource (bus, bank, channel) in the loosely-timed model: requests are served in
// the order they are made, each starting when the resource is free.
class BusyResource {
 public:
  // Books `duration` at absolute time `earliest` or later; returns the start time.
  sc_core::sc_time book(const sc_core::sc_time& earliest, const sc_core::sc_time& duration) {
    const sc_core::sc_time start = earliest > busy_until_ ? earliest : busy_until_;
    busy_until_ = start + duration;
    busy_total_ += duration;
    return start;
  }
  const sc_core::sc_time& busy_until() const { return busy_until_; }
  const sc_core::sc_time& busy_total() const { return busy_total_; }
  void reset() { busy_until_ = sc_core::SC_ZERO_TIME; }

 private:
  sc_core::sc_time busy_until_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_total_ = sc_core::SC_ZERO_TIME;
};

// Transactions set up by initiators so far in this process (the simulation runs on one thread):
// what a benchmark divides host time by (DFSIM_REPORT_TRANSACTIONS, bench/speed_matrix.py).
inline std::uint64_t transactions_issued = 0;

// Generic payloads reused across transactions: constructing one allocates its extension array
// (a malloc and a free per transaction, ~15% of a transaction-bound run's host time). Per
// thread, used like a stack (a target may start transactions of its own while it serves one).
class PayloadPool {
 public:
  static tlm::tlm_generic_payload* take() {
    std::vector<std::unique_ptr<tlm::tlm_generic_payload>>& free = free_list();
    if (free.empty()) return new tlm::tlm_generic_payload();
    tlm::tlm_generic_payload* gp = free.back().release();
    free.pop_back();
    return gp;
  }
  // `gp` must have no extension left set (TransactionWith clears its own).
  static void give(tlm::tlm_generic_payload* gp) { free_list().emplace_back(gp); }

 private:
  static std::vector<std::unique_ptr<tlm::tlm_generic_payload>>& free_list() {
    thread_local std::vector<std::unique_ptr<tlm::tlm_generic_payload>> free;
    return free;
  }
};

// A payload with its DataTransfer and one extension per protocol it speaks, owned by the
// initiator (blocking transport only). `Transaction` is the plain memory protocol.
template <class... Protocols>
class TransactionWith {
 public:
  TransactionWith() : gp_(*PayloadPool::take()) {
    gp_.set_extension(&data_);
    (gp_.set_extension(&std::get<Protocols>(protocols_)), ...);
  }
  ~TransactionWith() {
    gp_.clear_extension(&data_);
    (gp_.clear_extension(&std::get<Protocols>(protocols_)), ...);
    PayloadPool::give(&gp_);
  }
  TransactionWith(const TransactionWith&) = delete;
  TransactionWith& operator=(const TransactionWith&) = delete;

  tlm::tlm_generic_payload& gp() { return gp_; }
  DataTransfer& data() { return data_; }
  template <class P>
  P& get() {
    return std::get<P>(protocols_);
  }
  void setup(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data, std::size_t bytes) {
    gp_.set_command(cmd);
    gp_.set_address(addr);
    gp_.set_data_ptr(data);
    gp_.set_data_length(static_cast<unsigned>(bytes));
    gp_.set_streaming_width(static_cast<unsigned>(bytes));
    gp_.set_byte_enable_ptr(nullptr);
    gp_.set_dmi_allowed(false);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    ++transactions_issued;
  }

 private:
  tlm::tlm_generic_payload& gp_;  // from PayloadPool, returned by the destructor
  DataTransfer data_;
  std::tuple<Protocols...> protocols_;
};
using Transaction = TransactionWith<>;

// The extension of type `E` on `gp`; throws SimulationError naming it if the initiator did not
// attach one (a payload of another protocol reached this target).
template <class E>
E& extension_of(tlm::tlm_generic_payload& gp) {
  E* e = nullptr;
  gp.get_extension(e);
  if (!e) throw SimulationError(std::string("TLM payload without a ") + E::kName + " extension");
  return *e;
}
inline DataTransfer& transfer_of(tlm::tlm_generic_payload& gp) {
  return extension_of<DataTransfer>(gp);
}

// Throws SimulationError if a target reported an error.
void check_response(tlm::tlm_generic_payload& gp, const char* what);

}  // namespace dfsim
