#include "web/overview_page.h"

#include <algorithm>

#include "common/text.h"
#include "web/html.h"

namespace rawbackup::web {
namespace {

const std::string chart_done = "(30 days listed)";  // stops the listing at the chart's first day

struct InstrumentLine {
  std::string id;
  StatusCounts counts;
  std::optional<RecordRow> last;
  uint64_t failures_24h = 0;
  std::string space;  // of the instrument's folder
};

struct Day {
  uint64_t sets = 0, bytes = 0;
};

std::string age_class(const Config& config, double hours) {
  if (hours < static_cast<double>(config.age_warn_hours)) return "ok";
  return hours < static_cast<double>(config.age_alert_hours) ? "warn" : "bad";
}

// "1.2 TiB free of 8.0 TiB"; the error line when it cannot be read (an unmounted share).
std::string space_text(const FileSystem& fs, const std::filesystem::path& folder) {
  Result<FolderSpace> space = fs.space(folder);
  if (!space) return space.error().message;
  return format_bytes(space->free_bytes) + " free of " + format_bytes(space->total_bytes);
}

std::string counts_text(const std::map<std::string, uint64_t>& counts) {
  std::vector<std::string> parts;
  for (const auto& [name, n] : counts) parts.push_back(name + " " + std::to_string(n));
  return join(parts, ", ");
}

// Bars of `values` (oldest day first) over a baseline, the first and last day under it; the
// caption names the largest value (`top_text`). Each bar's title holds its value.
std::string bar_chart(const std::string& title, const std::vector<double>& values,
                      const std::vector<std::string>& value_texts, const std::string& top_text,
                      const std::string& first_day, const std::string& last_day) {
  const double top = std::max(1e-9, *std::max_element(values.begin(), values.end()));
  const int width = 14, height = 80;
  const std::string total_width = std::to_string(width * values.size());
  std::string svg = "<figure><figcaption>" + escape_html(title) + " (most: " + escape_html(top_text) +
                    ")</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + total_width + "\" height=\"" +
                    std::to_string(height + 16) + "\" role=\"img\" aria-label=\"" + escape_html(title) + "\">";
  for (size_t i = 0; i < values.size(); ++i) {
    int h = static_cast<int>(values[i] / top * (height - 2));
    svg += "<rect x=\"" + std::to_string(i * width) + "\" y=\"" + std::to_string(height - h) + "\" width=\"" +
           std::to_string(width - 3) + "\" height=\"" + std::to_string(h) + "\" fill=\"#3d6fb6\"><title>" +
           escape_html(value_texts[i]) + "</title></rect>";
  }
  svg += "<rect x=\"0\" y=\"" + std::to_string(height) + "\" width=\"" + total_width +
         "\" height=\"1\" fill=\"#6b7385\"/><text x=\"0\" y=\"" + std::to_string(height + 13) +
         "\" font-size=\"10\" fill=\"#6b7385\">" + escape_html(first_day) + "</text><text x=\"" + total_width +
         "\" y=\"" + std::to_string(height + 13) + "\" font-size=\"10\" fill=\"#6b7385\" text-anchor=\"end\">" +
         escape_html(last_day) + "</text>";
  return svg + "</svg></figure>";
}

}  // namespace

Result<WebResponse> overview_response(const WebSite& site, bool json) {
  const Clock::time_point now = site.now();
  TRY_ASSIGN(summary, site.store->summarize(RecordFilter{}, 0));
  TRY_ASSIGN(failures, site.store->count_failures(format_utc(now - std::chrono::hours(24))));
  std::vector<InstrumentLine> lines;
  for (const auto& [id, instrument] : site.config->instruments) {
    InstrumentLine line{id, summary.instruments[id], std::nullopt, failures[id], space_text(*site.fs, instrument.path)};
    TRY(site.store->list_rows(RecordQuery{RecordFilter{std::nullopt, id}, 1}, [&](const RecordRow& row) -> Status {
      line.last = row;
      return {};
    }));
    lines.push_back(std::move(line));
  }
  // Sets and bytes per day (by acquisition time), newest first until the chart's first day.
  std::vector<Day> days(chart_days);
  const auto start = now - std::chrono::hours(24 * (chart_days - 1));
  const auto first_day = std::chrono::floor<std::chrono::days>(start);
  Status listed = site.store->list_rows(RecordQuery{}, [&](const RecordRow& row) -> Status {
    auto at = parse_utc(row.created_at);
    if (!at || *at < first_day) return at ? fail(ErrorKind::failed, chart_done) : Status{};
    auto index = std::chrono::floor<std::chrono::days>(*at) - first_day;
    if (index.count() < chart_days) {
      days[static_cast<size_t>(index.count())].sets++;
      days[static_cast<size_t>(index.count())].bytes += row.size;
    }
    return {};
  });
  if (!listed && listed.error().message != chart_done) return std::unexpected(listed.error());

  const std::string backup_space = space_text(*site.fs, site.config->backup_path);
  auto age_hours = [&](const RecordRow& row) {
    auto at = parse_utc(row.created_at);
    return at ? std::chrono::duration<double>(now - *at).count() / 3600.0 : 0.0;
  };
  if (json) {
    nlohmann::json out = {{"instruments", nlohmann::json::array()}, {"days", nlohmann::json::array()},
                          {"backup_space", backup_space}};
    for (const InstrumentLine& l : lines) {
      nlohmann::json j = {{"instrument", l.id}, {"records", l.counts.records}, {"status", l.counts.status},
                          {"backup_status", l.counts.backup_status}, {"bytes_local", l.counts.bytes_local},
                          {"bytes_s3", l.counts.bytes_s3}, {"oldest_not_backed_up", l.counts.oldest_unbacked_at},
                          {"last_verified_at", l.counts.last_verified_at}, {"failures_24h", l.failures_24h},
                          {"folder_space", l.space}};
      if (l.last) j["last"] = {{"raw_file", l.last->id}, {"acquired", l.last->created_at}, {"age_hours", age_hours(*l.last)}};
      out["instruments"].push_back(std::move(j));
    }
    for (int i = 0; i < chart_days; ++i) {
      out["days"].push_back({{"day", format_utc(first_day + std::chrono::days(i)).substr(0, 10)},
                             {"sets", days[static_cast<size_t>(i)].sets}, {"bytes", days[static_cast<size_t>(i)].bytes}});
    }
    return json_response(out);
  }
  Table table{{"instrument", "last acquisition", "age", "sets", "status", "backup", "local backup", "S3",
               "oldest not backed up", "failed runs 24 h", "last verify", "folder space"},
              {}};
  for (const InstrumentLine& l : lines) {
    std::string last = "<td class=\"muted\">none</td>", age = "<td></td>";
    if (l.last) {
      double hours = age_hours(*l.last);
      last = link("/records/" + url_encode(l.last->id), l.last->id);
      age = "<td class=\"" + age_class(*site.config, hours) + "\">" + escape_html(format_duration(hours * 3600)) + "</td>";
    }
    table.rows.push_back({escape_html(l.id), last, age, "<td class=\"num\">" + std::to_string(l.counts.records) + "</td>",
                          escape_html(counts_text(l.counts.status)), escape_html(counts_text(l.counts.backup_status)),
                          escape_html(format_bytes(l.counts.bytes_local)), escape_html(format_bytes(l.counts.bytes_s3)),
                          escape_html(l.counts.oldest_unbacked_at),
                          "<td class=\"" + std::string(l.failures_24h ? "bad" : "ok") + "\">" +
                              std::to_string(l.failures_24h) + "</td>",
                          escape_html(l.counts.last_verified_at.empty() ? "never" : l.counts.last_verified_at),
                          escape_html(l.space)});
  }
  std::vector<double> sets, bytes;
  std::vector<std::string> set_texts, byte_texts;
  uint64_t most_sets = 0, most_bytes = 0;
  for (int i = 0; i < chart_days; ++i) {
    const Day& d = days[static_cast<size_t>(i)];
    std::string day = format_utc(first_day + std::chrono::days(i)).substr(0, 10);
    sets.push_back(static_cast<double>(d.sets));
    bytes.push_back(static_cast<double>(d.bytes));
    set_texts.push_back(day + ": " + std::to_string(d.sets) + " sets");
    byte_texts.push_back(day + ": " + format_bytes(d.bytes));
    most_sets = std::max(most_sets, d.sets);
    most_bytes = std::max(most_bytes, d.bytes);
  }
  const std::string first = format_utc(first_day).substr(0, 10), last = format_utc(now).substr(0, 10);
  std::string body = render_table(table) + "<p>Local backup folder " +
                     escape_html(site.config->backup_path.string()) + ": " + escape_html(backup_space) + "</p><h2>Last " +
                     std::to_string(chart_days) + " days, by acquisition time</h2>" +
                     bar_chart("sets per day", sets, set_texts, std::to_string(most_sets) + " sets", first, last) +
                     bar_chart("bytes per day", bytes, byte_texts, format_bytes(most_bytes), first, last);
  return WebResponse{200, "text/html; charset=utf-8", render_page("Overview", body)};
}

}  // namespace rawbackup::web
