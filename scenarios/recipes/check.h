// Check: one judgement of a recipe scenario, plugged into a Cluster.
//
// A check may judge at three moments, each optional:
//   on_action  -- after every action on a resource (safety, as it happens:
//                 a violation stops the run there, so the trace ends where
//                 the damage happened);
//   settled    -- the liveness goal of the healed run: the run ends as soon
//                 as every check is settled (and the ensemble has settled,
//                 and every client that must finish has); called after every
//                 event of the liveness phase, so it must be cheap;
//   judge      -- the final word once the run ended settled (and, for a
//                 check whose judge_unfinished() is true, also when it did
//                 not settle: a broken safety property is a worse finding
//                 than a stall, and often its cause).
// A check reads what really happened -- the resources' records, the commit
// log (znode states), the client records -- through the Cluster, never what
// a client believes.
#pragma once

#include "sim/simulator.h"

#include <optional>
#include <string>

namespace zsim::scenarios::recipes {

class Cluster;
class FencedResource;
struct ResourceAction;

struct Violation {
  sim::Verdict verdict = sim::Verdict::kInvariant;
  std::string message;
  std::string host;  // where it shows, "" if nowhere in particular
};

class Check {
 public:
  virtual ~Check() = default;
  // A short name, for traces and messages ("one-leader-after-heal").
  virtual std::string name() const = 0;
  virtual std::optional<Violation> on_action(const Cluster& c, const FencedResource& r, const ResourceAction& a) {
    (void)c, (void)r, (void)a;
    return std::nullopt;
  }
  virtual bool settled(const Cluster& c) const {
    (void)c;
    return true;
  }
  // What settled() still waits for, for a liveness failure's message.
  virtual std::string pending(const Cluster& c) const {
    (void)c;
    return "";
  }
  virtual std::optional<Violation> judge(const Cluster& c) const {
    (void)c;
    return std::nullopt;
  }
  // Whether judge() holds without the run's liveness goal (safety checks).
  virtual bool judge_unfinished() const { return false; }
  // When what this check found wrong (or still waits for) began -- the
  // moment to look at, which for a judgement made at the end of the run is
  // long before the failure. Asked only when the run fails by this check;
  // the Cluster passes it to observers as a note (check.moment: never
  // hashed, never printed), and the space-time diagram opens on it
  // (docs/diagram.md).
  virtual std::optional<Time> moment(const Cluster& c) const {
    (void)c;
    return std::nullopt;
  }
};

// A liveness goal stated once: why_not() says what is still missing ("" when
// the goal is met); the run waits for it, and a run that ends without it is a
// liveness failure with that reason.
class GoalCheck : public Check {
 public:
  bool settled(const Cluster& c) const override { return why_not(c).empty(); }
  std::string pending(const Cluster& c) const override { return why_not(c); }
  std::optional<Violation> judge(const Cluster& c) const override {
    std::string w = why_not(c);
    if (w.empty()) return std::nullopt;
    return Violation{sim::Verdict::kLiveness, std::move(w), ""};
  }

 protected:
  virtual std::string why_not(const Cluster& c) const = 0;
};

}  // namespace zsim::scenarios::recipes
