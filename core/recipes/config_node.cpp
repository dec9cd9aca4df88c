#include "core/recipes/config_node.h"

#include "core/assert.h"
#include "core/recipes/protected_create.h"

namespace zsim::core::recipes {

ConfigWriter::ConfigWriter(Client& zk, ConfigWriterOptions options) : zk_(zk), options_(std::move(options)) {
  ZSIM_ASSERT(options_.rounds_max > 0);
}

Result<ConfigValue> ConfigWriter::update(const std::function<std::string(const std::string&)>& transform) {
  // The value this call wrote last, if a write's fate is unknown.
  std::optional<std::string> in_doubt;
  Code last = Code::BadVersion;
  for (int n = 0; n < options_.rounds_max; ++n) {
    if (zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed) {
      return Status(Code::SessionExpired, "session expired");
    }
    if (zk_.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk_, options_.reconnect_wait);
      if (c != Code::Ok) return Status(c, "not connected");
    }
    auto got = zk_.get_data(options_.path);
    if (got.code() == Code::NoNode) {
      std::string next = transform("");
      auto created = zk_.create2(options_.path, next);
      if (created.ok()) return ConfigValue{std::move(next), 0, created.value().stat.mzxid};
      if (created.code() == Code::NodeExists) continue;  // read again
      last = created.code();
      if (last == Code::ConnectionLoss) in_doubt = std::move(next);
      continue;
    }
    if (!got.ok()) {
      last = got.code();
      continue;
    }
    const Stat& stat = got.value().stat;
    // A write whose reply was lost landed (and nothing came after it).
    if (in_doubt && got.value().data == *in_doubt) return ConfigValue{*in_doubt, stat.version, stat.mzxid};
    std::string next = transform(got.value().data);
    auto set = zk_.set_data(options_.path, next, options_.check_version ? stat.version : -1);
    if (set.ok()) return ConfigValue{std::move(next), set.value().version, set.value().mzxid};
    last = set.code();
    if (last == Code::ConnectionLoss) in_doubt = std::move(next);
    // BadVersion: another writer came first; read again.
  }
  return Status(last, "no round succeeded");
}

Result<bool> ConfigWatcher::read(Client& zk) {
  if (synced_session_ != zk.session_id() || zk.session_id() == 0) {
    // A new session may sit on a lagging server: catch it up first.
    const Status s = zk.sync(path_);
    if (!s.ok() && s.code() != Code::NoNode) return s;
    synced_session_ = zk.session_id();
  }
  auto got = zk.get_data(path_, /*watch=*/true);
  if (got.code() == Code::NoNode) {
    // A failed getData leaves no watch: watch for the creation.
    auto there = zk.exists(path_, /*watch=*/true);
    if (!there.ok()) return there.status();
    if (!there.value()) return Status(Code::NoNode, path_);
    got = zk.get_data(path_, /*watch=*/true);  // created meanwhile
  }
  if (!got.ok()) return got.status();
  const Stat& stat = got.value().stat;
  // mzxid orders the node's values (versions would restart if it were
  // deleted and created again).
  if (value_.version >= 0 && stat.mzxid <= value_.mzxid) return false;
  value_ = ConfigValue{std::move(got.value().data), stat.version, stat.mzxid};
  return true;
}

Code ConfigWatcher::reconnect(Client& zk, Duration wait) { return await_reconnect(zk, wait); }

}  // namespace zsim::core::recipes
