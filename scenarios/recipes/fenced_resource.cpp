#include "scenarios/recipes/fenced_resource.h"

#include "core/assert.h"
#include "scenarios/recipes/client_ctx.h"

#include <fmt/format.h>

namespace zsim::scenarios::recipes {

namespace {
// A limit on everything: a body that acts in a tight loop is a bug.
constexpr std::size_t kActionsMax = 1'000'000;
}  // namespace

std::string token_text(const std::optional<int64_t>& token) {
  return token ? fmt::format("0x{:x}", *token) : std::string("none");
}

FencedResource::FencedResource(std::string name, Fencing fencing) : name_(std::move(name)), fencing_(fencing) {}

bool FencedResource::act(ClientCtx& me, int64_t token) { return record(me, token); }

bool FencedResource::act(ClientCtx& me) { return record(me, std::nullopt); }

bool FencedResource::record(ClientCtx& me, std::optional<int64_t> token) {
  ZSIM_ASSERT_MSG(actions_.size() < kActionsMax, "a resource took a million actions: a body acts in a tight loop");
  ResourceAction a;
  a.seq = actions_.size();
  a.at = me.global_now();
  a.actor = me.name();
  a.incarnation = me.incarnation();
  a.session = me.session_id();
  a.connected = me.connected();
  a.token = token;
  // Fenced: refuse a token older than the newest accepted (an action
  // without a token cannot prove it is not stale).
  a.accepted = fencing_ == Fencing::kNone ||
               (token.has_value() && (!newest_token_ || *token >= *newest_token_));
  me.env().trace.event("resource.act", {{"resource", name_},
                                        {"token", token ? io::Hex{static_cast<uint64_t>(*token)} : io::Hex{0}},
                                        {"accepted", a.accepted}});
  if (a.accepted) {
    judge_accepted(a);
  } else if (!current_ || !current_->same_holder(a)) {
    last_foreign_ = a.at;
  }
  actions_.push_back(a);
  if (observer_) observer_(*this, actions_.back());
  return a.accepted;
}

void FencedResource::judge_accepted(const ResourceAction& a) {
  ++accepted_;
  if (a.token && newest_token_ && *a.token < *newest_token_ && !stale_accepted_) {
    stale_accepted_ = true;
    if (violation_.empty()) {
      violation_ = fmt::format("{} accepted a stale token: {} (incarnation {}) acted at {} with {} after {} was "
                               "accepted",
                               name_, a.actor, a.incarnation, format_time(a.at), token_text(a.token),
                               token_text(newest_token_));
    }
  }
  if (a.token && (!newest_token_ || *a.token > *newest_token_)) newest_token_ = a.token;
  if (current_ && current_->same_holder(a)) {
    current_->last = a.at;
    ++current_->actions;
    return;
  }
  // A new tenure begins; the old one has ended.
  if (current_) {
    last_foreign_ = a.at;
    ended_.emplace(current_->actor, current_->incarnation, current_->token);
  }
  const bool again = ended_.count({a.actor, a.incarnation, a.token}) != 0;
  if (again && !interleaved_) {
    interleaved_ = true;
    if (violation_.empty()) {
      violation_ = fmt::format("two holders act on {} at once: {} (incarnation {}, token {}) acted again at {} "
                               "after {} (incarnation {}, token {}) had taken over at {}",
                               name_, a.actor, a.incarnation, token_text(a.token), format_time(a.at),
                               current_->actor, current_->incarnation, token_text(current_->token),
                               format_time(current_->began));
    }
  }
  current_ = Tenure{a.actor, a.incarnation, a.token, a.at, a.at, 1};
  ++tenures_;
}

}  // namespace zsim::scenarios::recipes
