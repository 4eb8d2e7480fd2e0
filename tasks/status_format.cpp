#include "tasks/status_format.h"

#include <algorithm>

#include "common/text.h"

namespace rawbackup {
namespace {

using Row = std::vector<std::string>;

}  // namespace

std::string align_columns(const std::vector<Row>& rows) {
  std::vector<size_t> widths;
  for (const Row& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

namespace {

std::string or_dash(const std::optional<std::string>& value) { return value && !value->empty() ? *value : "-"; }

// A long error as its start and its end, where the cause usually is ("… : No space left on
// device"), cut between UTF-8 characters.
std::string shorten_middle(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  auto continues = [&](size_t i) { return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80; };
  constexpr std::string_view gap = " … ";
  size_t head = max_bytes / 3;
  while (head > 0 && continues(head)) --head;
  size_t tail = text.size() - (max_bytes - head - gap.size());
  while (tail < text.size() && continues(tail)) ++tail;
  return text.substr(0, head) + std::string(gap) + text.substr(tail);
}

}  // namespace

namespace {

const Row table_header{"ID", "INSTRUMENT", "PROJECT", "STATUS", "BACKUP", "SIZE", "CREATED (UTC)", "ERROR"};

Row table_cells(const RecordRow& r) {
  std::string error = shorten_middle(or_dash(r.error), 72);
  return {r.id,
          r.instrument_id,
          r.project_id,
          to_string(r.status),
          std::string(to_string(r.backup_status)) + (r.purged_at ? ", purged" : "") +
              (r.backup_purged_at ? ", local purged" : ""),
          format_bytes(r.size),
          r.created_at.substr(0, 16) + "Z",
          error};
}

}  // namespace

TableLayout::TableLayout() {
  for (const std::string& cell : table_header) widths_.push_back(cell.size());
}

void TableLayout::measure(const RecordRow& row) {
  Row cells = table_cells(row);
  for (size_t i = 0; i < cells.size(); ++i) widths_[i] = std::max(widths_[i], cells[i].size());
}

std::string TableLayout::aligned(const Row& cells) const {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 < cells.size()) line += std::string(widths_[i] - std::min(widths_[i], cells[i].size()) + 2, ' ');
  }
  return line + "\n";
}

std::string TableLayout::header() const { return aligned(table_header); }
std::string TableLayout::line(const RecordRow& row) const { return aligned(table_cells(row)); }

std::string table_footer(uint64_t shown, uint64_t total) {
  if (shown == total) return std::to_string(total) + " record(s)\n";
  return std::to_string(shown) + " of " + std::to_string(total) +
         " record(s), newest first (--limit N or --all for more)\n";
}

std::string format_record_detail(const RawFile& r) {
  std::vector<Row> fields{
      {"id:", r.id},
      {"instrument:", r.instrument_id + " (" + to_string(r.vendor) + ")"},
      {"project:", r.project_id},
      {"created_at:", r.created_at},
      {"size:", format_bytes(r.size) + " (" + std::to_string(r.size) + " bytes)"},
      {"status:", to_string(r.status)},
      {"backup_status:", to_string(r.backup_status)},
      {"backup_base_path:", or_dash(r.backup_base_path)},
      {"s3_upload_path:", or_dash(r.s3_upload_path)},
      {"error:", or_dash(r.error)},
      {"last_verified_at:", or_dash(r.last_verified_at)},
      {"purged_at:", or_dash(r.purged_at)},
      {"backup_purged_at:", or_dash(r.backup_purged_at)},
      {"updated_at:", r.updated_at},
  };
  std::string out = align_columns(fields);
  out += "files (" + std::to_string(r.file_info.size()) + "):\n";
  // S3's own ETag where the record notes one (encrypted, another tool's, read back): the column
  // only when a file has one.
  bool noted = std::any_of(r.file_info.begin(), r.file_info.end(),
                           [](const auto& file) { return !file.second.object_etag.empty(); });
  std::vector<Row> files{{"  SIZE", "MD5", "ETAG", "PART SIZE", "PATH"}};
  if (noted) files[0].insert(files[0].begin() + 3, "S3 ETAG (KIND)");
  for (const auto& [path, e] : r.file_info) {
    files.push_back({"  " + std::to_string(e.size), e.md5, e.etag, format_bytes(e.part_size), path});
    if (!noted) continue;
    std::string object = e.object_etag.empty() ? "-" : e.object_etag + " (" + to_string(e.object_etag_kind) + ")";
    files.back().insert(files.back().begin() + 3, object);
  }
  return out + (r.file_info.empty() ? "  (not checksummed yet)\n" : align_columns(files));
}

nlohmann::json event_json(const Event& e) {
  auto nullable = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"at", e.at},       {"task", e.task},           {"host", e.host},       {"pid", e.pid},
          {"field", e.field}, {"from", nullable(e.from)}, {"to", nullable(e.to)}, {"message", e.message}};
}

std::string format_history(const std::vector<Event>& events) {
  std::string out = "history:\n";
  std::vector<Row> rows;
  for (const Event& e : events) {
    std::string change =
        e.field == "record" ? std::string("record updated") : e.field + ": " + or_dash(e.from) + " -> " + or_dash(e.to);
    rows.push_back({"  " + e.at, e.task, e.host + ":" + std::to_string(e.pid), change, e.message});
  }
  return out + (rows.empty() ? "  (no events)\n" : align_columns(rows));
}

}  // namespace rawbackup
