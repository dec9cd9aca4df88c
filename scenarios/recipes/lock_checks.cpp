#include "scenarios/recipes/lock_checks.h"

#include "core/recipes/sequence.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/fenced_resource.h"

#include <fmt/format.h>

#include <map>
#include <set>

namespace zsim::scenarios::recipes {

namespace {

std::string holder_of(const Cluster& c, int64_t id) {
  for (const ClientRecord& r : c.client_records()) {
    if (const uint32_t inc = r.incarnation_of(id)) return fmt::format("{} (incarnation {})", r.name, inc);
  }
  return "no client";
}

class EveryClientHoldsAfterHeal final : public Check {
 public:
  EveryClientHoldsAfterHeal(const FencedResource& r, std::string line) : resource_(r), line_(std::move(line)) {}
  std::string name() const override { return "every-client-holds-after-heal"; }
  bool settled(const Cluster& c) const override { return missing(c).empty(); }

  std::string pending(const Cluster& c) const override {
    const std::string who = missing(c);
    if (who.empty()) return "";
    return fmt::format("{} not held {} since the heal; {}", who, resource_.name(), describe_line(c));
  }

 private:
  // The clients with no accepted action since the heal ("c2, c4 have"), or "".
  std::string missing(const Cluster& c) const {
    const auto healed = c.healed_at();
    if (!healed) return "not healed yet:";
    std::set<std::string> held;
    const auto& actions = resource_.actions();
    for (auto it = actions.rbegin(); it != actions.rend() && it->at >= *healed; ++it) {
      if (it->accepted) held.insert(it->actor);
    }
    std::string out;
    int n = 0;
    for (const ClientRecord& r : c.client_records()) {
      if (held.count(r.name) != 0) continue;
      out += (out.empty() ? "" : ", ") + r.name;
      ++n;
    }
    if (out.empty()) return "";
    return out + (n == 1 ? " has" : " have");
  }

  std::string describe_line(const Cluster& c) const {
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return "the ensemble has not settled";
    const core::Znode* parent = tree->find(line_);
    if (parent == nullptr || parent->children.empty()) return fmt::format("the line {} is empty", line_);
    std::vector<std::string> names(parent->children.begin(), parent->children.end());
    names = core::recipes::sorted_by_sequence(std::move(names));
    std::map<int64_t, int> per_session;
    std::string line;
    for (const std::string& name : names) {
      const core::Znode* n = tree->find(core::recipes::child_path(line_, name));
      if (n == nullptr) continue;
      ++per_session[n->ephemeral_owner];
      line += fmt::format("{}{} (session 0x{:x} of {})", line.empty() ? "" : ", ", name, n->ephemeral_owner,
                          holder_of(c, n->ephemeral_owner));
    }
    std::string out = fmt::format("the line {} is: {}", line_, line);
    for (const auto& [session, count] : per_session) {
      if (count < 2) continue;
      out += fmt::format("; session 0x{:x} of {} owns {} nodes of the line: an orphan (a create whose reply was "
                         "lost, made again) blocks it",
                         session, holder_of(c, session), count);
    }
    return out;
  }

  const FencedResource& resource_;
  std::string line_;
};

}  // namespace

std::unique_ptr<Check> every_client_holds_after_heal(const FencedResource& r, std::string line_path) {
  return std::make_unique<EveryClientHoldsAfterHeal>(r, std::move(line_path));
}

}  // namespace zsim::scenarios::recipes
