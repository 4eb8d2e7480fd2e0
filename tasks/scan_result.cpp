#include "tasks/scan_result.h"

#include <algorithm>
#include <map>

#include "common/text.h"
#include "tasks/status_format.h"

namespace rawbackup {
namespace {

int state_rank(ScanState state) { return static_cast<int>(state); }

nlohmann::json set_json(const ScannedSet& s) {
  const ScanVerdict& v = s.verdict;
  nlohmann::json j = {{"raw_file", v.name}, {"instrument", s.instrument}, {"state", to_string(v.state)}};
  if (!v.reason.empty()) j["reason"] = v.reason;
  if (v.state != ScanState::invalid_name && v.state != ScanState::recorded) {
    j["size"] = v.size;
    if (v.mtime_ns != 0) j["mtime"] = format_utc_ns(v.mtime_ns);
  }
  if (v.first_seen_ms != 0) j["first_seen"] = utc_of_ms(v.first_seen_ms);
  if (v.state == ScanState::unsettled) j["retry_at"] = utc_of_ms(v.retry_at_ms);
  if (!v.renamed_to.empty()) j["renamed_to"] = v.renamed_to;
  return j;
}

}  // namespace

void sort_scanned(std::vector<ScannedSet>& sets) {
  std::sort(sets.begin(), sets.end(), [](const ScannedSet& a, const ScannedSet& b) {
    if (state_rank(a.verdict.state) != state_rank(b.verdict.state)) {
      return state_rank(a.verdict.state) < state_rank(b.verdict.state);
    }
    if (a.verdict.state == ScanState::ready && a.verdict.mtime_ns != b.verdict.mtime_ns) {
      return a.verdict.mtime_ns < b.verdict.mtime_ns;  // the oldest acquisition first
    }
    return std::tie(a.instrument, a.verdict.name) < std::tie(b.instrument, b.verdict.name);
  });
}

std::vector<const ScannedSet*> ScanResult::handed_on() const {
  std::vector<const ScannedSet*> ready;
  for (const ScannedSet& s : sets) {
    if (s.verdict.state != ScanState::ready) continue;
    if (limit != 0 && ready.size() >= limit) break;
    ready.push_back(&s);
  }
  return ready;
}

uint64_t ScanResult::more_ready() const {
  auto total = static_cast<uint64_t>(
      std::count_if(sets.begin(), sets.end(), [](const ScannedSet& s) { return s.verdict.state == ScanState::ready; }));
  return total - handed_on().size();
}

nlohmann::json ScanResult::to_json() const {
  nlohmann::json ready = nlohmann::json::array();
  for (const ScannedSet* s : handed_on()) {
    ready.push_back({{"raw_file", s->verdict.name}, {"instrument", s->instrument}, {"instrument_dir", s->instrument_dir}});
  }
  nlohmann::json listed = nlohmann::json::array();
  std::map<std::string, uint64_t> counts;
  for (const ScannedSet& s : sets) {
    ++counts[to_string(s.verdict.state)];
    if (all || s.verdict.state != ScanState::recorded) listed.push_back(set_json(s));
  }
  nlohmann::json failed = nlohmann::json::array();
  for (const ScanFolderError& e : errors) failed.push_back({{"instrument", e.instrument}, {"error", e.message}});
  return {{"task", "scan"},  {"outcome", outcome()},  {"ready", ready},   {"sets", listed},
          {"counts", counts}, {"more_ready", more_ready()}, {"errors", failed}};
}

std::string ScanResult::to_text() const {
  std::vector<std::vector<std::string>> rows{{"INSTRUMENT", "STATE", "RAW FILE", "SIZE", "DETAIL"}};
  std::map<std::string, uint64_t> counts;
  for (const ScannedSet& s : sets) {
    const ScanVerdict& v = s.verdict;
    ++counts[to_string(v.state)];
    if (!all && v.state == ScanState::recorded) continue;
    std::string detail = v.reason;
    if (v.state == ScanState::unsettled) detail += (detail.empty() ? "" : "; ") + std::string("look again after ") + utc_of_ms(v.retry_at_ms);
    bool sized = v.state != ScanState::invalid_name && v.state != ScanState::recorded;
    rows.push_back({s.instrument, to_string(v.state), one_line(v.name), sized ? format_bytes(v.size) : "", detail});
  }
  std::string out = rows.size() > 1 ? align_columns(rows) : "no sets to back up\n";
  std::vector<std::string> summary;
  for (const auto& [state, n] : counts) summary.push_back(std::to_string(n) + " " + state);
  if (!summary.empty()) out += join(summary, ", ") + "\n";
  if (uint64_t more = more_ready(); more > 0) {
    out += std::to_string(more) + " more ready set(s) beyond --limit " + std::to_string(limit) + "\n";
  }
  for (const ScanFolderError& e : errors) out += "error: " + e.instrument + ": " + e.message + "\n";
  return out;
}

}  // namespace rawbackup
