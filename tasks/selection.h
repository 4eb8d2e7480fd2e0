// Which raw files a task runs on: ids named on the command line, or every record matching a
// filter (--all-status, --instrument, --since), so "re-run every failed upload of astral1
// since Monday" is one command.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "common/text.h"
#include "tasks/task.h"

namespace rawbackup {

struct Selection {
  std::vector<std::string> ids;  // named on the command line
  std::string status{};          // --all-status: a status or backup_status name
  std::string instrument{};      // --instrument
  std::string since{};           // --since: records changed (updated_at) at or after
  bool unpurged_only = false;    // a filter leaves out purged records (purge, unless --include-purged)
  std::optional<std::string> backup_purged_before{};  // RecordFilter's (purge --target backup)

  bool filtered() const { return !status.empty() || !instrument.empty() || !since.empty(); }
};

// Declares the positional ids (`positional`, help `ids_help`), --all-status and --since on
// `command`, and --instrument unless `with_instrument` is false (a task that declares its own).
void add_selection_options(CLI::App& command, Selection& selection, const std::string& ids_help,
                           bool with_instrument = true, const std::string& positional = "ID");

// The ids to run on: the named ones as given, or the matching records (newest acquisition
// first; may be none). Kind usage for both or neither, an unknown status name or a bad date.
Result<std::vector<std::string>> select_ids(const Context& ctx, const Selection& selection);

// --since: "2026-11-16", "2026-11-16T08:00[:00][Z]" (local time unless Z), "today",
// "yesterday", a weekday ("monday": the latest one, today included; local midnight), or an
// age ("90m", "12h", "3d", "2w"). Returns the UTC time as stored ("…T…Z", milliseconds).
Result<std::string> parse_since(const std::string& text, Clock::time_point now);

// The store filter for a status or backup_status name, an instrument and a --since text (each
// "" for any). Kind usage, naming `status_option`, for an unknown status; also for a bad date.
Result<RecordFilter> record_filter(const std::string& status_option, const std::string& status,
                                   const std::string& instrument, const std::string& since);

}  // namespace rawbackup
