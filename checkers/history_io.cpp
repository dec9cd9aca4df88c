#include "checkers/history_io.h"

#include <fmt/core.h>

#include <map>
#include <nlohmann/json.hpp>

#include "checkers/check_assert.h"
#include "checkers/quote.h"

namespace zsim::checkers {

std::optional<HistoryFormat> parse_format_name(std::string_view name) {
  if (name == "edn") return HistoryFormat::edn;
  if (name == "jepsen-log") return HistoryFormat::jepsen_log;
  if (name == "jsonl") return HistoryFormat::jsonl;
  return std::nullopt;
}

std::optional<HistoryFormat> guess_format(std::string_view file_name) {
  auto ends_with = [&](std::string_view suffix) {
    return file_name.size() >= suffix.size() &&
           file_name.substr(file_name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".edn")) return HistoryFormat::edn;
  if (ends_with(".jsonl") || ends_with(".json")) return HistoryFormat::jsonl;
  if (ends_with(".log") || ends_with(".txt")) return HistoryFormat::jepsen_log;
  return std::nullopt;
}

namespace {

LoadResult failure(int line, int column, std::string message) {
  LoadResult r;
  r.error = ParseError{line, column, std::move(message)};
  return r;
}

// Pairs Jepsen-style invoke/complete events into Operations. Shared by the
// EDN and log importers; the dialect differences live in their callers.
class EventPairer {
 public:
  // Returns an error message, or "" on success.
  std::string invoke(std::int64_t process, std::string f, Value value,
                     std::optional<Value> key, std::optional<std::int64_t> session,
                     int line) {
    if (auto it = pending_.find(process); it != pending_.end()) {
      return fmt::format("process {} invokes {} while its {} from line {} "
                         "has not completed",
                         process, escape_input(f, 40), escape_input(history_.ops[it->second].f, 40),
                         history_.ops[it->second].source_line);
    }
    Operation op;
    op.process = process;
    op.session = session;
    op.f = std::move(f);
    op.key = std::move(key);
    op.input = std::move(value);
    op.call_time = clock_++;
    op.status = Status::info;
    op.source_line = line;
    pending_[process] = history_.ops.size();
    history_.ops.push_back(std::move(op));
    return "";
  }

  std::string complete(std::int64_t process, const std::string& f,
                       Status status, Value output) {
    auto it = pending_.find(process);
    if (it == pending_.end()) {
      return fmt::format("process {} completes {} without a pending "
                         "invocation",
                         process, escape_input(f, 40));
    }
    Operation& op = history_.ops[it->second];
    if (op.f != f) {
      return fmt::format("process {} completes {} but invoked {} (line {})",
                         process, escape_input(f, 40), escape_input(op.f, 40), op.source_line);
    }
    op.status = status;
    op.output = std::move(output);
    op.return_time = clock_++;
    pending_.erase(it);
    return "";
  }

  // Invocations that never completed are unknown: they may have happened.
  History finish() {
    for (const auto& [process, index] : pending_) {
      history_.ops[index].return_time = clock_;
      history_.ops[index].status = Status::info;
    }
    pending_.clear();
    return std::move(history_);
  }

 private:
  History history_;
  std::map<std::int64_t, std::size_t> pending_;
  std::int64_t clock_ = 0;
};

std::optional<std::string> name_of(const Value* v) {
  if (v == nullptr || !v->is_name()) return std::nullopt;
  return v->text;
}

// One Knossos event map → the pairer. Returns "" or an error message.
std::string add_edn_event(const Value& event, int line, EventPairer* pairer) {
  if (event.kind != Value::Kind::map) {
    return fmt::format("expected an operation map {{:process .. :type .. :f "
                       "..}}, found {}",
                       to_short_text(event));
  }
  const Value* process = event.get("process");
  if (process == nullptr) return "operation has no :process";
  if (!process->is_int()) {
    if (process->is_name()) return "";  // :nemesis and friends
    return fmt::format(":process must be an integer, found {}",
                       to_short_text(*process));
  }
  auto type = name_of(event.get("type"));
  if (!type) return "operation has no :type keyword";
  auto f = name_of(event.get("f"));
  if (!f) return "operation has no :f keyword";
  const Value* value = event.get("value");
  Value v = value != nullptr ? *value : Value::nil();
  std::optional<Value> key;
  if (const Value* k = event.get("key")) key = *k;
  std::optional<std::int64_t> session;
  if (const Value* s = event.get("session"); s != nullptr && s->is_int()) {
    session = s->integer;
  }
  if (*type == "invoke") {
    return pairer->invoke(process->integer, *f, std::move(v), std::move(key),
                          session, line);
  }
  Status status;
  if (*type == "ok" && *f == "read" && v.is_nil()) {
    // Knossos's register models accept any value for a read that completed
    // with nil: the value was not recorded. So it is a read of unknown result.
    status = Status::info;
  } else if (*type == "ok") {
    status = Status::ok;
  } else if (*type == "fail") {
    status = Status::fail;
  } else if (*type == "info") {
    status = Status::info;
  } else {
    return fmt::format(":type must be :invoke, :ok, :fail or :info, found :{}",
                       escape_input(*type, 40));
  }
  return pairer->complete(process->integer, *f, status, std::move(v));
}

}  // namespace

LoadResult read_edn_history(std::string_view text) {
  EdnReader reader(text);
  EventPairer pairer;
  ParseError skip_error;
  if (!reader.skip_ignored(0, &skip_error)) {
    return failure(skip_error.line, skip_error.column, skip_error.message);
  }
  // A vector [..] or a list (..) of maps, or maps one after another.
  const char open = reader.at_end() ? '\0' : reader.peek();
  const bool in_vector = open == '[' || open == '(';
  const char close = open == '(' ? ')' : ']';
  if (in_vector) reader.advance();
  while (true) {
    if (!reader.skip_ignored(in_vector ? 1 : 0, &skip_error)) {
      return failure(skip_error.line, skip_error.column, skip_error.message);
    }
    if (in_vector && !reader.at_end() && reader.peek() == close) {
      reader.advance();
      if (!reader.skip_ignored(0, &skip_error)) {
        return failure(skip_error.line, skip_error.column, skip_error.message);
      }
      if (!reader.at_end()) {
        return failure(reader.line(), reader.column(),
                       fmt::format("unexpected text after the closing '{}'", close));
      }
      break;
    }
    if (reader.at_end()) {
      if (in_vector) {
        return failure(reader.line(), reader.column(),
                       fmt::format("unexpected end of input: the history opened "
                                   "with '{}' is not closed with '{}'", open, close));
      }
      break;
    }
    const int line = reader.line();
    const int column = reader.column();
    ParseError error;
    auto event = reader.read(&error);
    if (!event) return failure(error.line, error.column, error.message);
    std::string problem = add_edn_event(*event, line, &pairer);
    if (!problem.empty()) return failure(line, column, problem);
  }
  LoadResult r;
  r.history = pairer.finish();
  return r;
}

// ------------------------------------------------------------ Jepsen log

namespace {

struct LogFields {
  std::string_view process, type, f, value;
  std::size_t process_at = 0, type_at = 0, f_at = 0, value_at = 0;  // 0-based columns
};

// Splits "3\t:invoke\t:write\t4" into its four fields; the value is the
// rest of the line (it may contain spaces, as in "[1 4]").
std::optional<LogFields> split_log_fields(std::string_view line,
                                          std::size_t start) {
  LogFields out;
  std::size_t pos = start;
  auto skip_space = [&] {
    while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
  };
  auto word = [&](std::size_t* at) {
    skip_space();
    *at = pos;
    const std::size_t begin = pos;
    while (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') ++pos;
    return line.substr(begin, pos - begin);
  };
  out.process = word(&out.process_at);
  out.type = word(&out.type_at);
  out.f = word(&out.f_at);
  skip_space();
  out.value_at = pos;
  out.value = line.substr(pos);
  while (!out.value.empty() &&
         (out.value.back() == '\r' || out.value.back() == ' ' ||
          out.value.back() == '\t')) {
    out.value.remove_suffix(1);
  }
  if (out.process.empty() || out.type.empty() || out.f.empty()) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

LoadResult read_jepsen_log(std::string_view text) {
  EventPairer pairer;
  int line_no = 0;
  int operations = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_no;
    const std::size_t marker = line.find("jepsen.util");
    if (marker == std::string_view::npos) continue;  // other log lines
    const std::size_t dash = line.find(" - ", marker);
    if (dash == std::string_view::npos) continue;
    auto fields = split_log_fields(line, dash + 3);
    if (!fields) {
      return failure(line_no, static_cast<int>(dash + 4),
                     "expected 'PROCESS\\t:TYPE\\t:F\\tVALUE' after "
                     "'jepsen.util - '");
    }
    auto col = [](std::size_t at) { return static_cast<int>(at + 1); };
    if (fields->process[0] == ':') continue;  // :nemesis
    ParseError error;
    auto process = parse_edn(fields->process, &error);
    if (!process || !process->is_int()) {
      return failure(line_no, col(fields->process_at),
                     fmt::format("process must be an integer or a keyword, "
                                 "found {}",
                                 quote_input(fields->process)));
    }
    if (fields->type[0] != ':' || fields->f[0] != ':' || fields->f.size() < 2) {
      return failure(line_no, col(fields->type_at),
                     "expected ':type :f' keywords after the process");
    }
    if (auto bad = first_invalid_utf8(fields->f)) {
      // f names the operation in the history written out as JSON.
      return failure(line_no, col(fields->f_at + *bad),
                     fmt::format("byte 0x{:02x} in :f is not UTF-8",
                                 static_cast<unsigned char>(fields->f[*bad])));
    }
    Value value;
    if (!fields->value.empty()) {
      auto v = parse_edn(fields->value, &error);
      if (!v) {
        return failure(line_no, col(fields->value_at) + error.column - 1,
                       "bad value: " + error.message);
      }
      value = std::move(*v);
    }
    const std::string type(fields->type.substr(1));
    const std::string f(fields->f.substr(1));
    std::string problem;
    if (type == "invoke") {
      problem = pairer.invoke(process->integer, f, std::move(value),
                              std::nullopt, std::nullopt, line_no);
    } else if (type == "ok") {
      problem = pairer.complete(process->integer, f, Status::ok, std::move(value));
    } else if (type == "info") {
      problem = pairer.complete(process->integer, f, Status::info, Value::nil());
    } else if (type == "fail") {
      const bool timed_out = value.kind == Value::Kind::keyword &&
                             value.text == "timed-out";
      if (timed_out) {
        problem = pairer.complete(process->integer, f, Status::info, Value::nil());
      } else if (f == "cas") {
        // A completed compare-and-set that returned false.
        problem = pairer.complete(process->integer, f, Status::ok,
                                  Value::of_bool(false));
      } else {
        problem = pairer.complete(process->integer, f, Status::fail,
                                  std::move(value));
      }
    } else {
      return failure(line_no, col(fields->type_at),
                     fmt::format("unknown type :{} (expected :invoke, :ok, "
                                 ":fail or :info)",
                                 escape_input(type, 40)));
    }
    if (!problem.empty()) return failure(line_no, col(fields->process_at), problem);
    ++operations;
  }
  if (operations == 0) {
    return failure(1, 1, "no Jepsen operation lines ('INFO jepsen.util - "
                         "PROCESS :TYPE :F VALUE') found");
  }
  LoadResult r;
  r.history = pairer.finish();
  return r;
}

// ------------------------------------------------------------ JSON lines

namespace {

using nlohmann::json;

// JSON strings that start with ':' are EDN keywords; "::x" is the string
// ":x" (see docs/history-format.md).
Value value_of_json_string(const std::string& s) {
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') return Value::of_string(s.substr(1));
  if (s.size() >= 2 && s[0] == ':') return Value::of_keyword(s.substr(1));
  return Value::of_string(s);
}

std::string json_string_of_name(const Value& v) {
  if (v.kind == Value::Kind::keyword) return ":" + v.text;
  if (v.kind == Value::Kind::string && !v.text.empty() && v.text[0] == ':') {
    return ":" + v.text;
  }
  return v.text;
}

std::optional<Value> value_of_json(const json& j, int depth, std::string* error) {
  if (depth > EdnReader::kMaxDepth) {
    *error = "values nested too deeply";
    return std::nullopt;
  }
  switch (j.type()) {
    case json::value_t::null: return Value::nil();
    case json::value_t::boolean: return Value::of_bool(j.get<bool>());
    case json::value_t::number_integer: return Value::of_int(j.get<std::int64_t>());
    case json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) {
        *error = "integer out of range";
        return std::nullopt;
      }
      return Value::of_int(static_cast<std::int64_t>(u));
    }
    case json::value_t::number_float: {
      Value v;
      v.kind = Value::Kind::real;
      v.text = j.dump();
      return v;
    }
    case json::value_t::string: return value_of_json_string(j.get<std::string>());
    case json::value_t::array: {
      std::vector<Value> items;
      for (const json& e : j) {
        auto v = value_of_json(e, depth + 1, error);
        if (!v) return std::nullopt;
        items.push_back(std::move(*v));
      }
      return Value::of_vector(std::move(items));
    }
    case json::value_t::object: {
      std::vector<Value> flat;
      for (auto it = j.begin(); it != j.end(); ++it) {
        flat.push_back(value_of_json_string(it.key()));
        auto v = value_of_json(it.value(), depth + 1, error);
        if (!v) return std::nullopt;
        flat.push_back(std::move(*v));
      }
      return Value::of_map(std::move(flat));
    }
    default:
      *error = "unsupported JSON value";
      return std::nullopt;
  }
}

json json_of_value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::nil: return nullptr;
    case Value::Kind::boolean: return v.boolean;
    case Value::Kind::integer: return v.integer;
    case Value::Kind::real: {
      json j = json::parse(v.text, nullptr, false);
      return j.is_discarded() ? json(v.text) : j;
    }
    case Value::Kind::string:
    case Value::Kind::keyword:
    case Value::Kind::symbol:
      return json_string_of_name(v);
    case Value::Kind::vector:
    case Value::Kind::set: {
      json a = json::array();
      for (const Value& e : v.items) a.push_back(json_of_value(e));
      return a;
    }
    case Value::Kind::map: {
      json o = json::object();
      for (std::size_t i = 0; i + 1 < v.items.size(); i += 2) {
        const Value& k = v.items[i];
        o[k.is_name() ? json_string_of_name(k) : to_edn(k)] =
            json_of_value(v.items[i + 1]);
      }
      return o;
    }
  }
  CHECKERS_ASSERT(false);
  return nullptr;
}

// Reads one operation object; returns "" or an error message.
std::string operation_of_json(const json& j, Operation* op) {
  if (!j.is_object()) return "each line must be a JSON object";
  auto int_field = [&](const char* name, bool required,
                       std::int64_t* out) -> std::string {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      return required ? fmt::format("missing \"{}\"", name) : "";
    }
    if (!it->is_number_integer()) {
      return fmt::format("\"{}\" must be an integer", name);
    }
    // nlohmann keeps integers above 2^63 - 1 as unsigned; reading those as
    // int64 would wrap them to negative numbers.
    if (it->is_number_unsigned() &&
        it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      return fmt::format("\"{}\" is out of range: {} is above 9223372036854775807 "
                         "(2^63 - 1)",
                         name, it->get<std::uint64_t>());
    }
    *out = it->get<std::int64_t>();
    return "";
  };
  std::string err;
  if (!(err = int_field("process", true, &op->process)).empty()) return err;
  if (j.contains("session") && !j["session"].is_null()) {
    std::int64_t s = 0;
    if (!(err = int_field("session", true, &s)).empty()) return err;
    op->session = s;
  }
  if (!(err = int_field("call", true, &op->call_time)).empty()) return err;
  op->return_time = op->call_time;
  auto f = j.find("f");
  if (f == j.end() || !f->is_string()) return "missing string \"f\"";
  op->f = f->get<std::string>();
  auto status = j.find("status");
  if (status == j.end() || !status->is_string()) return "missing string \"status\"";
  const std::string s = status->get<std::string>();
  if (s == "ok") {
    op->status = Status::ok;
  } else if (s == "fail") {
    op->status = Status::fail;
  } else if (s == "info") {
    op->status = Status::info;
  } else {
    return fmt::format("\"status\" must be ok, fail or info, not {}", quote_input(s));
  }
  const bool needs_return = op->status != Status::info;
  if (!(err = int_field("return", needs_return, &op->return_time)).empty()) return err;
  for (const char* name : {"input", "output", "key"}) {
    auto it = j.find(name);
    if (it == j.end()) continue;
    auto v = value_of_json(*it, 0, &err);
    if (!v) return fmt::format("\"{}\": {}", name, err);
    if (std::string_view(name) == "input") op->input = std::move(*v);
    if (std::string_view(name) == "output") op->output = std::move(*v);
    if (std::string_view(name) == "key") op->key = std::move(*v);
  }
  return "";
}

}  // namespace

LoadResult read_jsonl_history(std::string_view text) {
  History h;
  int line_no = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::parse_error& e) {
      const int column = e.byte > 0 ? static_cast<int>(e.byte) : 1;
      std::string what = e.what();
      // nlohmann prefixes its messages with "[json.exception.parse_error.101]
      // parse error at line 1, column N: "; keep the explanation only. It
      // quotes the input it read last, raw and of any length: escape and
      // cut it.
      if (auto colon = what.find(": "); colon != std::string::npos) {
        what = what.substr(colon + 2);
      }
      return failure(line_no, column, "bad JSON: " + escape_input(what, 160));
    } catch (const json::exception&) {
      // out_of_range: a number that fits neither 64-bit integers nor a
      // double (1e309, a 400-digit integer).
      return failure(line_no, 1,
                     "bad JSON: a number is out of range (integers must fit in 64 bits, "
                     "other numbers in a double)");
    }
    Operation op;
    op.source_line = line_no;
    std::string problem = operation_of_json(j, &op);
    if (!problem.empty()) return failure(line_no, 1, problem);
    if (op.return_time < op.call_time) {
      return failure(line_no, 1, "\"return\" is before \"call\"");
    }
    h.ops.push_back(std::move(op));
  }
  if (auto bad = validate_history(h)) {
    return failure(bad->source_line, 1, bad->message);
  }
  LoadResult r;
  r.history = std::move(h);
  return r;
}

std::string write_jsonl_history(const History& h) {
  std::string out;
  for (const Operation& op : h.ops) {
    json j = json::object();
    j["process"] = op.process;
    if (op.session) j["session"] = *op.session;
    j["f"] = op.f;
    if (op.key) j["key"] = json_of_value(*op.key);
    j["input"] = json_of_value(op.input);
    if (op.status == Status::ok) j["output"] = json_of_value(op.output);
    j["call"] = op.call_time;
    j["return"] = op.return_time;
    j["status"] = status_name(op.status);
    out += j.dump();
    out.push_back('\n');
  }
  return out;
}

LoadResult read_history(std::string_view text, HistoryFormat format) {
  switch (format) {
    case HistoryFormat::edn: return read_edn_history(text);
    case HistoryFormat::jepsen_log: return read_jepsen_log(text);
    case HistoryFormat::jsonl: return read_jsonl_history(text);
  }
  CHECKERS_ASSERT(false);
  return {};
}

}  // namespace zsim::checkers
