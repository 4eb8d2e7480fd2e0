// One record: its fields, where each backup is, its files (paged: a Bruker set has 20,000),
// its history, and for a failed or unfinished state the command that re-runs it.
#pragma once
#include "web/site.h"

namespace rawbackup::web {

inline constexpr uint64_t files_per_page = 200;

// 404 when there is no such record.
Result<WebResponse> record_response(const WebSite& site, const std::string& id, const WebRequest& request, bool json);

}  // namespace rawbackup::web
