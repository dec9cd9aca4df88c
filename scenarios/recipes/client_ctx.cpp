#include "scenarios/recipes/client_ctx.h"

#include "core/assert.h"

#include <fmt/format.h>

namespace zsim::scenarios::recipes {

bool ClientRecord::held(int64_t id, uint32_t inc) const {
  for (const SessionRecord& s : sessions) {
    if (s.id == id && s.incarnation == inc) return true;
  }
  return false;
}

uint32_t ClientRecord::incarnation_of(int64_t id) const {
  for (const SessionRecord& s : sessions) {
    if (s.id == id) return s.incarnation;
  }
  return 0;
}

ClientCtx::ClientCtx(io::Env& env, sim::Simulator& sim, ClientRecord& record, const ClusterShape& shape,
                     const std::vector<io::HostId>& servers, const bool& stopping)
    : env_(env),
      sim_(sim),
      record_(record),
      shape_(shape),
      servers_(servers),
      stopping_(stopping),
      incarnation_(sim.host_info(record.host).incarnation),
      op_notes_(sim, record.index) {
  record_.incarnation = incarnation_;
}

ClientCtx::~ClientCtx() = default;

core::Client& ClientCtx::zk() {
  if (client_ == nullptr || client_->state() == core::ClientState::kExpired ||
      client_->state() == core::ClientState::kClosed) {
    return new_session();
  }
  return *client_;
}

core::ClientOptions ClientCtx::session_options() {
  core::ClientOptions o;
  o.servers = servers();
  o.session_timeout = shape_.session_timeout_min;
  if (shape_.session_timeout_max > shape_.session_timeout_min) {
    const auto spread_ms =
        static_cast<uint64_t>((shape_.session_timeout_max - shape_.session_timeout_min).count() / 1'000'000);
    o.session_timeout += millis(static_cast<int64_t>(env_.random.below(spread_ms + 1)));
  }
  return o;
}

core::Client& ClientCtx::new_session() {
  const core::ClientOptions o = session_options();
  client_.reset();  // first: the old session stops pinging and will expire
  client_ = std::make_unique<core::Client>(env_, o);
  if (sim_.observed()) client_->set_observer(&op_notes_);
  // The watcher records each session the handle gets (recipes wait on the
  // handle's event count, not on its watcher).
  client_->set_watcher([this](const core::WatchedEvent& e) {
    if (e.type == core::EventType::None && e.state == core::KeeperState::kSyncConnected) note_session(*client_);
  });
  return *client_;
}

std::unique_ptr<core::Client> ClientCtx::open_session() {
  auto handle = std::make_unique<core::Client>(env_, session_options());
  if (sim_.observed()) handle->set_observer(&op_notes_);
  handle->set_watcher([this, h = handle.get()](const core::WatchedEvent& e) {
    if (e.type == core::EventType::None && e.state == core::KeeperState::kSyncConnected) note_session(*h);
  });
  return handle;
}

void ClientCtx::note_session(const core::Client& handle) {
  const int64_t id = handle.session_id();
  if (id == 0 || record_.held(id, incarnation_)) return;
  record_.sessions.push_back(SessionRecord{id, incarnation_, sim_.now()});
}

core::Status ClientCtx::set_servers(std::vector<io::HostId> servers) {
  if (servers.empty()) return core::Status(core::Code::BadArguments, "set_servers: the new server list is empty");
  own_servers_ = std::move(servers);
  if (client_ != nullptr) return client_->update_server_list(own_servers_);
  return core::Status();
}

int64_t ClientCtx::session_id() const { return client_ == nullptr ? 0 : client_->session_id(); }

bool ClientCtx::connected() const {
  return client_ != nullptr && client_->state() == core::ClientState::kConnected;
}

void ClientCtx::sleep(Duration d) { env_.fibers.sleep(d); }

std::string ClientCtx::unique_id() {
  return fmt::format("{:016x}", env_.random.next_u64());
}

}  // namespace zsim::scenarios::recipes
