// The course's own ZooKeeper examples as lessons (tools/lessons.h): each
// recipe the course builds, shown at the moment it matters -- a naive
// version that misses one step of the recipe against the real one, under
// the same faults. Pure data, like the fallacies' catalog.
#include "tools/lessons.h"

namespace zsim::tools {

const std::vector<Lesson>& course_examples() {
  static const std::vector<Lesson> all = {
      {
          .name = "leader-election",
          .fallacy = 0,
          .title = "Leader election: algorithm 1 (watch the line) and algorithm 2 (herd-free)",
          .believes =
              "Algorithm 1: every candidate creates an EPHEMERAL_SEQUENTIAL node under /election and watches the "
              "whole line; the lowest node leads. The naive candidate, restarted while its old session still "
              "lives, finds a node carrying its name and takes it for its own. Algorithm 2 (herd-free): each "
              "candidate watches only its predecessor. The naive candidate, when the predecessor's node goes, "
              "concludes that it now heads the line and leads without looking again.",
          .fault =
              "Candidates crash, restart and pause past their sessions; servers crash, the network partitions "
              "and drops. A node can outlive the process that made it (until its session expires), and a "
              "predecessor can die while the leader ahead of it lives.",
          .look_for =
              "Algorithm 1 naive: the restarted candidate leads through its dead incarnation's node, and when "
              "that session expires the next leads too -- two leaders (leadership-ownership). Algorithm 2 naive: "
              "a candidate acts with the token of a node that never headed the line (leads-from-the-head). The "
              "fixed ones check the node's owner and list the line again after every wake-up. Then the cost: "
              "algorithm 1 wakes every candidate on each change, algorithm 2 one.",
          .pairs = {{"election-herd-naive", "election-herd",
                     "algorithm 1: everyone watches the line (without / with the ownership check)"},
                    {"election-herd-free-naive", "election-herd-free",
                     "algorithm 2: each watches its predecessor (leading when it goes / listing again)"}},
          .herd_candidates = {10, 50},
          .exercise =
              "In the diagram of algorithm 2's symptom, find the predecessor's deletion and the two candidates "
              "acting after it: who was really at the head? Why must the candidate list the line again rather "
              "than trust the notification? And why does algorithm 1 need the ownership check at all, when "
              "the node carries the candidate's name?",
      },
      {
          .name = "re-election",
          .fallacy = 0,
          .title = "Re-election when the leader dies",
          .believes =
              "Once the line is read, it stays as it was: the candidate reads its predecessor once -- without a "
              "watch -- and waits to be told nothing.",
          .fault =
              "The leader's host crashes or pauses past its session (up to 4 s against sessions of 1-2 s); the "
              "ensemble expires the session and deletes its node. The servers and the network stay healthy.",
          .look_for =
              "The moment the leader's node is deleted: with the watch, the next candidate is notified, lists the "
              "line, confirms it is the head and acts within a second or two; without it, the line has a head "
              "and no leader until the candidate's idle timeout (60 s) makes it look again. reelection-bound "
              "measures the gap from each node heading the line to its owner acting.",
          .pairs = {{"reelection-unwatched-naive", "reelection",
                     "a herd-free election, 5 candidates (predecessor read without / with a watch)"}},
          .herd_candidates = {},
          .exercise =
              "Replay the symptom's seed with --trace and find the session expiry that deleted the leader's node: "
              "how long until anyone acted again? Would polling every second fix it, and what would that cost "
              "with 1,000 candidates (see leader-election)?",
      },
      {
          .name = "service-registry",
          .fallacy = 0,
          .title = "The service registry",
          .believes =
              "Registering a service is like writing a configuration entry: the instance creates its node under "
              "/service_registry once, as PERSISTENT, and a node already there means it is registered.",
          .fault =
              "Instance processes crash and come back as new processes with new addresses (the port names the "
              "incarnation); clients pause past their sessions; servers crash and the network partitions.",
          .look_for =
              "After a crash the registry still holds the dead process's address: nothing removes a PERSISTENT "
              "node, and the restarted process finds it and keeps it, so discovery clients call a process that "
              "is gone. The fixed instance registers an EPHEMERAL node owned by its current session (replacing "
              "an older session's), which goes with the session that made it.",
          .pairs = {{"registry-persistent-naive", "registry",
                     "service instances register (PERSISTENT, once / EPHEMERAL, per session); discovery watches"}},
          .herd_candidates = {},
          .exercise =
              "With ephemerals, how long does a crashed instance stay listed, and what decides it? Why does the "
              "fixed instance delete an older session's node instead of waiting for it to expire? What should "
              "a discovery client do with an address that stops answering?",
      },
      {
          .name = "auto-healer",
          .fallacy = 0,
          .title = "The auto-healer",
          .believes =
              "The workers it counted stay alive: the elected healer reads /workers when it takes over, starts "
              "the missing workers, and then only waits -- no watch.",
          .fault =
              "Worker hosts crash (their workers with them) and pause past their sessions; healers crash and "
              "pause too, and lose their leadership. The servers and the network stay healthy.",
          .look_for =
              "A worker's node goes when its session expires. The fixed healer watches /workers, is woken, reads "
              "again and launches a replacement within the budget; the naive one is told nothing, so the count "
              "stays short until the healer itself changes. workers-restored replays the committed tree and "
              "reports the longest time with fewer than 3 workers.",
          .pairs = {{"auto-healer-read-once-naive", "auto-healer",
                     "an elected healer keeps 3 workers (reads once / watches)"}},
          .herd_candidates = {},
          .exercise =
              "Why does the real healer count launches in flight, and what would happen without them? What if "
              "two healers both believed they led -- what would the workers' count show, and what stops it?",
      },
      {
          .name = "work-queue",
          .fallacy = 0,
          .title = "The master/worker work queue",
          .believes =
              "A task given to a worker will be done: the master assigns each task under /assign/<worker> and "
              "never looks at an assignment again.",
          .fault =
              "Workers crash (a new process registers under a new id) and pause past their sessions; servers "
              "crash, the network partitions and drops; masters lose their leadership.",
          .look_for =
              "A worker's /workers node goes with its session, but its /assign directory stays. The fixed master "
              "moves every task of a dead worker back to /tasks (one multi: create there, delete the "
              "assignment) and hands it to a live one; the naive master's tasks stay with the dead worker for "
              "ever, and one-status-per-task names them after the heal.",
          .pairs = {{"work-queue-no-recovery-naive", "work-queue",
                     "an elected master assigns tasks (never recovers / recovers the dead's)"}},
          .herd_candidates = {},
          .exercise =
              "A worker executed a task but died before reporting it: what happens to the task in the fixed "
              "queue, and how many times is it executed? Why is every move one multi, and what would two "
              "masters (one deposed but unaware) do without it?",
      },
  };
  return all;
}

}  // namespace zsim::tools
