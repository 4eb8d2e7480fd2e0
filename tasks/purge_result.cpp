#include "tasks/purge_result.h"

#include "common/text.h"

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

nlohmann::json PurgeResult::to_json() const {
  nlohmann::json listed = nlohmann::json::array();
  for (const PurgeCheck& c : checks)
    listed.push_back({{"check", c.name}, {"state", to_string(c.state)}, {"detail", c.detail}});
  nlohmann::json j{{"id", id},
                   {"task", "purge"},
                   {"outcome", outcome()},
                   {"verdict", verdict},
                   {"dry_run", dry_run},
                   {"checks", listed},
                   {"instrument_folder", copy.root.string()},
                   {"already_gone", copy.gone},
                   {"differing", copy.differing},
                   {"extra", copy.extra}};
  if (dry_run) {
    j["would_delete"] = {{"files", copy.present}, {"bytes", copy.present_bytes}};
  } else {
    j["deleted"] = {{"files", deleted.files}, {"bytes", deleted.bytes}, {"folders", deleted.folders}};
  }
  if (!reason.empty()) j["reason"] = reason;
  return j;
}

std::string PurgeResult::to_text() const {
  std::string head = "purge " + id + (dry_run ? " (dry run): " : ": ");
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
    text = head + "purged before; nothing left in " + copy.root.string();
  } else {
    text = head + verdict + ": " + reason;
  }
  text += "\n  checks: " + checks_line(checks);
  for (const std::string& line : copy.differing) text += "\n  differs " + line;
  for (const std::string& line : copy.extra) text += "\n  extra   " + line;
  return text;
}

}  // namespace rawbackup
