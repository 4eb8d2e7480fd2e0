#include "web/records_page.h"

#include <algorithm>

#include "common/text.h"
#include "tasks/selection.h"
#include "web/html.h"

namespace rawbackup::web {
namespace {

const std::string enough_rows = "(enough rows)";  // stops a listing once a page is full

std::string shell_quoted(const std::string& word) {
  bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/';
  });
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string status_class(const std::string& status) {
  if (status == "error" || status == "failed") return "bad";
  if (status == "attention" || status == "pending" || status == "in_progress") return "warn";
  if (status == "copying_done" || status == "done" || status == "skipped") return "ok";
  return "";
}

std::string cell(const std::string& text, const std::string& css) {
  return "<td class=\"" + css + "\">" + escape_html(text) + "</td>";
}

std::string short_error(const std::optional<std::string>& error) {
  if (!error) return "";
  return error->size() > 240 ? error->substr(0, 240) + "…" : *error;
}

nlohmann::json rows_json(const std::vector<RecordRow>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const RecordRow& row : rows) out.push_back(to_json(row));
  return out;
}

}  // namespace

const std::vector<std::string>& record_headers() {
  static const std::vector<std::string> headers{"raw file", "instrument", "project", "status", "backup",
                                                "size",     "acquired",   "error"};
  return headers;
}

std::vector<std::string> record_cells(const RecordRow& row) {
  std::string status = to_string(row.status), backup = to_string(row.backup_status);
  return {link("/records/" + url_encode(row.id), row.id),
          escape_html(row.instrument_id),
          escape_html(row.project_id),
          cell(status, status_class(status)),
          cell(backup, status_class(backup)),
          "<td class=\"num\">" + escape_html(format_bytes(row.size)) + "</td>",
          escape_html(row.created_at),
          escape_html(short_error(row.error))};
}

Result<RecordsView> records_view(RecordStore& store, const RecordsQuery& query) {
  TRY_ASSIGN(filter, record_filter("status", query.status, query.instrument, query.since));
  RecordsView view{query, {}, false};
  const uint64_t first = (query.page - 1) * query.per_page;
  // Without a name search the store stops after the page (and one row to know of a next).
  RecordQuery listing{filter, query.q.empty() ? first + query.per_page + 1 : 0, order_of(query.sort)};
  uint64_t matched = 0;
  Status listed = store.list_rows(listing, [&](const RecordRow& row) -> Status {
    if (!query.q.empty() && row.id.find(query.q) == std::string::npos) return {};
    if (matched++ < first) return {};
    if (view.rows.size() == query.per_page) {
      view.more = true;
      return fail(ErrorKind::failed, enough_rows);
    }
    view.rows.push_back(row);
    return {};
  });
  if (!listed && listed.error().message != enough_rows) return std::unexpected(listed.error());
  return view;
}

namespace {

std::string records_csv(const std::vector<RecordRow>& rows) {
  std::string csv = "raw_file,instrument,project,status,backup_status,size,created_at,updated_at,error\r\n";
  for (const RecordRow& r : rows) {
    csv += csv_field(r.id) + "," + csv_field(r.instrument_id) + "," + csv_field(r.project_id) + "," +
           to_string(r.status) + "," + to_string(r.backup_status) + "," + std::to_string(r.size) + "," +
           csv_field(r.created_at) + "," + csv_field(r.updated_at) + "," + csv_field(r.error.value_or("")) + "\r\n";
  }
  return csv;
}

std::string filter_form(const RecordsQuery& q) {
  auto params = q.as_params();
  std::string form = "<form class=\"filters\" method=\"get\" action=\"/records\">";
  for (const char* name : {"instrument", "status", "since", "q"}) {
    form += "<label>" + std::string(name) + " <input name=\"" + name + "\" value=\"" + escape_html(params[name]) +
            "\" size=\"14\"></label>";
  }
  form += "<label>sort <select name=\"sort\">";
  for (const char* name : sort_names) {
    form += "<option" + std::string(q.sort == name ? " selected" : "") + ">" + name + "</option>";
  }
  return form + "</select></label><button type=\"submit\">show</button></form>";
}

// This view's URL at another page or in another format, every filter kept.
std::string view_url(const RecordsQuery& q, uint64_t page, const std::string& format = "") {
  auto params = q.as_params();
  params["page"] = page == 1 ? "" : std::to_string(page);
  params["format"] = format;
  return url_with("/records", params);
}

}  // namespace

WebResponse records_response(const RecordsView& view) {
  const RecordsQuery& q = view.query;
  if (q.format == "json") {
    return json_response({{"page", q.page}, {"per_page", q.per_page}, {"more", view.more}, {"records", rows_json(view.rows)}});
  }
  if (q.format == "csv") {
    return {200, "text/csv; charset=utf-8", records_csv(view.rows),
            {{"Content-Disposition", "attachment; filename=\"records.csv\""}}};
  }
  Table table{record_headers(), {}};
  for (const RecordRow& row : view.rows) table.rows.push_back(record_cells(row));
  std::string nav = "<p>page " + std::to_string(q.page);
  if (q.page > 1) nav += " · " + link(view_url(q, q.page - 1), "previous");
  if (view.more) nav += " · " + link(view_url(q, q.page + 1), "next");
  nav += " · " + link(view_url(q, q.page, "csv"), "CSV") + " · " + link(view_url(q, q.page, "json"), "JSON") + "</p>";
  return {200, "text/html; charset=utf-8", render_page("Records", filter_form(q) + render_table(table) + nav)};
}

Result<FailuresView> failures_view(RecordStore& store, uint64_t limit) {
  FailuresView view;
  for (const char* status : {"error", "failed", "attention"}) {
    TRY_ASSIGN(filter, record_filter("status", status, "", ""));
    uint64_t seen = 0;
    TRY(store.list_rows(RecordQuery{filter, limit + 1}, [&](const RecordRow& row) -> Status {
      if (++seen > limit) {
        view.truncated = true;
      } else if (std::none_of(view.rows.begin(), view.rows.end(), [&](const RecordRow& r) { return r.id == row.id; })) {
        view.rows.push_back(row);
      }
      return {};
    }));
  }
  std::stable_sort(view.rows.begin(), view.rows.end(),
                   [](const RecordRow& a, const RecordRow& b) { return a.instrument_id < b.instrument_id; });
  return view;
}

std::string rerun_command(const Config& config, const RecordRow& row, bool checksummed) {
  const std::string id = shell_quoted(row.id);
  if (!checksummed || row.status == RawFileStatus::checksumming) {
    return "rawbackup checksum --instrument " + shell_quoted(row.instrument_id) + " " + id;
  }
  if (row.status != RawFileStatus::copying_done) return "rawbackup copy-local " + id;
  if (row.backup_status == BackupStatus::attention) return "rawbackup verify --deep " + id;
  if (config.backup_type == BackupType::s3) return "rawbackup upload-s3 " + id;
  return "rawbackup copy-local " + id;
}

WebResponse failures_response(const Config& config, const FailuresView& view, bool json) {
  if (json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const RecordRow& row : view.rows) {
      nlohmann::json j = to_json(row);
      j["rerun"] = rerun_command(config, row, row.status != RawFileStatus::error);
      rows.push_back(std::move(j));
    }
    return json_response({{"failures", rows}, {"truncated", view.truncated}});
  }
  std::string body;
  std::string instrument = "\x01";
  Table table;
  auto flush = [&] {
    if (instrument != "\x01") body += "<h2>" + escape_html(instrument) + "</h2>" + render_table(table);
  };
  for (const RecordRow& row : view.rows) {
    if (row.instrument_id != instrument) {
      flush();
      instrument = row.instrument_id;
      table = Table{{"raw file", "status", "backup", "since", "error", "re-run"}, {}};
    }
    std::string status = to_string(row.status), backup = to_string(row.backup_status);
    table.rows.push_back({link("/records/" + url_encode(row.id), row.id), cell(status, status_class(status)),
                          cell(backup, status_class(backup)), escape_html(row.updated_at),
                          escape_html(row.error.value_or("")),
                          "<code>" + escape_html(rerun_command(config, row, row.status != RawFileStatus::error)) + "</code>"});
  }
  flush();
  if (view.rows.empty()) body = "<p class=\"ok\">No record in error, no failed backup.</p>";
  if (view.truncated) body += "<p class=\"warn\">More failures than shown: see the records page, filtered by status.</p>";
  return {200, "text/html; charset=utf-8", render_page("Failures", body)};
}

}  // namespace rawbackup::web
