// Proves the data tree + prepare + apply agree with a small reference model
// on random request sequences: same per-op result codes, same created paths
// and returned Stats, and after every request the same set of nodes with the
// same data, Stat fields, children, sessions, ephemeral owners and reaping
// candidates.
//
// The model is written to be obviously correct rather than fast: a flat map
// of path -> node; children found by scanning; a multi runs on a copy of the
// whole state that is kept only if every op succeeds; the visible cversion
// is creations + deletions (minus the system children that were never
// created, which is what a real server shows for / and /zookeeper).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>

#include "core/tree/path.h"
#include "request_gen.h"
#include "tree_driver.h"

namespace zsim::core {
namespace {

struct MNode {
  std::string data;
  int64_t czxid = 0, mzxid = 0, pzxid = 0, ctime = 0, mtime = 0;
  int32_t version = 0, aversion = 0;
  int32_t creates = 0, deletes = 0, initial_children = 0;
  int mode = 0;  // CreateMode it was created with
  int64_t owner = 0;
  int64_t ttl = 0;
};

struct Model {
  std::map<std::string, MNode> nodes;
  std::map<int64_t, int32_t> sessions;

  Model() {
    nodes["/"].initial_children = 1;
    nodes["/zookeeper"].initial_children = 2;
    nodes["/zookeeper/quota"];
    nodes["/zookeeper/config"].aversion = -1;
  }

  std::vector<std::string> children(const std::string& p) const {
    std::vector<std::string> out;
    for (const auto& [path, node] : nodes) {
      if (path != "/" && parent_path(path) == p) {
        out.push_back(std::string(base_name(path)));
      }
    }
    return out;
  }

  bool is_ephemeral(const MNode& n) const { return n.mode == 1 || n.mode == 3; }

  Stat stat(const std::string& p) const {
    const MNode& n = nodes.at(p);
    Stat s;
    s.czxid = n.czxid;
    s.mzxid = n.mzxid;
    s.pzxid = n.pzxid;
    s.ctime_ms = n.ctime;
    s.mtime_ms = n.mtime;
    s.version = n.version;
    s.aversion = n.aversion;
    s.cversion = n.creates + n.deletes - n.initial_children;
    s.ephemeral_owner = is_ephemeral(n) ? n.owner : 0;
    s.data_length = static_cast<int32_t>(n.data.size());
    s.num_children = static_cast<int32_t>(children(p).size());
    return s;
  }
};

struct Ctx {
  int64_t session;
  int64_t zxid;
  int64_t time;
};

OpResult fail(Code code) { return OpResult{code, {}, std::nullopt}; }

bool version_ok(int32_t expected, int32_t actual) { return expected == -1 || expected == actual; }

OpResult model_create(Model& m, const CreateRequest& r, const Ctx& c) {
  if (r.mode < 0 || r.mode > 6) {
    return fail(Code::BadArguments);
  }
  const bool ttl_mode = r.mode == 5 || r.mode == 6;
  if (ttl_mode ? (r.ttl_ms <= 0 || r.ttl_ms > kMaxTtlMs) : r.ttl_ms >= 0) {
    return fail(Code::BadArguments);
  }
  const bool seq = r.mode == 2 || r.mode == 3 || r.mode == 6;
  if (!validate_path(r.path, seq).ok()) {
    return fail(Code::BadArguments);
  }
  const std::string parent = r.path == "/" ? "/" : std::string(parent_path(r.path));
  if (m.nodes.count(parent) == 0) {
    return fail(Code::NoNode);
  }
  MNode& par = m.nodes.at(parent);
  std::string path = r.path;
  if (seq) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%010d", par.creates);
    path += suffix;
  }
  if (m.nodes.count(path) != 0) {
    return fail(Code::NodeExists);
  }
  if (m.is_ephemeral(par)) {
    return fail(Code::NoChildrenForEphemerals);
  }
  par.creates += 1;
  par.pzxid = c.zxid;
  MNode n;
  n.data = r.data;
  n.czxid = n.mzxid = n.pzxid = c.zxid;
  n.ctime = n.mtime = c.time;
  n.mode = r.mode;
  n.owner = (r.mode == 1 || r.mode == 3) ? c.session : 0;
  n.ttl = ttl_mode ? r.ttl_ms : 0;
  m.nodes[path] = n;
  return OpResult{Code::Ok, path, m.stat(path)};
}

void model_unlink(Model& m, const std::string& path, const Ctx& c) {
  MNode& par = m.nodes.at(std::string(parent_path(path)));
  par.deletes += 1;
  par.pzxid = c.zxid;
  m.nodes.erase(path);
}

OpResult model_delete(Model& m, const DeleteRequest& r, const Ctx& c) {
  if (is_protected_path(r.path) || !validate_path(r.path).ok()) {
    return fail(Code::BadArguments);
  }
  if (m.nodes.count(std::string(parent_path(r.path))) == 0 || m.nodes.count(r.path) == 0) {
    return fail(Code::NoNode);
  }
  if (!version_ok(r.version, m.nodes.at(r.path).version)) {
    return fail(Code::BadVersion);
  }
  if (!m.children(r.path).empty()) {
    return fail(Code::NotEmpty);
  }
  model_unlink(m, r.path, c);
  return OpResult{};
}

OpResult model_set(Model& m, const SetDataRequest& r, const Ctx& c) {
  if (!validate_path(r.path).ok()) {
    return fail(Code::BadArguments);
  }
  if (m.nodes.count(r.path) == 0) {
    return fail(Code::NoNode);
  }
  MNode& n = m.nodes.at(r.path);
  if (!version_ok(r.version, n.version)) {
    return fail(Code::BadVersion);
  }
  n.data = r.data;
  n.version += 1;
  n.mzxid = c.zxid;
  n.mtime = c.time;
  return OpResult{Code::Ok, {}, m.stat(r.path)};
}

OpResult model_check(Model& m, const CheckRequest& r) {
  if (!validate_path(r.path).ok()) {
    return fail(Code::BadArguments);
  }
  if (m.nodes.count(r.path) == 0) {
    return fail(Code::NoNode);
  }
  return version_ok(r.version, m.nodes.at(r.path).version) ? OpResult{} : fail(Code::BadVersion);
}

OpResult model_op(Model& m, const MultiOp& op, const Ctx& c) {
  if (const auto* r = std::get_if<CreateRequest>(&op)) return model_create(m, *r, c);
  if (const auto* r = std::get_if<DeleteRequest>(&op)) return model_delete(m, *r, c);
  if (const auto* r = std::get_if<SetDataRequest>(&op)) return model_set(m, *r, c);
  return model_check(m, std::get<CheckRequest>(op));
}

std::vector<OpResult> model_multi(Model& m, const MultiRequest& r, const Ctx& c) {
  Model copy = m;
  std::vector<OpResult> out;
  for (size_t i = 0; i < r.ops.size(); ++i) {
    OpResult res = model_op(copy, r.ops[i], c);
    if (res.code != Code::Ok) {
      std::vector<OpResult> failed(r.ops.size(), fail(Code::Ok));
      failed[i] = fail(res.code);
      for (size_t j = i + 1; j < r.ops.size(); ++j) {
        failed[j] = fail(Code::RuntimeInconsistency);
      }
      return failed;
    }
    out.push_back(res);
  }
  m = copy;
  return out;
}

OpResult model_delete_container(Model& m, const DeleteContainerRequest& r, const Ctx& c) {
  if (is_protected_path(r.path) || !validate_path(r.path).ok()) {
    return fail(Code::BadArguments);
  }
  if (m.nodes.count(r.path) == 0) {
    return fail(Code::NoNode);
  }
  const int mode = m.nodes.at(r.path).mode;
  if (mode != 4 && mode != 5 && mode != 6) {
    return fail(Code::BadArguments);
  }
  if (!m.children(r.path).empty()) {
    return fail(Code::NotEmpty);
  }
  model_unlink(m, r.path, c);
  return OpResult{};
}

std::vector<OpResult> model_step(Model& m, const Request& req, const Ctx& c) {
  if (const auto* r = std::get_if<MultiRequest>(&req)) {
    return model_multi(m, *r, c);
  }
  if (std::holds_alternative<CreateSessionRequest>(req)) {
    m.sessions[c.session] = std::get<CreateSessionRequest>(req).timeout_ms;
    return {};
  }
  if (std::holds_alternative<CloseSessionRequest>(req)) {
    std::vector<std::string> doomed;
    for (const auto& [path, node] : m.nodes) {
      if (m.is_ephemeral(node) && node.owner == c.session) {
        doomed.push_back(path);
      }
    }
    for (const auto& path : doomed) {
      model_unlink(m, path, c);
    }
    m.sessions.erase(c.session);
    return {};
  }
  if (const auto* r = std::get_if<DeleteContainerRequest>(&req)) {
    return {model_delete_container(m, *r, c)};
  }
  return std::visit(
      [&](const auto& op) -> std::vector<OpResult> {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, CreateRequest> || std::is_same_v<T, DeleteRequest> ||
                      std::is_same_v<T, SetDataRequest> || std::is_same_v<T, CheckRequest>) {
          return {model_op(m, MultiOp(op), c)};
        } else {
          RC_FAIL("unhandled request");
          return {};
        }
      },
      req);
}

std::vector<std::string> model_reap(const Model& m, int64_t now) {
  std::vector<std::string> out;
  for (const auto& [path, n] : m.nodes) {
    if (!m.children(path).empty()) {
      continue;
    }
    if ((n.mode == 4 && n.creates > 0) || ((n.mode == 5 || n.mode == 6) && now - n.mtime > n.ttl)) {
      out.push_back(path);
    }
  }
  return out;
}

void expect_same_state(const Model& m, const DataTree& t, int64_t now) {
  RC_ASSERT(t.node_count() == m.nodes.size());
  for (const auto& [path, node] : m.nodes) {
    const Znode* z = t.find(path);
    RC_ASSERT(z != nullptr);
    RC_ASSERT(z->data == node.data);
    RC_ASSERT(z->stat() == m.stat(path));
    RC_ASSERT(t.get_children(path).value().children == m.children(path));
    if (m.is_ephemeral(node)) {
      RC_ASSERT(t.ephemerals(node.owner).count(path) == 1u);
    }
  }
  RC_ASSERT(t.sessions() == m.sessions);
  for (int64_t later : {int64_t{0}, int64_t{999}, int64_t{1001}, int64_t{5000}}) {
    RC_ASSERT(t.reap_candidates(now + later) == model_reap(m, now + later));
  }
}

// Property: for any request sequence, tree and model agree on every result
// and on the whole state after every request.
RC_GTEST_PROP(ReferenceModel, TreeAgreesWithModel, ()) {
  testing::TreeDriver d;
  Model m;
  for (const auto& r : testing::gen_requests(80)) {
    d.advance_time(*rc::gen::element<int64_t>(0, 1, 400, 2000));
    const Ctx c{r.session, d.last_zxid() + 1, d.now_ms()};
    const std::vector<OpResult> expected = model_step(m, r.request, c);
    const ApplyResult got = d.submit(r.request, r.session);
    RC_ASSERT(got.ops == expected);
    expect_same_state(m, d.tree, d.now_ms());
  }
}

}  // namespace
}  // namespace zsim::core
