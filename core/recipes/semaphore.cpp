#include "core/recipes/semaphore.h"

#include "core/assert.h"
#include "core/recipes/campaign.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

#include <algorithm>

namespace zsim::core::recipes {

namespace {

ExclusiveLockOptions guard_options(const SemaphoreOptions& o) {
  ExclusiveLockOptions l;
  l.path = o.path + "/locks";
  l.id = o.id;
  l.data = o.data;
  l.rounds_max = o.rounds_max;
  l.reconnect_wait = o.reconnect_wait;
  return l;
}

}  // namespace

Semaphore::Semaphore(Client& zk, SemaphoreOptions options)
    : zk_(zk),
      options_(std::move(options)),
      leases_path_(options_.path + "/leases"),
      lock_(zk, guard_options(options_)) {
  ZSIM_ASSERT_MSG(options_.leases >= 1, "a semaphore has at least one lease");
  ZSIM_ASSERT(options_.rounds_max > 0);
}

LockState Semaphore::state() const { return lock_state(held_, zk_); }

Acquire Semaphore::acquire(Duration timeout) {
  ZSIM_ASSERT_MSG(!held_, "acquire() on a semaphore whose lease is held");
  if (leftover_) {
    if (auto failed = clear_leftover(timeout)) return *failed;
  }
  const Acquire locked = lock_.acquire(timeout);
  if (locked == Acquire::kLost) return Acquire::kLost;
  if (locked == Acquire::kTimedOut) {
    lock_.release();  // leave the lock's line
    return Acquire::kTimedOut;
  }
  const Acquire got = count_leases(timeout);
  if (got == Acquire::kTimedOut) leave();
  // Counting is over, whatever it said: the next contender may count.
  if (got != Acquire::kLost) lock_.release();
  if (got == Acquire::kHeld) held_ = true;
  return got;
}

// Under the lock: joins the leases and waits until there are at most N.
Acquire Semaphore::count_leases(Duration timeout) {
  for (int n = 0; n < options_.rounds_max; ++n) {
    if (zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed) return Acquire::kLost;
    if (zk_.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk_, timeout);
      if (c == Code::SessionExpired) return Acquire::kLost;
      if (c != Code::Ok) return Acquire::kTimedOut;
    }
    const uint64_t seen = zk_.event_count();
    switch (round()) {
      case Step::kHeld: return Acquire::kHeld;
      case Step::kLost: return Acquire::kLost;
      case Step::kAgain: break;
      case Step::kWait:
        if (!zk_.wait_event(seen, timeout)) return Acquire::kTimedOut;
        break;
    }
  }
  return Acquire::kTimedOut;
}

Semaphore::Step Semaphore::round() {
  if (node_.empty()) {
    const detail::Step s =
        detail::join_line(zk_, leases_path_, options_.id, options_.data, /*check_owner=*/true, node_, "lease-");
    return s == detail::Step::kLost ? Step::kLost : Step::kAgain;
  }
  // The watch wakes me when a lease is given back (or a node comes).
  auto children = zk_.get_children(leases_path_, /*watch=*/true);
  if (!children.ok()) return children.code() == Code::SessionExpired ? Step::kLost : Step::kAgain;
  const std::vector<std::string> leases = sorted_by_sequence(std::move(children).value());
  if (std::find(leases.begin(), leases.end(), base_name(node_)) == leases.end()) {
    node_.clear();  // gone while the session lives: join again
    return Step::kAgain;
  }
  if (auto adopted = detail::adopt_earlier_own(zk_, leases_path_, options_.id, leases, node_)) {
    return *adopted == detail::Step::kLost ? Step::kLost : Step::kAgain;
  }
  if (leases.size() > static_cast<std::size_t>(options_.leases)) return Step::kWait;
  return take(leases);
}

// At most N leases, mine among them: it is mine if my session owns it; the
// others live now are the ones a resource must let act beside me.
Semaphore::Step Semaphore::take(const std::vector<std::string>& leases) {
  auto mine = zk_.get_data(node_);
  if (mine.code() == Code::NoNode || (mine.ok() && mine.value().stat.ephemeral_owner != zk_.session_id())) {
    node_.clear();
    return Step::kAgain;
  }
  if (!mine.ok()) return mine.code() == Code::SessionExpired ? Step::kLost : Step::kAgain;
  std::vector<int64_t> others;
  for (const std::string& name : leases) {
    if (name == base_name(node_)) continue;
    auto other = zk_.exists(child_path(leases_path_, name));
    if (!other.ok()) return other.code() == Code::SessionExpired ? Step::kLost : Step::kAgain;
    if (other.value()) others.push_back(other.value()->czxid);  // gone since: not beside me
  }
  std::sort(others.begin(), others.end());
  ZSIM_ASSERT(others.size() < static_cast<std::size_t>(options_.leases));
  token_ = mine.value().stat.czxid;
  others_ = std::move(others);
  return Step::kHeld;
}

void Semaphore::release() {
  held_ = false;
  // Retried until the node is gone or the session is: a lease left behind
  // while the session lives is counted by everyone.
  for (int attempt = 0; attempt < options_.rounds_max && !node_.empty(); ++attempt) {
    if (zk_.state() != ClientState::kConnected && await_reconnect(zk_, options_.reconnect_wait) != Code::Ok) {
      break;  // gone with the session, or deleted by the next acquire()
    }
    auto mine = zk_.exists(node_);
    if (mine.code() == Code::ConnectionLoss) continue;
    if (!mine.ok() || !mine.value() || mine.value()->ephemeral_owner != zk_.session_id()) node_.clear();
    if (node_.empty()) break;
    const Code c = zk_.remove(node_, mine.value()->version).code();
    if (c != Code::ConnectionLoss) node_.clear();  // Ok, NoNode (a lost reply), or gone with the session
  }
  if (!node_.empty()) leftover_ = true;
  node_.clear();
  remove_strays();
}

// A timed-out acquisition gives its lease node back (best effort: a node
// left while the session lives is deleted by the next acquire()).
void Semaphore::leave() {
  detail::leave_line(zk_, node_);
  if (!node_.empty()) leftover_ = true;  // disconnected: the next acquire() deletes it
  remove_strays();
}

// A lease node of mine that release() or a timed-out acquire() could not
// delete -- the handle stayed disconnected while the session lived (an
// ensemble without a quorum expires nobody) -- is still counted by everyone:
// the lock's holder may be waiting for it to go while I wait for the lock
// (semaphore seed 122). So it is deleted before I queue again. nullopt when
// no lease node of mine is left.
std::optional<Acquire> Semaphore::clear_leftover(Duration timeout) {
  for (int n = 0; n < options_.rounds_max; ++n) {
    if (zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed) return Acquire::kLost;
    if (zk_.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk_, timeout);
      if (c == Code::SessionExpired) return Acquire::kLost;
      if (c != Code::Ok) return Acquire::kTimedOut;
    }
    auto children = zk_.get_children(leases_path_);
    if (!children.ok() && children.code() != Code::NoNode) {
      if (children.code() == Code::SessionExpired) return Acquire::kLost;
      continue;
    }
    bool cleared = true;
    for (const std::string& name : children.ok() ? children.value() : std::vector<std::string>{}) {
      if (!carries_id(name, options_.id)) continue;
      const std::string path = child_path(leases_path_, name);
      auto mine = zk_.exists(path);
      Code c = mine.code();
      if (mine.ok() && mine.value() && mine.value()->ephemeral_owner == zk_.session_id()) {
        c = zk_.remove(path, mine.value()->version).code();
      }
      if (c == Code::SessionExpired) return Acquire::kLost;
      if (c == Code::ConnectionLoss) cleared = false;
    }
    if (cleared) {
      node_.clear();
      leftover_ = false;
      return std::nullopt;
    }
  }
  return Acquire::kTimedOut;
}

// A create of mine in flight when its connection broke can commit after the
// retry that made node_: a second lease node with my id would be counted
// while my session lives. Best effort: one listing.
void Semaphore::remove_strays() {
  if (zk_.state() != ClientState::kConnected) return;
  auto children = zk_.get_children(leases_path_);
  if (!children.ok()) return;
  for (const std::string& name : children.value()) {
    if (!carries_id(name, options_.id)) continue;
    const std::string path = child_path(leases_path_, name);
    if (path == node_) continue;
    auto stray = zk_.exists(path);
    if (stray.ok() && stray.value() && stray.value()->ephemeral_owner == zk_.session_id()) {
      (void)zk_.remove(path, stray.value()->version);
    }
  }
}

}  // namespace zsim::core::recipes
