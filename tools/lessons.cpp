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
              "registry once and calls those addresses forever. And the servers that exist at start-up are the "
              "servers that exist: the client's connect list is hard-coded to s1, s2, s3.",
          .fault =
              "Service instances crash and come back as new processes with new addresses, and sessions expire "
              "during partitions, so their registry entries go and come back. And an operator replaces the "
              "ensemble's servers one at a time with new machines (s1 by r1, s2 by r2, s3 by r3, 12 s apart, "
              "under network faults), publishing the new connect list in /ops/ensemble after each.",
          .look_for =
              "After the faults heal, the naive discovery client still lists the old addresses: it calls "
              "instances that died and never finds the new ones. The fixed client keeps its view current through "
              "watches on the registry (re-reading on every event), and ends with exactly the live instances. "
              "The naive ensemble client works through the first two replacements (one of its servers is "
              "left), then reaches nothing: zero operations after the last one. The fixed client watches "
              "/ops/ensemble and hands each list to update_server_list, moving its session to the new "
              "machines; one cut off for longer than 4 s looks the ensemble up again by name (a DNS record "
              "the operator keeps current). Its work goes on.",
          .pairs = {{"registry-read-once-naive", "registry",
                     "a service registry of ephemerals, read by discovery clients (once / watched)"},
                    {"server-replacement-naive", "server-replacement",
                     "clients of an ensemble whose servers are replaced (hard-coded list / followed)"}},
          .herd_candidates = {},
          .exercise =
              "The fixed client re-reads the whole registry on every event. What does that cost with 10,000 "
              "instances (see lesson 3)? Why must it re-read after a reconnect even if no watch fired? And: the "
              "operator replaces one server at a time and waits for the ensemble to settle in between. Which "
              "fixed client would still be lost if it replaced two at once, and why must the new, empty server "
              "start only after the two old ones were restarted with the new member table?",
      },
      {
          .name = "one-administrator",
          .fallacy = 6,
          .title = "There is one administrator",
          .believes =
              "The settings it was given are the settings that apply. The application's operator configured "
              "20 s sessions; the leader holds a lease on its session -- heartbeats answered in a row mean \"my "
              "session lives for half a timeout more\" -- and writes to the database while the lease, reckoned "
              "from those 20 s, lasts.",
          .fault =
              "Another operator bounded the ensemble's sessions at 2 s (maxSessionTimeout), so the servers clamp "
              "the 20 s the clients ask for to 2 s, and say so in the connect reply. Then the leader is cut off "
              "(a partition, a pause) for a few seconds: the ensemble expires it after 2 s and the next "
              "candidate leads.",
          .look_for =
              "The old leader goes on writing after the ensemble expired its session -- for up to 10 s after its "
              "last heartbeat -- beside the new leader. The fixed leader reckons its lease from the negotiated "
              "timeout (the connect reply's, Client::negotiated_timeout_ms()) and stops writing a second after "
              "its last answered heartbeat, before the ensemble can have expired it.",
          .pairs = {{"one-administrator-naive", "one-administrator",
                     "a leader on a lease, asking for 20 s sessions from servers that allow 2 s"}},
          .herd_candidates = {},
          .exercise =
              "Why must a lease start when the heartbeat was SENT, not when its answer came -- and why from the "
              "one before (a follower reports a session's touch to the leader only on its next ping)? Why is "
              "the heartbeat a write, not a read (what does a follower cut off from the leader answer)? Which other settings have "
              "two owners (jute.maxbuffer on servers and clients, tickTime and the clients' timeouts)?",
      },
      {
          .name = "transport-cost-is-zero",
          .fallacy = 7,
          .title = "Transport cost is zero",
          .believes =
              "Reading is free, so a queue consumer may re-read the whole queue -- the children, then the data "
              "of every child -- on every change, and take the head.",
          .fault =
              "None is needed: the queue is large (a backlog of about 120 orders of 200 bytes grew while the "
              "consumer was down), and every item taken makes the consumer pay for all the items behind it. "
              "The usual faults run too, so the fix must keep the queue correct.",
          .look_for =
              "Bytes on the consumer's link per consumed item (counted by the simulated network), against a "
              "budget of 2,000 -- five times what one item needs to cross the link. The naive consumer's bill "
              "grows with the queue's length; the fixed one lists once, reads each item's data once, and "
              "deletes the head 20 at a time with one multi. Both consume every item (none lost).",
          .pairs = {{"transport-cost-is-zero-naive", "transport-cost-is-zero",
                     "a consumer of a 120-item queue (re-reading / caching and batching)"}},
          .herd_candidates = {},
          .exercise =
              "Work out the naive consumer's bytes for a backlog of N items (each take re-reads what is left): "
              "how does it grow with N? The fixed consumer processes a batch before deleting it: what happens to "
              "the batch if it crashes half way, and why is that allowed here (at least once)?",
      },
      {
          .name = "network-is-homogeneous",
          .fallacy = 8,
          .title = "The network is homogeneous",
          .believes =
              "Every program on the network speaks its own version of the protocol. Each release decodes "
              "registry entries strictly: release 1 refuses a field it does not know, release 2 requires the "
              "field it added (the instance's zone).",
          .fault =
              "A rolling upgrade: two instances run release 1, two release 2, and both releases discover "
              "services from the one registry -- under the usual faults (restarts, expiries, partitions).",
          .look_for =
              "After the heal, each discovery client lists only its own release's instances, and says which "
              "entries it refused and why (\"unknown field zone\", \"missing field zone\"). The fixed "
              "encoding is versioned and tolerant -- a major version that is checked, unknown fields ignored, "
              "the added field optional -- and every client lists every live instance.",
          .pairs = {{"network-is-homogeneous-naive", "network-is-homogeneous",
                     "a service registry shared by two releases (strict / versioned, tolerant entries)"}},
          .herd_candidates = {},
          .exercise =
              "Release 3 must change what \"address\" means (a list of addresses). Why is that a new major "
              "version, and what do release 1 and 2 readers do with it? How would you roll it out so that no "
              "reader is left without instances? And a counter written little-endian, read big-endian: what "
              "does the reader see for 1?",
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
