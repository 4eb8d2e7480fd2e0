#include "web/params.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include "tasks/selection.h"

namespace rawbackup::web {

Result<std::map<std::string, std::string>> checked_params(const WebRequest& request,
                                                          const std::set<std::string>& allowed) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : request.params) {
    if (!allowed.contains(name)) return fail(ErrorKind::usage, "unknown parameter '" + name + "'");
    if (!out.emplace(name, value).second) return fail(ErrorKind::usage, "parameter '" + name + "' given twice");
    if (value.size() > 256) return fail(ErrorKind::usage, "parameter '" + name + "' is longer than 256 characters");
  }
  return out;
}

Result<uint64_t> number_param(const std::map<std::string, std::string>& params, const std::string& name,
                              uint64_t fallback, uint64_t low, uint64_t high) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) return fallback;
  uint64_t value = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < low || value > high) {
    return fail(ErrorKind::usage, "parameter '" + name + "' must be a whole number from " + std::to_string(low) +
                                      " to " + std::to_string(high));
  }
  return value;
}

std::map<std::string, std::string> RecordsQuery::as_params() const {
  return {{"instrument", instrument},
          {"status", status},
          {"since", since},
          {"q", q},
          {"sort", sort == "newest" ? "" : sort},
          {"per_page", per_page == 50 ? "" : std::to_string(per_page)}};
}

RecordOrder order_of(const std::string& sort) {
  if (sort == "oldest") return RecordOrder::oldest;
  if (sort == "name") return RecordOrder::name;
  if (sort == "largest") return RecordOrder::largest;
  if (sort == "updated") return RecordOrder::updated;
  return RecordOrder::newest;
}

Result<RecordsQuery> records_query(const Config& config, const WebRequest& request) {
  TRY_ASSIGN(params,
             checked_params(request, {"instrument", "status", "since", "q", "sort", "page", "per_page", "format"}));
  RecordsQuery query;
  query.instrument = params["instrument"];
  if (!query.instrument.empty() && !config.instruments.contains(query.instrument)) {
    return fail(ErrorKind::usage, "instrument '" + query.instrument + "' is not in the config");
  }
  query.status = params["status"];
  query.since = params["since"];
  TRY(record_filter("status", query.status, query.instrument, query.since));  // validates both
  query.q = params["q"];
  if (!params["sort"].empty()) query.sort = params["sort"];
  if (std::find(std::begin(sort_names), std::end(sort_names), query.sort) == std::end(sort_names)) {
    return fail(ErrorKind::usage, "parameter 'sort' must be newest, oldest, name, largest or updated");
  }
  TRY_ASSIGN(page, number_param(params, "page", 1, 1, 1'000'000));
  TRY_ASSIGN(per_page, number_param(params, "per_page", 50, 1, 500));
  query.page = page;
  query.per_page = per_page;
  if (!params["format"].empty()) query.format = params["format"];
  if (query.format != "html" && query.format != "json" && query.format != "csv") {
    return fail(ErrorKind::usage, "parameter 'format' must be html, json or csv");
  }
  return query;
}

}  // namespace rawbackup::web
