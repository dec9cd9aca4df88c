#include "core/recipes/create_once.h"

#include "core/recipes/protected_create.h"

namespace zsim::core::recipes {

CreateRequest create_op(std::string path, std::string data, CreateMode mode) {
  CreateRequest c;
  c.path = std::move(path);
  c.data = std::move(data);
  c.mode = static_cast<int32_t>(mode);
  return c;
}

DeleteRequest delete_op(std::string path) {
  DeleteRequest d;
  d.path = std::move(path);
  return d;
}

Status create_once(Client& zk, const std::string& marker, const std::string& path, const std::string& data,
                   CreateMode mode, const CreateOnceOptions& options) {
  for (int losses = 0;;) {
    MultiRequest m;
    m.ops.emplace_back(create_op(marker, "", CreateMode::Persistent));
    m.ops.emplace_back(create_op(path, data, mode));
    auto r = zk.multi(std::move(m));
    if (r.ok()) return Status::ok_status();
    // NodeExists is the marker's (REQUIRES: `path` is sequential or does
    // not exist): an earlier attempt committed, atomically with the node.
    if (r.code() == Code::NodeExists) return Status::ok_status();
    if (r.code() != Code::ConnectionLoss) return r.status();
    if (++losses >= options.attempts_max) return Status(Code::ConnectionLoss, marker + ": outcome unknown");
    if (const Code c = await_reconnect(zk, options.reconnect_wait); c != Code::Ok) {
      return Status(c, marker + ": outcome unknown");
    }
  }
}

}  // namespace zsim::core::recipes
