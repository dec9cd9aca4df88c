#include "scenarios/recipes/line_text.h"

#include "core/recipes/sequence.h"
#include "scenarios/recipes/cluster.h"

#include <fmt/format.h>

#include <vector>

namespace zsim::scenarios::recipes {

namespace {

std::string owner_of(const Cluster& c, int64_t session) {
  for (const ClientRecord& r : c.client_records()) {
    if (const uint32_t inc = r.incarnation_of(session)) return fmt::format("{} (incarnation {})", r.name, inc);
  }
  return "no client";
}

}  // namespace

std::string line_text(const Cluster& c, const std::string& path) {
  const core::DataTree* tree = c.converged_tree();
  if (tree == nullptr) return "the ensemble has not settled";
  const core::Znode* parent = tree->find(path);
  if (parent == nullptr || parent->children.empty()) return fmt::format("{} is empty", path);
  std::vector<std::string> names(parent->children.begin(), parent->children.end());
  std::string out;
  for (const std::string& name : core::recipes::sorted_by_sequence(std::move(names))) {
    const core::Znode* n = tree->find(core::recipes::child_path(path, name));
    if (n == nullptr) continue;
    out += fmt::format("{}{} (session 0x{:x} of {})", out.empty() ? "" : ", ", name, n->ephemeral_owner,
                       owner_of(c, n->ephemeral_owner));
  }
  return fmt::format("{} holds {}", path, out);
}

}  // namespace zsim::scenarios::recipes
