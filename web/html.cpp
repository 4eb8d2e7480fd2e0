#include "web/html.h"

#include "storage/s3/sigv4.h"  // uri_encode: RFC 3986, as S3 signs it

namespace rawbackup::web {
namespace {

constexpr std::string_view style = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
nav{background:#1d2433;padding:8px 16px}nav a{color:#fff;margin-right:18px;text-decoration:none;font-weight:600}
main{padding:16px}h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:18px 0 8px}
table{border-collapse:collapse;background:#fff;margin-bottom:12px}th,td{border:1px solid #d8dce3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eceff3}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{background:#d9f2df}.warn{background:#fff1c2}.bad{background:#f9d3d0}.muted{color:#6b7385}
code,pre{font:12px ui-monospace,monospace;background:#eceff3;padding:2px 4px;white-space:pre-wrap;word-break:break-all}
form.filters{margin-bottom:12px}form.filters input,form.filters select{margin-right:8px}
figure{display:inline-block;margin:0 32px 8px 0}figcaption{margin-bottom:4px}
)css";

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view text) { return s3::uri_encode(std::string(text), false); }

std::string url_with(const std::string& path, const std::map<std::string, std::string>& params) {
  std::string url = path;
  char separator = '?';
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    url += separator + url_encode(key) + "=" + url_encode(value);
    separator = '&';
  }
  return url;
}

std::string link(const std::string& url, std::string_view text) {
  return "<a href=\"" + escape_html(url) + "\">" + escape_html(text) + "</a>";
}

std::string render_table(const Table& table) {
  std::string out = "<table><thead><tr>";
  for (const std::string& h : table.headers) out += "<th>" + escape_html(h) + "</th>";
  out += "</tr></thead><tbody>";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (const std::string& cell : row) out += cell.starts_with("<td") ? cell : "<td>" + cell + "</td>";
    out += "</tr>";
  }
  if (table.rows.empty()) {
    out += "<tr><td class=\"muted\" colspan=\"" + std::to_string(table.headers.size()) + "\">none</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string render_page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" +
         escape_html(title) + " · rawbackup</title><style>" + std::string(style) +
         "</style></head><body><nav><a href=\"/\">Overview</a><a href=\"/records\">Records</a>"
         "<a href=\"/failures\">Failures</a><a href=\"/metrics\">Metrics</a></nav><main><h1>" +
         escape_html(title) + "</h1>" + body + "</main></body></html>\n";
}

std::string csv_field(std::string_view text) {
  std::string value(text);
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@')) {
    value.insert(0, "'");
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace rawbackup::web
