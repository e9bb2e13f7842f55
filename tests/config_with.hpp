// Editing a shipped configuration in a test the way the product does (a separate header from
// test_util.hpp, whose dfsim() CLI helper would clash with namespace dfsim).
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sweep/sweep_spec.hpp"
#include "test_util.hpp"

namespace dfsim_test {

// configs/<name>.yaml with dotted keys set to YAML values ({{"glb.banks", "19"}}) by the
// product's own assignment (the sweep's apply_assignment), not by editing text.
inline std::string config_with(const std::string& name, const dfsim::Assignment& edits = {}) {
  const std::string path = source_path("configs/" + name + ".yaml");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << "cannot read " << path;
  return edits.empty() ? ss.str() : dfsim::apply_assignment(ss.str(), edits, path);
}

}  // namespace dfsim_test
