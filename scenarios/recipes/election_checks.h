// The checks that judge a leader election from what really happened: the
// fenced resource's record (who acted when, with which token), the commit
// log (which node each token names, who owned it, when it went) and the
// client records (which sessions each incarnation held) -- never from what
// a candidate believes.
//
//   leadership-ownership   every accepted action's token is the czxid of an
//                          election node owned by a session of the acting
//                          incarnation (a leader leads only through its own
//                          session's node: CURATOR-696);
//   leads-from-the-head    every accepted token names a node that had headed
//                          the election (by the committed creates and
//                          deletes) by the time of the action;
//   acts-while-connected   nobody acts through a handle that is not
//                          connected (a SUSPENDED or LOST leader stops);
//   one-leader-after-heal  (liveness) after the heal, exactly one leader: the
//                          owner of the node heading the election acts, with
//                          its token, and nobody else tries for `quiet`;
//   reelection-bound       every node that heads the election either leads
//                          (its owner's action is accepted) or is gone within
//                          `bound` of becoming the head: when a leader's
//                          session dies, the next in line leads within the
//                          bound (judged only where the servers and the
//                          network stay healthy).
// The resource's own judgements (no stale token accepted, one holder at a
// time) apply to every scenario (cluster.h).
#pragma once

#include "core/tree/data_tree.h"
#include "scenarios/recipes/check.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace zsim::scenarios::recipes {

class FencedResource;

// Where an election keeps its nodes, and which node heads it.
struct ElectionLayout {
  enum class Shape : uint8_t {
    kOneNode,  // the ephemeral master: the node at `path` heads it
    kLine,     // sequential children of `path`: the lowest sequence heads it
  };
  std::string path;
  Shape shape = Shape::kLine;

  // Whether `node_path` is one of this election's nodes.
  bool contains(std::string_view node_path) const;
  // The path and node that head the election in `tree`, if any.
  std::optional<std::pair<std::string, const core::Znode*>> head(const core::DataTree& tree) const;
};

std::unique_ptr<Check> leadership_ownership(const FencedResource& r, ElectionLayout layout);
std::unique_ptr<Check> leads_from_the_head(const FencedResource& r, ElectionLayout layout);
std::unique_ptr<Check> acts_while_connected(const FencedResource& r);
std::unique_ptr<Check> one_leader_after_heal(const FencedResource& r, ElectionLayout layout, Duration quiet);
std::unique_ptr<Check> reelection_bound(const FencedResource& r, ElectionLayout layout, Duration bound);

}  // namespace zsim::scenarios::recipes
