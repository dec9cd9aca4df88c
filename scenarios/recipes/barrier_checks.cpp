#include "scenarios/recipes/barrier_checks.h"

#include "core/recipes/sequence.h"
#include "scenarios/recipes/cluster.h"

#include <fmt/format.h>

#include <map>
#include <vector>

namespace zsim::scenarios::recipes {

namespace {

namespace cr = core::recipes;

// The committed nodes, by parent path.
std::map<std::string, std::vector<const NodeLife*>> by_parent(const CommitLog& log) {
  std::map<std::string, std::vector<const NodeLife*>> out;
  for (const auto& [czxid, n] : log.nodes()) {
    const std::size_t slash = n.path.rfind('/');
    out[slash == 0 ? "/" : n.path.substr(0, slash)].push_back(&n);
  }
  return out;
}

bool is_participant(const NodeLife& n) { return cr::base_name(n.path).substr(0, 2) == "p-"; }
bool created_by(const NodeLife& n, int64_t zxid) { return n.czxid <= zxid; }
bool live_at(const NodeLife& n, int64_t zxid) {
  return n.czxid <= zxid && (!n.deleted_zxid || *n.deleted_zxid > zxid);
}

// The distinct names under `parent` that satisfy `pred`, joined ("c1, c3").
template <typename Pred>
std::set<std::string> names_under(const std::map<std::string, std::vector<const NodeLife*>>& nodes,
                                  const std::string& parent, Pred&& pred) {
  std::set<std::string> out;
  auto it = nodes.find(parent);
  if (it == nodes.end()) return out;
  for (const NodeLife* n : it->second) {
    if (pred(*n)) out.insert(std::string(cr::base_name(n->path)));
  }
  return out;
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

Violation violation_at(const BarrierPass& p, std::string what) {
  return Violation{sim::Verdict::kInvariant,
                   fmt::format("{} (incarnation {}) passed {} of {} at {} (having seen zxid 0x{:x}) {}", p.actor,
                               p.incarnation, to_string(p.kind), p.path, format_time(p.at), p.zxid, what),
                   p.actor};
}

class EntersAfterNArrived final : public Check {
 public:
  EntersAfterNArrived(std::shared_ptr<const BarrierLog> log, int n) : log_(std::move(log)), n_(n) {}
  std::string name() const override { return "enters-after-n-arrived"; }
  bool judge_unfinished() const override { return true; }

  std::optional<Violation> judge(const Cluster& c) const override {
    const auto nodes = by_parent(c.commits());
    for (const BarrierPass& p : log_->passes()) {
      if (p.kind != PassKind::kEnter) continue;
      const auto entered =
          names_under(nodes, p.path, [&p](const NodeLife& n) { return is_participant(n) && created_by(n, p.zxid); });
      if (static_cast<int>(entered.size()) >= n_) continue;
      return violation_at(p, fmt::format("when only {} of {} participants had entered ({}): no participant may "
                                         "pass before N entered",
                                         entered.size(), n_, joined(entered)));
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const BarrierLog> log_;
  int n_;
};

class LeavesAfterAllLeft final : public Check {
 public:
  explicit LeavesAfterAllLeft(std::shared_ptr<const BarrierLog> log) : log_(std::move(log)) {}
  std::string name() const override { return "leaves-after-all-left"; }
  bool judge_unfinished() const override { return true; }

  std::optional<Violation> judge(const Cluster& c) const override {
    const auto nodes = by_parent(c.commits());
    for (const BarrierPass& p : log_->passes()) {
      if (p.kind != PassKind::kLeave) continue;
      const auto left =
          names_under(nodes, p.path, [&p](const NodeLife& n) { return is_participant(n) && live_at(n, p.zxid); });
      if (left.empty()) continue;
      return violation_at(p, fmt::format("while {} had not left: nobody may leave before all left", joined(left)));
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const BarrierLog> log_;
};

class PassesAfterLowered final : public Check {
 public:
  PassesAfterLowered(std::shared_ptr<const BarrierLog> log, std::string arrivals, int waiters)
      : log_(std::move(log)), arrivals_(std::move(arrivals)), waiters_(waiters) {}
  std::string name() const override { return "passes-after-lowered"; }
  bool judge_unfinished() const override { return true; }

  std::optional<Violation> judge(const Cluster& c) const override {
    const auto nodes = by_parent(c.commits());
    for (const BarrierPass& p : log_->passes()) {
      if (p.kind != PassKind::kGate) continue;
      const std::size_t slash = p.path.rfind('/');
      const std::string parent = p.path.substr(0, slash);
      const std::string gate(cr::base_name(p.path));
      const auto lowered = names_under(nodes, parent, [&p, &gate](const NodeLife& n) {
        return cr::base_name(n.path) == gate && n.deleted_zxid && *n.deleted_zxid <= p.zxid;
      });
      if (lowered.empty()) return violation_at(p, "before the barrier's node was deleted");
      const auto arrived = names_under(nodes, cr::child_path(arrivals_, gate),
                                       [&p](const NodeLife& n) { return created_by(n, p.zxid); });
      if (static_cast<int>(arrived.size()) < waiters_) {
        return violation_at(p, fmt::format("when only {} of {} waiters had arrived ({})", arrived.size(), waiters_,
                                           joined(arrived)));
      }
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const BarrierLog> log_;
  std::string arrivals_;
  int waiters_;
};

class EveryClientPassesAfterHeal final : public Check {
 public:
  EveryClientPassesAfterHeal(std::shared_ptr<const BarrierLog> log, PassKind kind, std::set<std::string> clients)
      : log_(std::move(log)), kind_(kind), clients_(std::move(clients)) {}
  std::string name() const override { return "every-client-passes-after-heal"; }
  bool settled(const Cluster& c) const override { return why_not(c).empty(); }
  std::string pending(const Cluster& c) const override { return why_not(c); }

 private:
  std::string why_not(const Cluster& c) const {
    const auto healed = c.healed_at();
    if (!healed) return "not healed yet";
    std::map<std::string, const BarrierPass*> last;  // each client's last pass of the kind
    for (const BarrierPass& p : log_->passes()) {
      if (p.kind == kind_) last[p.actor] = &p;
    }
    std::string out;
    for (const ClientRecord& r : c.client_records()) {
      if (!clients_.empty() && clients_.count(r.name) == 0) continue;
      auto it = last.find(r.name);
      if (it != last.end() && it->second->at >= *healed) continue;
      out += fmt::format("{}{} has not passed {} since the heal (last: {})", out.empty() ? "" : "; ", r.name,
                         to_string(kind_),
                         it == last.end() ? std::string("never")
                                          : fmt::format("{} at {}", it->second->path, format_time(it->second->at)));
    }
    return out;
  }

  std::shared_ptr<const BarrierLog> log_;
  PassKind kind_;
  std::set<std::string> clients_;
};

}  // namespace

const char* to_string(PassKind k) {
  switch (k) {
    case PassKind::kEnter: return "enter";
    case PassKind::kLeave: return "leave";
    case PassKind::kGate: return "the barrier";
  }
  return "?";
}

std::unique_ptr<Check> enters_after_n_arrived(std::shared_ptr<const BarrierLog> log, int n) {
  return std::make_unique<EntersAfterNArrived>(std::move(log), n);
}

std::unique_ptr<Check> leaves_after_all_left(std::shared_ptr<const BarrierLog> log) {
  return std::make_unique<LeavesAfterAllLeft>(std::move(log));
}

std::unique_ptr<Check> passes_after_lowered(std::shared_ptr<const BarrierLog> log, std::string arrivals,
                                            int waiters) {
  return std::make_unique<PassesAfterLowered>(std::move(log), std::move(arrivals), waiters);
}

std::unique_ptr<Check> every_client_passes_after_heal(std::shared_ptr<const BarrierLog> log, PassKind kind,
                                                      std::set<std::string> clients) {
  return std::make_unique<EveryClientPassesAfterHeal>(std::move(log), kind, std::move(clients));
}

}  // namespace zsim::scenarios::recipes
