// Query parameters, validated: an unknown name, a repeated one or a bad value is a 400 with
// one line saying which (never a 500, never silently ignored).
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "common/result.h"
#include "config/config.h"
#include "model/record_store.h"
#include "web/site.h"

namespace rawbackup::web {

// The parameters of `request`, each at most once and named in `allowed`; kind usage otherwise.
Result<std::map<std::string, std::string>> checked_params(const WebRequest& request,
                                                          const std::set<std::string>& allowed);

// A whole number in [low, high], `fallback` when absent.
Result<uint64_t> number_param(const std::map<std::string, std::string>& params, const std::string& name,
                              uint64_t fallback, uint64_t low, uint64_t high);

// What the records table shows (the URL carries all of it: bookmarkable).
struct RecordsQuery {
  std::string instrument;  // a configured instrument, or "" for all
  std::string status;      // a status or backup_status name, or ""
  std::string since;       // as `status --since` takes it, or ""
  std::string q;           // part of the name, or ""
  std::string sort = "newest";  // newest, oldest, name, largest or updated (RecordOrder)
  uint64_t page = 1;       // 1-based
  uint64_t per_page = 50;
  std::string format = "html";  // html, json or csv

  std::map<std::string, std::string> as_params() const;  // for links to other pages of the view
};

Result<RecordsQuery> records_query(const Config& config, const WebRequest& request);
// The store's order for a valid RecordsQuery::sort.
RecordOrder order_of(const std::string& sort);
inline constexpr const char* sort_names[] = {"newest", "oldest", "name", "largest", "updated"};

}  // namespace rawbackup::web
