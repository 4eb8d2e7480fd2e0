#include "tasks/purge_result.h"

#include <cmath>
#include <cstdio>

#include "common/text.h"
#include "tasks/batch.h"

namespace rawbackup {
namespace {

const char* to_string(CheckState state) {
  switch (state) {
    case CheckState::ok: return "ok";
    case CheckState::failed: return "failed";
    case CheckState::not_checked: return "not checked";
  }
  return "not checked";
}

std::string checks_line(const std::vector<PurgeCheck>& checks) {
  std::vector<std::string> parts;
  for (const PurgeCheck& c : checks) {
    parts.push_back(c.name + " " + to_string(c.state) + (c.detail.empty() ? "" : " (" + c.detail + ")"));
  }
  return join(parts, "; ");
}

}  // namespace

PurgeVerdict::PurgeVerdict(const std::string& id, const std::string& target, bool dry_run, bool verbose) {
  result.id = id;
  result.target = target;
  result.dry_run = dry_run;
  result.verbose = verbose;
}

void PurgeVerdict::add_check(std::string name, CheckState state, std::string detail) {
  result.checks.push_back({std::move(name), state, std::move(detail)});
}

void PurgeVerdict::stop(const std::string& verdict, int code, const std::string& reason) {
  if (result.verdict == "purged" || (verdict == "refused" && result.verdict != "refused")) {
    result.verdict = verdict;
    result.reason = reason;
  }
  exit_code = worst_exit_code(exit_code, code);
}

std::string days_text(double days) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", std::floor(days * 10) / 10);
  return text;
}

double days_since(Clock::time_point at) { return std::chrono::duration<double>(Clock::now() - at).count() / 86400.0; }

std::optional<double> days_since(const std::string& utc) {
  auto at = parse_utc(utc);
  if (!at) return std::nullopt;
  return days_since(*at);
}

nlohmann::json PurgeResult::to_json() const {
  nlohmann::json listed = nlohmann::json::array();
  for (const PurgeCheck& c : checks)
    listed.push_back({{"check", c.name}, {"state", to_string(c.state)}, {"detail", c.detail}});
  nlohmann::json j{{"id", id},
                   {"task", "purge"},
                   {"target", target},
                   {"outcome", outcome()},
                   {"verdict", verdict},
                   {"dry_run", dry_run},
                   {"checks", listed},
                   {target == "backup" ? "backup_folder" : "instrument_folder", copy.root.string()},
                   {"already_gone", copy.gone},
                   {"differing", copy.differing},
                   {"extra", copy.extra}};
  if (dry_run) {
    j["would_delete"] = {{"files", copy.present}, {"bytes", copy.present_bytes}};
  } else {
    j["deleted"] = {{"files", deleted.files}, {"bytes", deleted.bytes}, {"folders", deleted.folders}};
  }
  if (target == "backup") {
    nlohmann::json due = nlohmann::json::array();
    for (const AsideCopy& c : aside_due) due.push_back(c.key);
    j["aside_copies"] = {{"past_min_age", due}, {"kept", aside_kept}};
    if (!dry_run) j["aside_copies"]["deleted"] = {{"files", aside_deleted.files}, {"bytes", aside_deleted.bytes}};
  }
  if (!reason.empty()) j["reason"] = reason;
  return j;
}

// The .N.bkp copies' lines (a backup purge's), "" when there are none.
std::string PurgeResult::aside_text() const {
  std::string text;
  uint64_t bytes = 0;
  for (const AsideCopy& c : aside_due) bytes += c.size;
  if (!aside_due.empty() && dry_run) {
    text += "\n  would delete " + std::to_string(aside_due.size()) + " .bkp cop(ies) past their minimum age, " +
            format_bytes(bytes);
    if (verbose) {
      for (const AsideCopy& c : aside_due) text += "\n  delete " + c.key;
    }
  } else if (aside_deleted.files > 0) {
    text += "\n  deleted " + std::to_string(aside_deleted.files) + " .bkp cop(ies) past their minimum age, " +
            format_bytes(aside_deleted.bytes);
  }
  if (aside_kept > 0) {
    text += "\n  kept " + std::to_string(aside_kept) + " .bkp cop(ies) younger than their minimum age";
  }
  return text;
}

std::string PurgeResult::to_text() const {
  std::string head = "purge " + std::string(target == "backup" ? "--target backup " : "") + id +
                     (dry_run ? " (dry run): " : ": ");
  std::string text;
  if (dry_run && verdict == "purged") {
    text = head + "would delete " + std::to_string(copy.present.size()) + " file(s), " +
           format_bytes(copy.present_bytes) + " from " + copy.root.string();
    if (verbose) {
      for (const std::string& key : copy.present) text += "\n  delete " + key;
    }
  } else if (dry_run) {
    text = head + "would be " + verdict + ": " + (reason.empty() ? "nothing left to delete" : reason);
  } else if (verdict == "purged") {
    text = head + "purged: " + std::to_string(deleted.files) + " file(s), " + format_bytes(deleted.bytes) +
           " freed from " + copy.root.string();
    if (!copy.gone.empty()) text += " (" + std::to_string(copy.gone.size()) + " already gone)";
  } else if (verdict == "unchanged") {
    text = head + (reason.empty() ? "purged before; nothing left in " + copy.root.string() : reason);
  } else {
    text = head + verdict + ": " + reason;
  }
  text += aside_text();
  text += "\n  checks: " + checks_line(checks);
  for (const std::string& line : copy.differing) text += "\n  differs " + line;
  for (const std::string& line : copy.extra) text += "\n  extra   " + line;
  return text;
}

}  // namespace rawbackup
