#include "web/record_page.h"

#include "common/text.h"
#include "tasks/status_format.h"
#include "web/html.h"
#include "web/params.h"
#include "web/records_page.h"

namespace rawbackup::web {
namespace {

std::string field_rows(const RawFile& r) {
  auto value = [](const std::optional<std::string>& v) { return v ? *v : std::string("-"); };
  std::vector<std::pair<std::string, std::string>> fields{
      {"instrument", r.instrument_id}, {"project", r.project_id},
      {"status", to_string(r.status)}, {"backup status", to_string(r.backup_status)},
      {"size", format_bytes(r.size) + " (" + std::to_string(r.size) + " bytes)"},
      {"acquired", r.created_at},      {"local backup", value(r.backup_base_path)},
      {"S3", value(r.s3_upload_path)}, {"last verified", value(r.last_verified_at)},
      {"purged from the instrument", value(r.purged_at)},
      {"local backup purged", value(r.backup_purged_at)},
      {"error", value(r.error)},       {"updated", r.updated_at}};
  Table table{{"field", "value"}, {}};
  for (const auto& [name, v] : fields) table.rows.push_back({escape_html(name), escape_html(v)});
  return render_table(table);
}

bool unfinished(const RawFile& r) {
  return r.status != RawFileStatus::copying_done || r.backup_status == BackupStatus::failed ||
         r.backup_status == BackupStatus::attention || r.backup_status == BackupStatus::pending;
}

}  // namespace

Result<WebResponse> record_response(const WebSite& site, const std::string& id, const WebRequest& request, bool json) {
  TRY_ASSIGN(params, checked_params(request, {"files_page"}));
  TRY_ASSIGN(page, number_param(params, "files_page", 1, 1, 1'000'000));
  TRY_ASSIGN(found, site.store->get(id));
  if (!found) return WebResponse{404, "text/plain; charset=utf-8", "no record named " + id + "\n"};
  const RawFile& r = *found;
  TRY_ASSIGN(history, site.store->history(id));
  const uint64_t first = (page - 1) * files_per_page;
  std::string rerun = unfinished(r) ? rerun_command(*site.config, r, !r.file_info.empty()) : "";
  if (json) {
    nlohmann::json j = to_json(static_cast<const RecordRow&>(r));
    nlohmann::json files = nlohmann::json::object();
    uint64_t i = 0;
    for (const auto& [path, entry] : r.file_info) {
      if (i++ < first) continue;
      if (files.size() == files_per_page) break;
      files[path] = {{"size", entry.size}, {"md5", entry.md5}, {"etag", entry.etag}};
    }
    j["files"] = files;
    j["files_total"] = r.file_info.size();
    j["files_page"] = page;
    j["history"] = nlohmann::json::array();
    for (const Event& e : history) j["history"].push_back(event_json(e));
    if (!rerun.empty()) j["rerun"] = rerun;
    return json_response(j);
  }
  std::string body = field_rows(r);
  if (!rerun.empty()) body += "<h2>Run it again</h2><pre>" + escape_html(rerun) + "</pre>";
  Table files{{"path", "size", "MD5", "ETag"}, {}};
  uint64_t i = 0;
  for (const auto& [path, entry] : r.file_info) {
    if (i++ < first) continue;
    if (files.rows.size() == files_per_page) break;
    files.rows.push_back({escape_html(path), "<td class=\"num\">" + std::to_string(entry.size) + "</td>",
                          "<code>" + escape_html(entry.md5) + "</code>", "<code>" + escape_html(entry.etag) + "</code>"});
  }
  body += "<h2>Files (" + std::to_string(r.file_info.size()) + ")</h2>" + render_table(files);
  std::string self = "/records/" + url_encode(id);
  if (page > 1) body += link(url_with(self, {{"files_page", std::to_string(page - 1)}}), "previous files") + " ";
  if (first + files_per_page < r.file_info.size()) {
    body += link(url_with(self, {{"files_page", std::to_string(page + 1)}}), "next files");
  }
  Table events{{"at", "task", "host", "field", "from", "to", "message"}, {}};
  for (const Event& e : history) {
    events.rows.push_back({escape_html(e.at), escape_html(e.task), escape_html(e.host), escape_html(e.field),
                           escape_html(e.from.value_or("")), escape_html(e.to.value_or("")), escape_html(e.message)});
  }
  body += "<h2>History</h2>" + render_table(events);
  return WebResponse{200, "text/html; charset=utf-8", render_page(id, body)};
}

}  // namespace rawbackup::web
