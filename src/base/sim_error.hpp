#pragma once

#include <stdexcept>
#include <string>

namespace dfsim {

// A model detected an impossible state (capacity overflow, bad address): a dfsim bug or a
// mapping that violates the hardware, never bad user input (that is ConfigError).
class SimulationError : public std::runtime_error {
 public:
  explicit SimulationError(const std::string& msg) : std::runtime_error(msg) {}
};

}  // namespace dfsim
