#include "tools/lessons.h"

namespace zsim::tools {

const std::vector<Lesson>& lessons() {
  static const std::vector<Lesson> all = {
      {
          .name = "reliable-network",
          .fallacy = 1,
          .title = "The network is reliable",
          .believes =
              "A request that was sent arrives once, and a reply that did not come means the request did not "
              "happen. The ledger client resends a deposit whose answer was lost (the deposit was not) and takes "
              "any answer for its latest request. The lock client creates its EPHEMERAL_SEQUENTIAL node and, when "
              "the reply is lost to ConnectionLoss, simply creates another.",
          .fault =
              "Datagrams are lost, duplicated and delayed past their timeouts; connections reset with a reply in "
              "flight. A create can succeed on the server while its reply never reaches the client.",
          .look_for =
              "The ledger: deposits applied twice, or acknowledged and never applied. The lock: an orphan node -- "
              "created by a request whose reply was lost, owned by a live session that does not know it has it -- "
              "sits in the line and blocks everyone behind it. The fixes: request ids, retries and an idempotent "
              "apply; protected names (a GUID in the node name, looked for after ConnectionLoss).",
          .pairs = {{"reliable-network-naive", "reliable-network-fixed", "a ledger over datagrams"},
                    {"lock-unprotected-naive", "lock", "an exclusive lock on ZooKeeper (CURATOR-45)"}},
          .herd_candidates = {},
          .exercise =
              "Replay the lock's seed with --trace and find the create whose reply was lost: which session owns "
              "the orphan node, and when does it go away by itself? Then explain why a retry of a PERSISTENT_"
              "SEQUENTIAL create has the same problem, and what a protected name does about it.",
      },
      {
          .name = "latency-is-zero",
          .fallacy = 2,
          .title = "Latency is zero",
          .believes =
              "Between deciding to act (\"I am the leader\") and acting, no time passes. The leader checks that it "
              "leads, then writes to the database without a fencing token.",
          .fault =
              "A client process pauses -- a long garbage-collection pause -- for longer than its session timeout. "
              "The ensemble expires the session, deletes its election node, and the next candidate leads. The "
              "paused leader wakes up before its handle has noticed anything.",
          .look_for =
              "Two holders act on the database at once: the old leader's write lands after the new leader's. "
              "With the fencing token (the czxid of the leader's election node) the database refuses the old "
              "leader's write: a stale token is never accepted.",
          .pairs = {{"paused-leader-naive", "paused-leader-fenced",
                     "a herd-free election; the leader writes to a database (without / with its token)"}},
          .herd_candidates = {},
          .exercise =
              "Can any check made by the leader itself, just before it writes, close the window? (Where can the "
              "pause fall?) What must the database remember for fencing to work, and what happens if two "
              "databases are written by the same leader?",
      },
      {
          .name = "bandwidth-is-infinite",
          .fallacy = 3,
          .title = "Bandwidth is infinite",
          .believes =
              "Watching costs nothing, so every candidate may watch the whole election line (the parent's "
              "children) and re-read it on every change.",
          .fault =
              "None is needed: each leader change wakes every candidate, and each re-lists the line -- N-1 "
              "notifications and N-1 full listings per change, on every link at once. Then bandwidth is made "
              "finite: every host's network interface sends 100 bytes per millisecond over all its links "
              "together, so a server's answers queue behind each other.",
          .look_for =
              "Notifications and bytes per leader change grow with the number of candidates in the herd "
              "election, and stay flat in the herd-free one, where each candidate watches only its predecessor. "
              "With unlimited bandwidth a leader change takes about as long in both; once the interfaces are "
              "finite, the next leader's one answer waits behind the herd's, and the herd's handover grows with "
              "the line. Both elections are correct under faults: this fallacy costs capacity and time, not "
              "safety.",
          .pairs = {},
          .herd_candidates = {10, 50},
          .herd_egress_bytes_per_ms = 100,
          .exercise =
              "With 1,000 candidates and 10 leader changes a minute, how many bytes a second does the herd put on "
              "the ensemble's links? Which other recipes have a herd (barriers? locks?), and how does each avoid "
              "it?",
      },
      {
          .name = "network-is-secure",
          .fallacy = 4,
          .title = "The network is secure",
          .believes =
              "Everyone who can reach the ensemble is one of us and means well, so every znode can keep "
              "ZooKeeper's default ACL (world:anyone:cdrwa). The operator publishes /app/config and the "
              "consumers apply whatever it holds.",
          .fault =
              "Besides the usual crashes, partitions and pauses: another team's stale deploy script, pointed at "
              "the same ensemble, writes its own idea of the config into /app/config every few seconds. Nobody "
              "is malicious; it is simply allowed.",
          .look_for =
              "The consumers apply a config no operator wrote. With ACLs the operator authenticates (addauth "
              "digest ops:...) and creates /app and /app/config with digest:ops:<hash>:cdrwa plus "
              "world:anyone:r: everybody may still read, the stale script gets NoAuth on every write, and since "
              "delete and create need permissions on the parent, locking /app keeps the config from being "
              "deleted or replaced too.",
          .pairs = {{"insecure-network-naive", "insecure-network-acl",
                     "an operator publishes /app/config, consumers apply it, a stale deploy script writes it "
                     "(open ACL / digest ACL)"}},
          .herd_candidates = {},
          .exercise =
              "Try it in `zsim shell`: `create /app x digest:ops:<hash>:cdrwa,world:anyone:r` (compute the hash "
              "with `addauth digest ops:pw` and `create /t x auth::cdrwa`, `getAcl /t`). Why is protecting "
              "/app/config alone not enough to keep it from being deleted? What does a client that holds the "
              "password in its deploy script change, and what would you do about it (rotation, one identity per "
              "team)?",
      },
      {
          .name = "topology-doesnt-change",
          .fallacy = 5,
          .title = "Topology doesn't change",
          .believes =
              "The services that exist at start-up are the services that exist: the discovery client reads the "
              "registry once and calls those addresses forever.",
          .fault =
              "Service instances crash and come back as new processes with new addresses, and sessions expire "
              "during partitions, so their registry entries go and come back.",
          .look_for =
              "After the faults heal, the naive client still lists the old addresses: it calls instances that "
              "died and never finds the new ones. The fixed client keeps its view current through watches on "
              "the registry (re-reading on every event), and ends with exactly the live instances.",
          .pairs = {{"registry-read-once-naive", "registry",
                     "a service registry of ephemerals, read by discovery clients (once / watched)"}},
          .herd_candidates = {},
          .exercise =
              "The fixed client re-reads the whole registry on every event. What does that cost with 10,000 "
              "instances (see lesson 3)? Why must it re-read after a reconnect even if no watch fired?",
      },
  };
  return all;
}

const Lesson* find_lesson(const std::string& name_or_number) {
  for (const Lesson& l : lessons()) {
    if (l.name == name_or_number || std::to_string(l.fallacy) == name_or_number) return &l;
  }
  for (const Lesson& l : course_examples()) {
    if (l.name == name_or_number) return &l;
  }
  return nullptr;
}

}  // namespace zsim::tools
