#include "scenarios/recipes/election_checks.h"

#include "core/recipes/sequence.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/fenced_resource.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace zsim::scenarios::recipes {

namespace core_recipes = core::recipes;

bool ElectionLayout::contains(std::string_view node_path) const {
  if (shape == Shape::kOneNode) return node_path == path;
  return node_path.size() > path.size() + 1 && node_path.substr(0, path.size()) == path &&
         node_path[path.size()] == '/' && node_path.find('/', path.size() + 1) == std::string_view::npos;
}

std::optional<std::pair<std::string, const core::Znode*>> ElectionLayout::head(const core::DataTree& tree) const {
  const core::Znode* node = tree.find(path);
  if (node == nullptr) return std::nullopt;
  if (shape == Shape::kOneNode) return std::make_pair(path, node);
  if (node->children.empty()) return std::nullopt;
  std::vector<std::string> line(node->children.begin(), node->children.end());
  const std::string first = core_recipes::sorted_by_sequence(std::move(line)).front();
  const std::string child = core_recipes::child_path(path, first);
  return std::make_pair(child, tree.find(child));
}

namespace {

// Who held session `id`: "c2 (incarnation 1)", or "no client".
std::string holder_of(const Cluster& c, int64_t id) {
  for (const ClientRecord& r : c.client_records()) {
    if (const uint32_t inc = r.incarnation_of(id)) return fmt::format("{} (incarnation {})", r.name, inc);
  }
  return "no client";
}

std::string session_fate(const Cluster& c, int64_t id, Time at) {
  const SessionLife* s = c.commits().session(id);
  if (s == nullptr || !s->closed_at) return "still open then";
  return *s->closed_at <= at ? fmt::format("closed at {}", format_time(*s->closed_at))
                             : fmt::format("closed later, at {}", format_time(*s->closed_at));
}

class LeadershipOwnership final : public Check {
 public:
  LeadershipOwnership(const FencedResource& r, ElectionLayout layout) : resource_(r), layout_(std::move(layout)) {}
  std::string name() const override { return "leadership-ownership"; }

  std::optional<Violation> on_action(const Cluster& c, const FencedResource& r, const ResourceAction& a) override {
    if (&r != &resource_ || !a.accepted || !a.token) return std::nullopt;
    const NodeLife* node = c.commits().node(*a.token);
    if (node == nullptr) {
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} acted with token {}, the czxid of no committed node", a.actor,
                                   token_text(a.token)),
                       a.actor};
    }
    if (!layout_.contains(node->path)) {
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} acted with token {}, which names {}, not a node of the election {}", a.actor,
                                   token_text(a.token), node->path, layout_.path),
                       a.actor};
    }
    const ClientRecord* actor = c.client_named(a.actor);
    if (actor != nullptr && actor->held(node->owner, a.incarnation)) return std::nullopt;
    return Violation{
        sim::Verdict::kInvariant,
        fmt::format("{} (incarnation {}, session 0x{:x}) acted as leader at {} through {} (token {}), which "
                    "belongs to session 0x{:x} of {} ({}): a leader that does not own its node leads beside "
                    "whoever comes next when that session ends (CURATOR-696)",
                    a.actor, a.incarnation, a.session, format_time(a.at), node->path, token_text(a.token),
                    node->owner, holder_of(c, node->owner), session_fate(c, node->owner, a.at)),
        a.actor};
  }

 private:
  const FencedResource& resource_;
  ElectionLayout layout_;
};

class ActsWhileConnected final : public Check {
 public:
  explicit ActsWhileConnected(const FencedResource& r) : resource_(r) {}
  std::string name() const override { return "acts-while-connected"; }

  std::optional<Violation> on_action(const Cluster& c, const FencedResource& r, const ResourceAction& a) override {
    (void)c;
    if (&r != &resource_ || a.connected) return std::nullopt;
    return Violation{sim::Verdict::kInvariant,
                     fmt::format("{} acted on {} at {} through a handle that was not connected: a SUSPENDED or "
                                 "LOST leader must stop acting",
                                 a.actor, r.name(), format_time(a.at)),
                     a.actor};
  }

 private:
  const FencedResource& resource_;
};

class OneLeaderAfterHeal final : public Check {
 public:
  OneLeaderAfterHeal(const FencedResource& r, ElectionLayout layout, Duration quiet)
      : resource_(r), layout_(std::move(layout)), quiet_(quiet) {}
  std::string name() const override { return "one-leader-after-heal"; }

  // Cheap conditions first (the resource's state), the tree last.
  bool settled(const Cluster& c) const override { return why_not(c).empty(); }
  std::string pending(const Cluster& c) const override { return why_not(c); }
  // Nobody leads: the last act of the last leader, after which nobody acted.
  std::optional<Time> moment(const Cluster& c) const override {
    const auto healed = c.healed_at();
    const auto& tenure = resource_.current_tenure();
    if (!healed || !tenure) return std::nullopt;
    if (tenure->last < *healed || c.now() - tenure->last > quiet_ / 2) return tenure->last;
    return std::nullopt;
  }

 private:
  std::string why_not(const Cluster& c) const {
    const auto healed = c.healed_at();
    if (!healed) return "not healed yet";
    const auto& tenure = resource_.current_tenure();
    if (!tenure || tenure->last < *healed) return fmt::format("no leader has acted on {} since the heal", resource_.name());
    Time quiet_from = std::max(*healed, tenure->began);
    if (const auto foreign = resource_.last_foreign_attempt()) quiet_from = std::max(quiet_from, *foreign);
    if (c.now() - quiet_from < quiet_) {
      return fmt::format("{} acts with token {}, but not yet alone for {} (since {})", tenure->actor,
                         token_text(tenure->token), format_duration(quiet_), format_time(quiet_from));
    }
    if (c.now() - tenure->last > quiet_ / 2) {
      return fmt::format("{} stopped acting at {}", tenure->actor, format_time(tenure->last));
    }
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return "the ensemble has not settled";
    const auto head = layout_.head(*tree);
    if (!head || head->second == nullptr) return fmt::format("the election {} has no node", layout_.path);
    const core::Znode& node = *head->second;
    const ClientRecord* actor = c.client_named(tenure->actor);
    const bool owner = actor != nullptr && actor->held(node.ephemeral_owner, tenure->incarnation);
    if (!owner || (tenure->token && *tenure->token != node.czxid)) {
      return fmt::format("{} acts with token {}, but {} (czxid 0x{:x}, session 0x{:x} of {}) heads the election",
                         tenure->actor, token_text(tenure->token), head->first, node.czxid, node.ephemeral_owner,
                         holder_of(c, node.ephemeral_owner));
    }
    return "";
  }

  const FencedResource& resource_;
  ElectionLayout layout_;
  Duration quiet_;
};

// One node's time at the head of the election.
struct Headship {
  const NodeLife* node = nullptr;
  Time from{};
  std::optional<Time> until;  // when it stopped heading (gone), if it did
};

// Replays the election's creates and deletes in zxid order and notes each
// change of head (times are the first report of each txn, so a client can
// have seen a head only at or after its `from`).
std::vector<Headship> headships(const CommitLog& log, const ElectionLayout& layout) {
  struct Change {
    int64_t zxid;
    Time at;
    const NodeLife* node;
    bool create;
  };
  std::vector<Change> changes;
  for (const auto& [czxid, n] : log.nodes()) {
    if (!layout.contains(n.path)) continue;
    changes.push_back(Change{czxid, n.created_at, &n, true});
    if (n.deleted_zxid) changes.push_back(Change{*n.deleted_zxid, *n.deleted_at, &n, false});
  }
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    return a.zxid != b.zxid ? a.zxid < b.zxid : a.create < b.create;
  });
  // Live nodes in line order: (sequence, czxid); the one node has sequence 0.
  std::map<std::pair<int64_t, int64_t>, const NodeLife*> live;
  std::vector<Headship> out;
  auto key = [&layout](const NodeLife& n) {
    const auto seq = layout.shape == ElectionLayout::Shape::kLine
                         ? core_recipes::sequence_of(core_recipes::base_name(n.path))
                         : std::optional<int64_t>{0};
    return std::make_pair(seq.value_or(INT64_MAX), n.czxid);
  };
  for (const Change& ch : changes) {
    if (ch.create) {
      live.emplace(key(*ch.node), ch.node);
    } else {
      live.erase(key(*ch.node));
    }
    const NodeLife* head = live.empty() ? nullptr : live.begin()->second;
    const NodeLife* before = out.empty() || out.back().until ? nullptr : out.back().node;
    if (head == before) continue;
    if (before != nullptr) out.back().until = ch.at;
    if (head != nullptr) out.push_back(Headship{head, ch.at, std::nullopt});
  }
  return out;
}

// Every accepted token names a node that had headed the election by the
// time of the action: a candidate leads only from the head of the line.
class LeadsFromTheHead final : public Check {
 public:
  LeadsFromTheHead(const FencedResource& r, ElectionLayout layout) : resource_(r), layout_(std::move(layout)) {}
  std::string name() const override { return "leads-from-the-head"; }
  bool judge_unfinished() const override { return true; }

  std::optional<Time> moment(const Cluster& c) const override {
    const std::map<int64_t, Time> first_head = first_heads(c);
    for (const ResourceAction& a : resource_.actions()) {
      if (offends(first_head, a)) return a.at;
    }
    return std::nullopt;
  }

  std::optional<Violation> judge(const Cluster& c) const override {
    const std::map<int64_t, Time> first_head = first_heads(c);
    for (const ResourceAction& a : resource_.actions()) {
      if (!offends(first_head, a)) continue;
      auto it = first_head.find(*a.token);
      const NodeLife* node = c.commits().node(*a.token);
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} acted as leader at {} with token {} ({}), a node that {} the election {}",
                                   a.actor, format_time(a.at), token_text(a.token),
                                   node == nullptr ? "unknown" : node->path,
                                   it == first_head.end() ? "never headed" : "had not yet headed", layout_.path),
                       a.actor};
    }
    return std::nullopt;
  }

 private:
  // czxid -> when that node first headed the election.
  std::map<int64_t, Time> first_heads(const Cluster& c) const {
    std::map<int64_t, Time> first_head;
    for (const Headship& h : headships(c.commits(), layout_)) first_head.emplace(h.node->czxid, h.from);
    return first_head;
  }
  // An accepted action whose token names a node that had not headed yet.
  static bool offends(const std::map<int64_t, Time>& first_head, const ResourceAction& a) {
    if (!a.accepted || !a.token) return false;
    auto it = first_head.find(*a.token);
    return it == first_head.end() || it->second > a.at;
  }

  const FencedResource& resource_;
  ElectionLayout layout_;
};

class ReelectionBound final : public Check {
 public:
  ReelectionBound(const FencedResource& r, ElectionLayout layout, Duration bound)
      : resource_(r), layout_(std::move(layout)), bound_(bound) {}
  std::string name() const override { return "reelection-bound"; }

  // The node that headed the line too long without a leader: when it began to.
  std::optional<Time> moment(const Cluster& c) const override {
    for (const Headship& h : headships(c.commits(), layout_)) {
      const std::optional<Time> led = first_accepted(c, *h.node, h.from);
      const Time settled = led ? *led : (h.until ? *h.until : c.now());
      if (settled - h.from > bound_) return h.from;
    }
    return std::nullopt;
  }

  std::optional<Violation> judge(const Cluster& c) const override {
    const std::vector<Headship> heads = headships(c.commits(), layout_);
    Duration longest{0};
    for (const Headship& h : heads) {
      const std::optional<Time> led = first_accepted(c, *h.node, h.from);
      const Time settled = led ? *led : (h.until ? *h.until : c.now());
      longest = std::max(longest, settled - h.from);
      if (settled - h.from <= bound_) continue;
      return Violation{sim::Verdict::kLiveness,
                       fmt::format("{} (session 0x{:x} of {}) headed the election from {} but {} after {}: more "
                                   "than the re-election bound of {}",
                                   h.node->path, h.node->owner, holder_of(c, h.node->owner), format_time(h.from),
                                   led ? "its owner first led" : "it was still there without a leader",
                                   format_duration(settled - h.from), format_duration(bound_)),
                       ""};
    }
    c.sim().trace_event("check.reelection", {{"heads", static_cast<uint64_t>(heads.size())},
                                             {"longest_ms", static_cast<int64_t>(longest.count() / 1'000'000)}});
    return std::nullopt;
  }

 private:
  // The first accepted action, at or after `from`, by the incarnation that
  // owns `node` (with its token, if the resource carries tokens).
  std::optional<Time> first_accepted(const Cluster& c, const NodeLife& node, Time from) const {
    for (const ResourceAction& a : resource_.actions()) {
      if (a.at < from || !a.accepted) continue;
      if (a.token ? *a.token != node.czxid : a.session != node.owner) continue;
      const ClientRecord* actor = c.client_named(a.actor);
      if (actor != nullptr && actor->held(node.owner, a.incarnation)) return a.at;
    }
    return std::nullopt;
  }

  const FencedResource& resource_;
  ElectionLayout layout_;
  Duration bound_;
};

}  // namespace

std::unique_ptr<Check> leadership_ownership(const FencedResource& r, ElectionLayout layout) {
  return std::make_unique<LeadershipOwnership>(r, std::move(layout));
}

std::unique_ptr<Check> leads_from_the_head(const FencedResource& r, ElectionLayout layout) {
  return std::make_unique<LeadsFromTheHead>(r, std::move(layout));
}

std::unique_ptr<Check> acts_while_connected(const FencedResource& r) {
  return std::make_unique<ActsWhileConnected>(r);
}

std::unique_ptr<Check> one_leader_after_heal(const FencedResource& r, ElectionLayout layout, Duration quiet) {
  return std::make_unique<OneLeaderAfterHeal>(r, std::move(layout), quiet);
}

std::unique_ptr<Check> reelection_bound(const FencedResource& r, ElectionLayout layout, Duration bound) {
  return std::make_unique<ReelectionBound>(r, std::move(layout), bound);
}

}  // namespace zsim::scenarios::recipes
