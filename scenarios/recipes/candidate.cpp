#include "scenarios/recipes/candidate.h"

#include "core/recipes/ephemeral_master.h"
#include "core/recipes/herd_election.h"
#include "core/recipes/herd_free_election.h"
#include "core/recipes/leader_selector.h"

#include <memory>

namespace zsim::scenarios::recipes {

namespace {

std::unique_ptr<core::recipes::Election> new_candidacy(core::Client& zk, ClientCtx& me, const CandidateOptions& o) {
  namespace r = core::recipes;
  const std::string id = o.stable_ids ? me.name() : me.unique_id();
  switch (o.recipe) {
    case ElectionRecipe::kEphemeralMaster:
      return std::make_unique<r::EphemeralMasterElection>(zk, r::EphemeralMasterOptions{o.path, me.name()});
    case ElectionRecipe::kHerd: {
      r::HerdElectionOptions h;
      h.path = o.path;
      h.id = id;
      h.data = me.name();
      h.check_owner = o.check_owner;
      return std::make_unique<r::HerdElection>(zk, h);
    }
    case ElectionRecipe::kHerdFree: {
      r::HerdFreeElectionOptions h;
      h.path = o.path;
      h.id = id;
      h.data = me.name();
      h.relist = o.relist;
      h.watch_predecessor = o.watch_predecessor;
      return std::make_unique<r::HerdFreeElection>(zk, h);
    }
  }
  return nullptr;
}

}  // namespace

ClientBody candidate(FencedResource& resource, CandidateOptions options) {
  return [&resource, options](ClientCtx& me) {
    core::recipes::LeaderSelectorHooks hooks;
    hooks.session = [&me]() -> core::Client& { return me.zk(); };
    hooks.candidacy = [&me, &options](core::Client& zk) { return new_candidacy(zk, me, options); };
    hooks.lead = [&me, &resource, &options](core::recipes::Election& e) {
      while (e.leading()) {
        me.sleep(options.work);
        if (!e.leading()) break;
        if (options.pass_token) {
          resource.act(me, e.token());
        } else {
          resource.act(me);
        }
        me.sleep(options.rest);
      }
    };
    core::recipes::LeaderSelector(std::move(hooks), options.idle_timeout).run();
  };
}

ElectionLayout layout_of(const CandidateOptions& options) {
  return ElectionLayout{options.path, options.recipe == ElectionRecipe::kEphemeralMaster
                                          ? ElectionLayout::Shape::kOneNode
                                          : ElectionLayout::Shape::kLine};
}

void election_setup(Cluster& c, const ElectionScenarioOptions& options) {
  FencedResource& db = c.fenced_resource("/db", options.fencing);
  c.clients(candidate(db, options.candidate), Until::kRunEnds);
  const ElectionLayout layout = layout_of(options.candidate);
  if (options.candidate.pass_token) {
    c.add_check(leadership_ownership(db, layout));
    c.add_check(leads_from_the_head(db, layout));
  }
  c.add_check(acts_while_connected(db));
  c.add_check(one_leader_after_heal(db, layout, options.quiet));
  if (options.reelection_bound) c.add_check(reelection_bound(db, layout, *options.reelection_bound));
}

}  // namespace zsim::scenarios::recipes
