#include "core/recipes/lock.h"

#include "core/assert.h"
#include "core/recipes/campaign.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

#include <algorithm>

namespace zsim::core::recipes {

const char* to_string(Acquire a) {
  switch (a) {
    case Acquire::kHeld: return "held";
    case Acquire::kTimedOut: return "timed out";
    case Acquire::kLost: return "lost";
  }
  return "?";
}

const char* to_string(LockState s) {
  switch (s) {
    case LockState::kNotHeld: return "not held";
    case LockState::kHeld: return "held";
    case LockState::kSuspended: return "suspended";
    case LockState::kLost: return "lost";
  }
  return "?";
}

namespace {
constexpr std::string_view kWriter = "write-";

// Whether `name` ("...write-0000000012") is a writer's node.
bool is_writer(std::string_view name) {
  constexpr std::size_t kDigits = 10;
  if (name.size() < kDigits + kWriter.size()) return false;
  return name.substr(name.size() - kDigits - kWriter.size(), kWriter.size()) == kWriter;
}
}  // namespace

const char* ExclusiveLock::base() const {
  switch (options_.role) {
    case LockRole::kExclusive: return "lock-";
    case LockRole::kRead: return "read-";
    case LockRole::kWrite: return "write-";
  }
  return "lock-";
}

ExclusiveLock::ExclusiveLock(Client& zk, ExclusiveLockOptions options) : zk_(zk), options_(std::move(options)) {
  ZSIM_ASSERT_MSG(detail::valid_candidate_id(options_.id), "a lock id is non-empty, without '/' or '-'");
  ZSIM_ASSERT(options_.rounds_max > 0);
}

LockState lock_state(bool held, const Client& zk) {
  if (!held) return LockState::kNotHeld;
  switch (zk.state()) {
    case ClientState::kConnected: return LockState::kHeld;
    case ClientState::kExpired:
    case ClientState::kClosed: return LockState::kLost;
    default: return LockState::kSuspended;
  }
}

LockState ExclusiveLock::state() const { return lock_state(held_, zk_); }

Acquire ExclusiveLock::acquire(Duration timeout) {
  ZSIM_ASSERT_MSG(!held_, "acquire() on a lock already held");
  for (int n = 0; n < options_.rounds_max; ++n) {
    if (zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed) return Acquire::kLost;
    if (zk_.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk_, timeout);
      if (c == Code::SessionExpired) return Acquire::kLost;
      if (c != Code::Ok) return Acquire::kTimedOut;
    }
    const uint64_t seen = zk_.event_count();
    switch (round()) {
      case Step::kHeld: held_ = true; return Acquire::kHeld;
      case Step::kLost: return Acquire::kLost;
      case Step::kAgain: break;
      case Step::kWait:
        if (!zk_.wait_event(seen, timeout)) return Acquire::kTimedOut;
        break;
    }
  }
  return Acquire::kTimedOut;
}

ExclusiveLock::Step ExclusiveLock::round() {
  if (node_.empty()) return options_.protected_names ? join() : join_naive();
  auto children = zk_.get_children(options_.path);  // no watch: only the predecessor is watched
  if (!children.ok()) return children.code() == Code::SessionExpired ? Step::kLost : Step::kAgain;
  const std::vector<std::string> line = sorted_by_sequence(std::move(children).value());
  const auto me = std::find(line.begin(), line.end(), base_name(node_));
  if (me == line.end()) {
    node_.clear();  // gone while the session lives: join again
    return Step::kAgain;
  }
  if (me == line.begin()) return hold_if_mine();
  if (options_.protected_names) {
    if (auto adopted = detail::adopt_earlier_own(zk_, options_.path, options_.id, line, node_)) {
      return *adopted == detail::Step::kLost ? Step::kLost : Step::kAgain;
    }
  }
  // What I wait on: my predecessor, or, for a reader, the last earlier
  // writer (readers share the lock).
  auto blocker = me - 1;
  if (options_.role == LockRole::kRead) {
    while (blocker != line.begin() && !is_writer(*blocker)) --blocker;
    if (!is_writer(*blocker)) return hold_if_mine();
  }
  auto predecessor = zk_.get_data(child_path(options_.path, *blocker), /*watch=*/true);
  if (predecessor.code() == Code::NoNode) return Step::kAgain;
  if (!predecessor.ok()) return predecessor.code() == Code::SessionExpired ? Step::kLost : Step::kAgain;
  return Step::kWait;
}

ExclusiveLock::Step ExclusiveLock::join() {
  const detail::Step s = detail::join_line(zk_, options_.path, options_.id, options_.data, true, node_, base());
  return s == detail::Step::kLost ? Step::kLost : Step::kAgain;
}

// The planted bug: a plain create, retried after ConnectionLoss as if the
// lost attempt had not happened.
ExclusiveLock::Step ExclusiveLock::join_naive() {
  const std::string path = child_path(options_.path, base());
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto created = zk_.create(path, options_.data, CreateMode::EphemeralSequential);
    if (created.ok()) {
      node_ = created.value();
      return Step::kAgain;
    }
    if (created.code() == Code::NoNode) return ensure_path(zk_, options_.path) == Code::SessionExpired ? Step::kLost
                                                                                                        : Step::kAgain;
    if (created.code() != Code::ConnectionLoss) return created.code() == Code::SessionExpired ? Step::kLost
                                                                                              : Step::kAgain;
    const Code c = await_reconnect(zk_, seconds(10));
    if (c == Code::SessionExpired) return Step::kLost;
  }
  return Step::kAgain;
}

// A node with nothing before it to wait on holds the lock only if it is its
// own session's.
ExclusiveLock::Step ExclusiveLock::hold_if_mine() {
  auto head = zk_.get_data(node_);
  if (head.code() == Code::NoNode || (head.ok() && head.value().stat.ephemeral_owner != zk_.session_id())) {
    node_.clear();
    return Step::kAgain;
  }
  if (!head.ok()) return head.code() == Code::SessionExpired ? Step::kLost : Step::kAgain;
  token_ = head.value().stat.czxid;
  return Step::kHeld;
}

void ExclusiveLock::release() {
  held_ = false;
  // Retried until the node is gone or the session is: a node left behind
  // while the session lives blocks the line for good (only this object,
  // through its id, could find it again).
  for (int attempt = 0; attempt < options_.rounds_max && !node_.empty(); ++attempt) {
    if (zk_.state() != ClientState::kConnected && await_reconnect(zk_, options_.reconnect_wait) != Code::Ok) {
      if (options_.protected_names) node_.clear();  // gone with the session, or found again by its id
      return;
    }
    auto mine = zk_.exists(node_);
    if (mine.code() == Code::ConnectionLoss) continue;
    if (!mine.ok() || !mine.value() || mine.value()->ephemeral_owner != zk_.session_id()) break;
    const Code c = zk_.remove(node_, mine.value()->version).code();
    if (c != Code::ConnectionLoss) break;  // Ok, NoNode (a lost reply), or gone with the session
  }
  node_.clear();
  if (options_.protected_names) remove_strays();
}

// A create of mine that was in flight when its connection broke can commit
// after the retry that made node_, so a second node with my id may stand
// later in the line; it would block everyone behind it while my session
// lives. Best effort: one listing.
void ExclusiveLock::remove_strays() {
  if (zk_.state() != ClientState::kConnected) return;
  auto children = zk_.get_children(options_.path);
  if (!children.ok()) return;
  for (const std::string& name : children.value()) {
    if (!carries_id(name, options_.id)) continue;
    const std::string path = child_path(options_.path, name);
    auto stray = zk_.exists(path);
    if (stray.ok() && stray.value() && stray.value()->ephemeral_owner == zk_.session_id()) {
      (void)zk_.remove(path, stray.value()->version);
    }
  }
}

}  // namespace zsim::core::recipes
