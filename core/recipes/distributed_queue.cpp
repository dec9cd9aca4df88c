#include "core/recipes/distributed_queue.h"

#include "core/recipes/create_once.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

#include <vector>

namespace zsim::core::recipes {

namespace {

constexpr std::string_view kItemPrefix = "q-";

// The queue's items, head first. Watches the parent when `watch`.
Result<std::vector<std::string>> list_items(Client& zk, const QueueOptions& o, bool watch) {
  auto children = zk.get_children(o.path, watch);
  if (!children.ok()) return children.status();
  std::vector<std::string> items;
  for (std::string& name : sorted_by_sequence(std::move(children).value())) {
    if (item_id_of(name).has_value()) items.push_back(std::move(name));
  }
  return items;
}

// After a ConnectionLoss: Ok once connected again, else the code to give up with.
Code recover(Client& zk, const QueueOptions& o, int& losses) {
  if (++losses >= o.attempts_max) return Code::ConnectionLoss;
  return await_reconnect(zk, o.reconnect_wait);
}

QueueItem item_at(const QueueOptions& o, const std::string& name, std::string data) {
  return QueueItem{child_path(o.path, name), *item_id_of(name), std::move(data)};
}

}  // namespace

std::optional<std::string> item_id_of(std::string_view name) {
  // "q-" + id + "-" + 10 digits.
  if (name.size() < kItemPrefix.size() + 1 + 1 + 10 || name.substr(0, kItemPrefix.size()) != kItemPrefix) {
    return std::nullopt;
  }
  if (!sequence_of(name).has_value() || name[name.size() - 11] != '-') return std::nullopt;
  return std::string(name.substr(kItemPrefix.size(), name.size() - 11 - kItemPrefix.size()));
}

Code ensure_queue(Client& zk, const QueueOptions& options) {
  for (const std::string* p : {&options.path, &options.ids, &options.receipts}) {
    if (const Code c = ensure_path(zk, *p); c != Code::Ok) return c;
  }
  return Code::Ok;
}

Status offer(Client& zk, const QueueOptions& o, const std::string& id, const std::string& data) {
  return create_once(zk, child_path(o.ids, id), child_path(o.path, std::string(kItemPrefix) + id + "-"), data,
                     CreateMode::PersistentSequential, CreateOnceOptions{o.attempts_max, o.reconnect_wait});
}

namespace {

// At most once: multi(delete item, create receipt); after a loss, the
// receipt says whose take committed.
Code take_one(Client& zk, const QueueOptions& o, const std::string& name, std::string& data, int& losses) {
  const std::string item = child_path(o.path, name);
  const std::string receipt = child_path(o.receipts, name);
  auto got = zk.get_data(item);
  if (got.code() == Code::NoNode) return Code::NoNode;
  if (!got.ok()) return got.code();
  data = got.value().data;
  MultiRequest m;
  m.ops.emplace_back(delete_op(item));
  m.ops.emplace_back(create_op(receipt, o.consumer, CreateMode::Persistent));
  auto r = zk.multi(std::move(m));
  if (r.ok()) return Code::Ok;
  if (r.code() != Code::ConnectionLoss) return r.code();  // NoNode: taken by another
  if (const Code c = recover(zk, o, losses); c != Code::Ok) return c;
  auto who = zk.get_data(receipt);
  if (who.code() == Code::NoNode) return Code::ConnectionLoss;  // not taken: list again from the head
  if (!who.ok()) return who.code();
  return who.value().data == o.consumer ? Code::Ok : Code::NoNode;
}

// At least once: create item/lock EPHEMERAL; after a loss, or on
// NodeExists, the lock's owner says whether it is ours.
Code claim_one(Client& zk, const QueueOptions& o, const std::string& name, std::string& data, int& losses) {
  const std::string item = child_path(o.path, name);
  const std::string lock = child_path(item, "lock");
  auto created = zk.create(lock, o.consumer, CreateMode::Ephemeral);
  if (!created.ok() && created.code() != Code::NodeExists) {
    if (created.code() != Code::ConnectionLoss) return created.code();  // NoNode: completed
    if (const Code c = recover(zk, o, losses); c != Code::Ok) return c;
  }
  if (!created.ok()) {
    auto owner = zk.exists(lock);
    if (!owner.ok()) return owner.code();
    // No lock now: ours was never made, or the holder let go (its session
    // ended) -- the item may be free: list again from the head.
    if (!owner.value().has_value()) return Code::ConnectionLoss;
    if (owner.value()->ephemeral_owner != zk.session_id()) return Code::NodeExists;
  }
  auto got = zk.get_data(item);
  if (!got.ok()) return got.code();  // NoNode cannot happen while our lock is its child
  data = got.value().data;
  return Code::Ok;
}

// Tries to get one listed item. Ok: got it; NoNode / NodeExists: another
// consumer's, try the next; ConnectionLoss: list again from the head (an
// outcome was in doubt, or the item may be free again); anything else: give
// up with it.
using GrabFn = Code (*)(Client&, const QueueOptions&, const std::string&, std::string&, int&);

Result<std::optional<QueueItem>> first_of_queue(Client& zk, const QueueOptions& o, Duration wait, GrabFn grab) {
  int losses = 0;
  for (int round = 0; round < o.rounds_max; ++round) {
    const uint64_t seen = zk.event_count();
    auto items = list_items(zk, o, /*watch=*/true);
    if (items.code() == Code::ConnectionLoss) {
      if (const Code c = recover(zk, o, losses); c != Code::Ok) return Status(c, o.path);
      continue;
    }
    if (!items.ok()) return items.status();
    bool relist = false;
    for (const std::string& name : items.value()) {
      std::string data;
      const Code c = grab(zk, o, name, data, losses);
      if (c == Code::Ok) return std::optional<QueueItem>{item_at(o, name, std::move(data))};
      if (c == Code::NoNode || c == Code::NodeExists) continue;  // another consumer's
      if (c == Code::ConnectionLoss && losses < o.attempts_max) {
        relist = true;  // our take is not in doubt any more, but the list may be stale
        break;
      }
      return Status(c, child_path(o.path, name));
    }
    if (relist) continue;
    if (!zk.wait_event(seen, wait)) return std::optional<QueueItem>{};
  }
  return std::optional<QueueItem>{};  // woken often, never an item: the caller calls again
}

}  // namespace

Result<std::optional<QueueItem>> take(Client& zk, const QueueOptions& options, Duration wait) {
  return first_of_queue(zk, options, wait, &take_one);
}

Result<std::optional<QueueItem>> claim(Client& zk, const QueueOptions& options, Duration wait) {
  return first_of_queue(zk, options, wait, &claim_one);
}

Status complete(Client& zk, const QueueOptions& o, const QueueItem& item) {
  bool lost_before = false;
  for (int losses = 0;;) {
    MultiRequest m;
    m.ops.emplace_back(delete_op(child_path(item.path, "lock")));
    m.ops.emplace_back(delete_op(item.path));
    auto r = zk.multi(std::move(m));
    if (r.ok()) return Status::ok_status();
    // After a lost attempt, NoNode is most likely that attempt's work; the
    // item is gone either way, and was processed by whoever deleted it.
    if (r.code() == Code::NoNode && lost_before) return Status::ok_status();
    if (r.code() != Code::ConnectionLoss) return r.status();
    lost_before = true;
    if (const Code c = recover(zk, o, losses); c != Code::Ok) return Status(c, item.path);
  }
}

}  // namespace zsim::core::recipes
