#include "core/tree/watches.h"

#include "core/tree/path.h"

namespace zsim::core {

std::string_view event_type_name(EventType type) {
  switch (type) {
    case EventType::None:
      return "None";
    case EventType::NodeCreated:
      return "NodeCreated";
    case EventType::NodeDeleted:
      return "NodeDeleted";
    case EventType::NodeDataChanged:
      return "NodeDataChanged";
    case EventType::NodeChildrenChanged:
      return "NodeChildrenChanged";
    case EventType::DataWatchRemoved:
      return "DataWatchRemoved";
    case EventType::ChildWatchRemoved:
      return "ChildWatchRemoved";
    case EventType::PersistentWatchRemoved:
      return "PersistentWatchRemoved";
  }
  return "?";
}

void WatchManager::put(Table& table, std::map<WatcherId, std::set<std::string>>& by_watcher,
                       WatcherId watcher, std::string_view path, Mode mode) {
  auto it = table.find(path);
  if (it == table.end()) {
    it = table.emplace(std::string(path), std::map<WatcherId, Mode>{}).first;
  }
  it->second[watcher] = mode;
  by_watcher[watcher].emplace(path);
}

void WatchManager::add(WatcherId watcher, std::string_view path, WatchKind kind) {
  ZSIM_ASSERT(validate_path(path).ok());
  switch (kind) {
    case WatchKind::Data:
    case WatchKind::Exist:
      put(data_, data_by_watcher_, watcher, path, Mode::Standard);
      break;
    case WatchKind::Child:
      put(child_, child_by_watcher_, watcher, path, Mode::Standard);
      break;
    case WatchKind::Persistent:
      put(data_, data_by_watcher_, watcher, path, Mode::Persistent);
      put(child_, child_by_watcher_, watcher, path, Mode::Persistent);
      break;
    case WatchKind::PersistentRecursive:
      // In both tables, as ZooKeeper 3.8's DataTree.addWatch does: a later
      // one-shot watch on the path replaces it in one table only.
      put(data_, data_by_watcher_, watcher, path, Mode::PersistentRecursive);
      put(child_, child_by_watcher_, watcher, path, Mode::PersistentRecursive);
      break;
  }
}

void WatchManager::remove_watcher(WatcherId watcher) {
  const auto drop = [watcher](Table& table, std::map<WatcherId, std::set<std::string>>& index) {
    auto it = index.find(watcher);
    if (it == index.end()) {
      return;
    }
    for (const std::string& path : it->second) {
      auto entry = table.find(path);
      ZSIM_ASSERT(entry != table.end());
      entry->second.erase(watcher);
      if (entry->second.empty()) {
        table.erase(entry);
      }
    }
    index.erase(it);
  };
  drop(data_, data_by_watcher_);
  drop(child_, child_by_watcher_);
}

std::set<WatcherId> WatchManager::collect(Table& table,
                                          std::map<WatcherId, std::set<std::string>>& by_watcher,
                                          std::string_view path, bool with_ancestors, bool recursive_hears) {
  std::set<WatcherId> out;
  std::string_view at = path;
  bool at_path = true;
  // Walk p, parent(p), ..., "/": at most one step per path component.
  for (size_t steps = 0; steps <= path.size(); ++steps) {
    auto entry = table.find(at);
    if (entry != table.end()) {
      auto& watchers = entry->second;
      for (auto it = watchers.begin(); it != watchers.end();) {
        const Mode mode = it->second;
        const bool hears = mode == Mode::PersistentRecursive ? recursive_hears : at_path;
        if (!hears) {
          // Only recursive watches hear about descendants, and they never
          // hear NodeChildrenChanged, not even on their own path.
          ++it;
          continue;
        }
        out.insert(it->first);
        if (mode == Mode::Standard) {
          auto owned = by_watcher.find(it->first);
          ZSIM_ASSERT(owned != by_watcher.end());
          owned->second.erase(entry->first);
          if (owned->second.empty()) {
            by_watcher.erase(owned);
          }
          it = watchers.erase(it);
        } else {
          ++it;
        }
      }
      if (watchers.empty()) {
        table.erase(entry);
      }
    }
    if (!with_ancestors || at == kRootPath) {
      break;
    }
    at = parent_path(at);
    at_path = false;
  }
  return out;
}

std::vector<WatchDelivery> WatchManager::trigger(const std::vector<WatchEvent>& events) {
  std::vector<WatchDelivery> out;
  for (const WatchEvent& event : events) {
    std::set<WatcherId> hear;
    switch (event.type) {
      case EventType::NodeCreated:
      case EventType::NodeDataChanged:
        hear = collect(data_, data_by_watcher_, event.path, true, true);
        break;
      case EventType::NodeDeleted: {
        hear = collect(data_, data_by_watcher_, event.path, true, true);
        std::set<WatcherId> more = collect(child_, child_by_watcher_, event.path, true, true);
        hear.insert(more.begin(), more.end());
        break;
      }
      case EventType::NodeChildrenChanged:
        hear = collect(child_, child_by_watcher_, event.path, false, false);
        break;
      default:
        ZSIM_ASSERT(false && "not a trigger event type");
    }
    for (WatcherId watcher : hear) {
      out.push_back(WatchDelivery{watcher, event});
    }
  }
  return out;
}

std::vector<WatchDelivery> WatchManager::reregister(const DataTree& tree, int64_t last_zxid,
                                                    WatcherId watcher, const WatchSet& watches) {
  std::vector<WatchDelivery> out;
  const auto fire = [&](EventType type, const std::string& path) {
    out.push_back(WatchDelivery{watcher, WatchEvent{type, path}});
  };
  for (const std::string& path : watches.data) {
    const Znode* node = tree.find(path);
    if (node == nullptr) {
      fire(EventType::NodeDeleted, path);
    } else if (node->mzxid > last_zxid) {
      fire(EventType::NodeDataChanged, path);
    } else {
      add(watcher, path, WatchKind::Data);
    }
  }
  for (const std::string& path : watches.exist) {
    if (tree.find(path) != nullptr) {
      fire(EventType::NodeCreated, path);
    } else {
      add(watcher, path, WatchKind::Exist);
    }
  }
  for (const std::string& path : watches.child) {
    const Znode* node = tree.find(path);
    if (node == nullptr) {
      fire(EventType::NodeDeleted, path);
    } else if (node->pzxid > last_zxid) {
      fire(EventType::NodeChildrenChanged, path);
    } else {
      add(watcher, path, WatchKind::Child);
    }
  }
  for (const std::string& path : watches.persistent) {
    add(watcher, path, WatchKind::Persistent);
  }
  for (const std::string& path : watches.persistent_recursive) {
    add(watcher, path, WatchKind::PersistentRecursive);
  }
  return out;
}

size_t WatchManager::size() const {
  size_t n = 0;
  for (const auto& [path, watchers] : data_) {
    n += watchers.size();
  }
  for (const auto& [path, watchers] : child_) {
    n += watchers.size();
  }
  return n;
}

bool WatchManager::has(WatcherId watcher, std::string_view path, WatchKind kind) const {
  const auto mode_in = [&](const Table& table) -> std::optional<Mode> {
    auto entry = table.find(path);
    if (entry == table.end()) {
      return std::nullopt;
    }
    auto it = entry->second.find(watcher);
    if (it == entry->second.end()) {
      return std::nullopt;
    }
    return it->second;
  };
  switch (kind) {
    case WatchKind::Data:
    case WatchKind::Exist:
      return mode_in(data_) == Mode::Standard;
    case WatchKind::Child:
      return mode_in(child_) == Mode::Standard;
    case WatchKind::Persistent:
      return mode_in(data_) == Mode::Persistent && mode_in(child_) == Mode::Persistent;
    case WatchKind::PersistentRecursive:
      return mode_in(data_) == Mode::PersistentRecursive;
  }
  return false;
}

}  // namespace zsim::core
