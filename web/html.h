// The page's building blocks: escaping (every string from the store, the config or a file
// name goes through escape_html), links with encoded query strings, tables, and the page
// around them with its CSS inline (nothing external: the page works on an air-gapped network
// and under a Content-Security-Policy that allows nothing from elsewhere).
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rawbackup::web {

std::string escape_html(std::string_view text);
// Percent-encodes everything but RFC 3986's unreserved characters.
std::string url_encode(std::string_view text);
// "/records?instrument=a&status=done" from a path and parameters (empty values left out).
std::string url_with(const std::string& path, const std::map<std::string, std::string>& params);
// <a href="URL">TEXT</a>, both escaped.
std::string link(const std::string& url, std::string_view text);

struct Table {
  std::vector<std::string> headers;          // plain text
  std::vector<std::vector<std::string>> rows;  // HTML, already escaped
};
std::string render_table(const Table& table);

// The whole document: title, the navigation, `body` (HTML).
std::string render_page(const std::string& title, const std::string& body);

// A CSV field: quoted when it holds a comma, quote or line break; a leading = + - @ is
// prefixed with ' so a spreadsheet does not run it as a formula.
std::string csv_field(std::string_view text);

}  // namespace rawbackup::web
