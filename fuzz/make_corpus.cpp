// Writes the seed corpora of the binary codecs' fuzz targets from real
// encoded values, so that libFuzzer starts from well-formed frames and
// mutates them (a random start would rarely get past the first length
// check). Run from the fuzz build:
//   build/fuzz/fuzz/fuzz_make_corpus fuzz/corpus
// It writes <dir>/wire/, <dir>/quorum/ and <dir>/disk_records/ (overwriting
// its own files, adding no others). The text readers' corpora (plans, shell
// lines, histories) are plain files written by hand or copied from tests.
#include "core/proto/quorum.h"
#include "core/proto/wire.h"
#include "core/tree/data_tree.h"
#include "core/tree/snapshot.h"
#include "core/txn/apply.h"
#include "core/txn/txn.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace zsim::core;

namespace {

void write_all(const fs::path& dir, const std::string& prefix, const std::vector<std::string>& inputs) {
  fs::create_directories(dir);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    std::ofstream(dir / (prefix + std::to_string(i)), std::ios::binary) << inputs[i];
  }
}

constexpr std::int64_t kSession = 0x100000000000001;

Txn txn(std::int64_t zxid, TxnBody body) {
  Txn t;
  t.header = TxnHeader{.session_id = kSession, .cxid = 3, .zxid = zxid, .time_ms = 1000};
  t.body = std::move(body);
  return t;
}

std::vector<Txn> sample_txns() {
  return {
      txn(0x100000001, CreateSessionTxn{.timeout_ms = 5000}),
      txn(0x100000002, CreateTxn{.path = "/a", .data = "hello", .parent_creations = 1}),
      txn(0x100000003, SetDataTxn{.path = "/a", .data = "x", .version = 1}),
      txn(0x100000004, MultiTxn{.ops = {CreateTxn{.path = "/a/b", .data = "", .parent_creations = 1},
                                        CheckTxn{.path = "/a", .version = 1}, DeleteTxn{.path = "/a/b"}}}),
      txn(0x100000005, ErrorTxn{.code = Code::NoNode}),
      // The session's ephemerals, so that closing it applies (apply()
      // asserts that every path it names is an ephemeral of the session).
      txn(0x100000006, CreateTxn{.path = "/e1", .kind = NodeKind::Ephemeral,
                                 .ephemeral_owner = kSession, .parent_creations = 2}),
      txn(0x100000007, CreateTxn{.path = "/e2", .data = "e", .kind = NodeKind::Ephemeral,
                                 .ephemeral_owner = kSession, .parent_creations = 3}),
      txn(0x100000008, CloseSessionTxn{.paths = {"/e1", "/e2"}}),
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (e.g. fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];

  std::vector<std::string> wire_inputs;
  wire_inputs.push_back(wire::encode(wire::ClientFrame{wire::ConnectRequest{.last_zxid_seen = 5, .timeout_ms = 5000}}));
  wire_inputs.push_back(wire::encode(wire::ClientFrame{wire::RequestFrame{
      .xid = 1, .op = CreateRequest{.path = "/a", .data = "v", .mode = 1, .ttl_ms = -1}}}));
  wire_inputs.push_back(wire::encode(wire::ClientFrame{wire::RequestFrame{
      .xid = 2, .op = MultiRequest{.ops = {CreateRequest{.path = "/m"}, SetDataRequest{.path = "/m", .data = "d"},
                                          CheckRequest{.path = "/m", .version = 1}, DeleteRequest{.path = "/m"}}}}}));
  wire_inputs.push_back(wire::encode(wire::ClientFrame{wire::RequestFrame{.xid = 3, .op = wire::GetChildrenOp{
                                                                                       .path = "/", .watch = true, .with_stat = true}}}));
  wire_inputs.push_back(wire::encode(wire::ClientFrame{wire::RequestFrame{
      .xid = 4, .op = wire::AddWatchOp{.path = "/w", .mode = wire::AddWatchMode::kPersistentRecursive}}}));
  wire_inputs.push_back(wire::encode(wire::ClientFrame{wire::RequestFrame{.xid = wire::kPingXid, .op = wire::PingOp{}}}));
  wire_inputs.push_back(wire::encode(wire::ServerFrame{wire::ConnectResponse{.timeout_ms = 4000, .session_id = 7}}));
  wire_inputs.push_back(wire::encode(wire::ServerFrame{wire::ReplyFrame{
      .xid = 1, .zxid = 9, .err = Code::Ok, .body = wire::DataReply{.data = "v", .stat = Stat{}}}}));
  wire_inputs.push_back(wire::encode(wire::ServerFrame{wire::ReplyFrame{
      .xid = 3, .zxid = 9, .err = Code::Ok, .body = wire::ChildrenReply{.children = {"a", "b"}, .stat = Stat{}}}}));
  wire_inputs.push_back(wire::encode(wire::ServerFrame{wire::Notification{.type = EventType::NodeDeleted, .path = "/a"}}));
  write_all(root / "wire", "frame-", wire_inputs);

  std::vector<std::string> quorum_inputs;
  quorum_inputs.push_back(quorum::encode(quorum::VoteMessage{
      .to = 2, .vote = zab::Vote{.leader = 3, .zxid = 0x100000004, .peer_epoch = 1, .round = 2,
                                 .state = zab::PeerState::Looking}}));
  const std::vector<Txn> txns = sample_txns();
  // `tree` has every sample txn applied; `live` all but the session's
  // close, so its snapshot carries a session and its ephemerals.
  DataTree tree;
  DataTree live;
  for (std::size_t i = 0; i < txns.size(); ++i) {
    (void)apply(tree, txns[i]);
    if (i + 1 < txns.size()) (void)apply(live, txns[i]);
  }
  const quorum::Message messages[] = {
      quorum::LearnerInfo{.accepted_epoch = 1, .last_zxid = 0x100000003, .observer = false},
      quorum::LeaderInfo{.new_epoch = 2},
      quorum::AckEpoch{.current_epoch = 1, .last_zxid = 0x100000003},
      quorum::SyncStart{.kind = quorum::SyncKind::kSnap, .truncate_to = 0, .snapshot = write_snapshot(tree)},
      quorum::SyncStart{.kind = quorum::SyncKind::kTrunc, .truncate_to = 0x100000002, .snapshot = ""},
      quorum::SyncTxn{.txn = txns[1]},
      quorum::NewLeader{.epoch = 2},
      quorum::Proposal{.txn = txns[3]},
      quorum::Ack{.zxid = 0x200000001},
      quorum::Commit{.zxid = 0x200000001},
      quorum::PingReply{.touched_sessions = {1, 2, 3}},
      quorum::Forward{.session_id = 5, .cxid = 6, .op = SetDataRequest{.path = "/a", .data = "z"}},
      quorum::CreateSession{.token = 1, .timeout_ms = 4000},
      quorum::Revalidate{.session_id = 5},
  };
  for (const quorum::Message& m : messages) quorum_inputs.push_back(quorum::encode(m));
  write_all(root / "quorum", "message-", quorum_inputs);

  std::vector<std::string> disk_inputs;
  for (const Txn& t : txns) disk_inputs.push_back(encode_txn(t));
  disk_inputs.push_back(write_snapshot(tree));
  disk_inputs.push_back(write_snapshot(live));
  disk_inputs.push_back(write_snapshot(DataTree{}));
  write_all(root / "disk_records", "record-", disk_inputs);
  return 0;
}
