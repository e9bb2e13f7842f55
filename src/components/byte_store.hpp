// The bytes a memory component holds, and the copy a TLM read or write (timed or debug) makes
// of them. Timing, energy and access rules are the component's own.
#pragma once

#include <cstdint>
#include <cstring>
#include <tlm>
#include <vector>

namespace dfsim {

class ByteStore {
 public:
  explicit ByteStore(std::size_t bytes = 0) : bytes_(bytes, 0) {}
  void assign(std::size_t bytes) { bytes_.assign(bytes, 0); }
  void grow(std::size_t bytes) {
    if (bytes > bytes_.size()) bytes_.resize(bytes, 0);
  }
  std::size_t size() const { return bytes_.size(); }

  // Copies the payload's bytes out of (read) or into (write) the store; false, copying
  // nothing, when they lie outside it.
  bool copy(tlm::tlm_generic_payload& gp) {
    const std::uint64_t addr = gp.get_address();
    const std::size_t len = gp.get_data_length();
    if (addr > bytes_.size() || len > bytes_.size() - addr) return false;
    if (len == 0) return true;
    if (gp.is_read())
      std::memcpy(gp.get_data_ptr(), &bytes_[addr], len);
    else
      std::memcpy(&bytes_[addr], gp.get_data_ptr(), len);
    return true;
  }
  // Debug transport: the bytes copied (0 when outside).
  unsigned int debug_copy(tlm::tlm_generic_payload& gp) {
    return copy(gp) ? gp.get_data_length() : 0;
  }

 private:
  std::vector<unsigned char> bytes_;
};

}  // namespace dfsim
