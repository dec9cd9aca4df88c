// QuorumVerifier: who votes, and which sets of servers form a quorum.
//
// An ensemble has voting members (participants: 3, 5 or 7 in practice; any
// count >= 1 is accepted) and observers. A quorum is a strict majority of the
// voting members; observers never count, whatever a caller passes in. This is
// ZooKeeper's QuorumMaj without weights, hierarchies or reconfiguration.
//
// Pure and immutable after construction; copy it freely. The configuration
// is local (it comes from the operator, not the network), so a malformed one
// is a bug: make() reports it as an error value for callers that read it from
// user input, the constructor asserts.
#pragma once

#include <cstddef>
#include <set>
#include <string>

#include "core/errors.h"
#include "core/zab/zxid.h"

namespace zsim::core::zab {

class QuorumVerifier {
 public:
  // BadArguments if `voters` is empty, an id is negative, or a server is
  // both a voter and an observer.
  static Result<QuorumVerifier> make(std::set<ServerId> voters, std::set<ServerId> observers = {});

  // REQUIRES: make(voters, observers).ok().
  explicit QuorumVerifier(std::set<ServerId> voters, std::set<ServerId> observers = {});

  const std::set<ServerId>& voters() const { return voters_; }
  const std::set<ServerId>& observers() const { return observers_; }
  bool is_voter(ServerId sid) const { return voters_.contains(sid); }
  bool is_observer(ServerId sid) const { return observers_.contains(sid); }
  bool is_member(ServerId sid) const { return is_voter(sid) || is_observer(sid); }

  // The smallest number of voters that is a quorum: voters/2 + 1.
  size_t quorum_size() const { return voters_.size() / 2 + 1; }

  // True if the voters among `servers` are a strict majority of all voters.
  // Observers and unknown ids in `servers` are ignored.
  bool is_quorum(const std::set<ServerId>& servers) const;
  // The number of voters in `servers`.
  size_t count_voters(const std::set<ServerId>& servers) const;

  // "voters=1,2,3 observers=4" (for traces and test failures).
  std::string to_string() const;

 private:
  std::set<ServerId> voters_;
  std::set<ServerId> observers_;
};

}  // namespace zsim::core::zab
