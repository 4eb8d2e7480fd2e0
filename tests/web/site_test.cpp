// The operator's site (web/site.h) without sockets, over a real SQLite store with records in
// every state: each page and its JSON, filters, paging, CSV, escaping of whatever the store
// holds, 400/404/405, the bearer token and the security headers.
#include "web/site.h"

#include <gtest/gtest.h>

#include <fstream>

#include "../tasks/task_fixture.h"
#include "web/html.h"
#include "web/serve.h"

namespace rawbackup {
namespace {

using web::WebRequest;
using web::WebResponse;

class SiteTest : public TaskFixture {
 protected:
  SiteTest() {
    const std::string hour_ago = format_utc(Clock::now() - std::chrono::hours(1));
    add("a_PRID1.raw", "astral1", RawFileStatus::copying_done, BackupStatus::done, hour_ago, "");
    add("b_PRID1.raw", "astral1", RawFileStatus::error, BackupStatus::pending, hour_ago, "checksum: disk <b>gone</b>");
    add("c_PRID2.d", "timstof1", RawFileStatus::copying_done, BackupStatus::failed, hour_ago, "upload-s3: timeout");
    add("<script>alert(1)</script>.raw", "astral1", RawFileStatus::checksummed, BackupStatus::pending, hour_ago, "");
    add("=cmd_PRID1.raw", "astral1", RawFileStatus::checksummed, BackupStatus::pending, hour_ago, "");
    add("bad\xff_PRID1.raw", "timstof1", RawFileStatus::checksummed, BackupStatus::pending, hour_ago, "");
  }

  void add(const std::string& id, const std::string& instrument, RawFileStatus status, BackupStatus backup,
           const std::string& created, const std::string& error) {
    RawFile r;
    r.id = id;
    r.instrument_id = instrument;
    r.project_id = "PRID1";
    r.created_at = created;
    r.size = 1000;
    r.status = status;
    r.backup_status = backup;
    if (!error.empty()) r.error = error;
    for (int i = 0; i < 250; ++i) r.file_info["f" + std::to_string(1000 + i)] = FileEntry{4, "md5", "etag", 5, 1};
    ASSERT_TRUE(store_.insert(r, "created"));
  }

  WebResponse get(const std::string& path, std::multimap<std::string, std::string> params = {},
                  const std::string& method = "GET") {
    return web::handle_request(site_, WebRequest{method, path, std::move(params), authorization_});
  }

  static std::string header(const WebResponse& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  web::WebSite site_{&config_, &store_, &fs_, ""};
  std::string authorization_;
};

TEST_F(SiteTest, OverviewShowsEveryInstrumentWithItsLastAcquisition) {
  WebResponse r = get("/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("timstof1"), std::string::npos);
  EXPECT_NE(r.body.find("<svg"), std::string::npos);
  EXPECT_NE(header(r, "Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  WebResponse api = get("/api/overview");
  auto j = nlohmann::json::parse(api.body);
  ASSERT_EQ(j["instruments"].size(), 2u);
  EXPECT_EQ(j["instruments"][0]["records"], 4);
  EXPECT_NEAR(j["instruments"][0]["last"]["age_hours"].get<double>(), 1.0, 0.1);
  EXPECT_EQ(j["days"].size(), 30u);
  EXPECT_NE(j["instruments"][0]["folder_space"].get<std::string>().find("free of"), std::string::npos) << api.body;
  EXPECT_NE(j["backup_space"].get<std::string>().find("free of"), std::string::npos) << api.body;
  EXPECT_EQ(j["days"][29]["sets"].get<int>() + j["days"][28]["sets"].get<int>(), 6);
}

TEST_F(SiteTest, RecordsFilterPageAndExport) {
  WebResponse all = get("/api/records");
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(nlohmann::json::parse(all.body)["records"].size(), 6u);
  EXPECT_NE(all.body.find("bad\xef\xbf\xbd_PRID1.raw"), std::string::npos) << "not UTF-8: shown as U+FFFD";
  auto only = nlohmann::json::parse(get("/api/records", {{"instrument", "timstof1"}, {"status", "failed"}}).body)["records"];
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0]["id"], "c_PRID2.d");
  EXPECT_EQ(nlohmann::json::parse(get("/api/records", {{"status", "error"}}).body)["records"].size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(get("/api/records", {{"q", "PRID2"}}).body)["records"].size(), 1u);
  auto by_name = nlohmann::json::parse(get("/api/records", {{"sort", "name"}}).body)["records"];
  EXPECT_EQ(by_name[0]["id"], "<script>alert(1)</script>.raw");
  EXPECT_EQ(by_name[1]["id"], "=cmd_PRID1.raw");
  auto page2 = nlohmann::json::parse(get("/api/records", {{"per_page", "2"}, {"page", "2"}}).body);
  EXPECT_EQ(page2["records"].size(), 2u);
  EXPECT_TRUE(page2["more"]);
  EXPECT_FALSE(nlohmann::json::parse(get("/api/records", {{"per_page", "2"}, {"page", "3"}}).body)["more"]);
  WebResponse html = get("/records", {{"per_page", "2"}, {"instrument", "astral1"}});
  EXPECT_NE(html.body.find("page=2"), std::string::npos) << "a link to the next page, with the filters";
  EXPECT_NE(html.body.find("instrument=astral1"), std::string::npos);
  WebResponse csv = get("/records", {{"format", "csv"}});
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_NE(csv.body.find("\n'=cmd_PRID1.raw,"), std::string::npos) << "no formula: " << csv.body;
  EXPECT_NE(csv.body.find(",checksum: disk <b>gone</b>\r\n"), std::string::npos) << "CSV is not HTML";
}

TEST_F(SiteTest, BadParametersAreA400WithALine) {
  for (auto params : std::vector<std::multimap<std::string, std::string>>{
           {{"instrument", "nope"}}, {{"status", "sideways"}}, {{"page", "0"}}, {{"page", "x"}},
           {{"per_page", "100000"}}, {{"bogus", "1"}}, {{"q", "a"}, {"q", "b"}}, {{"format", "xml"}},
           {{"since", "not a date"}}, {{"sort", "sideways"}}}) {
    WebResponse r = get("/records", params);
    EXPECT_EQ(r.status, 400) << params.begin()->first << ": " << r.body;
    EXPECT_EQ(r.body.find('\n'), r.body.size() - 1) << "one line";
  }
  EXPECT_EQ(get("/", {{"x", "1"}}).status, 400);
  EXPECT_EQ(get("/records/a_PRID1.raw", {{"files_page", "-1"}}).status, 400);
}

TEST_F(SiteTest, RecordPageWithPagedFilesHistoryAndRerun) {
  WebResponse r = get("/records/b_PRID1.raw");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("Files (250)"), std::string::npos);
  EXPECT_NE(r.body.find("f1199"), std::string::npos);
  EXPECT_EQ(r.body.find("f1200"), std::string::npos) << "200 files a page";
  EXPECT_NE(r.body.find("files_page=2"), std::string::npos);
  EXPECT_NE(get("/records/b_PRID1.raw", {{"files_page", "2"}}).body.find("f1249"), std::string::npos);
  EXPECT_NE(r.body.find("rawbackup copy-local b_PRID1.raw"), std::string::npos) << "checksummed, in error";
  EXPECT_NE(r.body.find("disk &lt;b&gt;gone&lt;/b&gt;"), std::string::npos);
  auto j = nlohmann::json::parse(get("/api/records/b_PRID1.raw").body);
  EXPECT_EQ(j["files_total"], 250);
  EXPECT_EQ(j["history"].size(), 1u);
  EXPECT_EQ(get("/records/none.raw").status, 404);
  EXPECT_EQ(nlohmann::json::parse(get("/api/records/a_PRID1.raw").body).count("rerun"), 0u) << "done: nothing to re-run";
}

TEST_F(SiteTest, WhateverTheStoreHoldsIsShownAsText) {
  for (const char* path : {"/", "/records", "/failures", "/records/<script>alert(1)</script>.raw"}) {
    WebResponse r = get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("<b>gone"), std::string::npos) << path;
  }
  EXPECT_NE(get("/records").body.find("&lt;script&gt;alert(1)&lt;/script&gt;.raw"), std::string::npos);
  EXPECT_NE(get("/records").body.find("/records/%3Cscript%3Ealert%281%29%3C%2Fscript%3E.raw"), std::string::npos);
}

TEST_F(SiteTest, FailuresByInstrumentWithTheCommandThatReRunsThem) {
  WebResponse r = get("/failures");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("rawbackup checksum --instrument astral1 b_PRID1.raw"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("rawbackup copy-local c_PRID2.d"), std::string::npos) << "backup_type local";
  auto j = nlohmann::json::parse(get("/api/failures").body);
  ASSERT_EQ(j["failures"].size(), 2u);
  EXPECT_EQ(j["failures"][0]["instrument_id"], "astral1");
}

TEST_F(SiteTest, ReadOnlyMethodsMetricsAndHealth) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    WebResponse r = get("/records", {}, method);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(header(r, "Allow"), "GET, HEAD");
  }
  EXPECT_EQ(get("/records", {}, "HEAD").status, 200);
  WebResponse metrics = get("/metrics");
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("rawbackup_records{"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(get("/healthz").body)["schema_version"].get<int>() > 0, true);
  EXPECT_EQ(get("/nothing").status, 404);
  EXPECT_EQ(get("/api/metrics").status, 404);
}

TEST_F(SiteTest, TheTokenIsAskedForOnEveryPage) {
  site_.token = "0123456789abcdef-secret";
  EXPECT_EQ(get("/").status, 401);
  EXPECT_EQ(get("/healthz").status, 401);
  authorization_ = "Bearer 0123456789abcdef-secreT";
  EXPECT_EQ(get("/metrics").status, 401);
  authorization_ = "Bearer 0123456789abcdef-secret";
  EXPECT_EQ(get("/metrics").status, 200);
  EXPECT_EQ(get("/metrics").body.find("secret"), std::string::npos);
}

TEST_F(SiteTest, SummaryPagesComeFromTheCacheForItsTime) {
  web::SummaryCache cache(std::chrono::seconds(5));
  Clock::time_point now = Clock::now();
  site_.cache = &cache;
  site_.now = [&] { return now; };
  std::string before = get("/metrics").body;
  add("d_PRID1.raw", "astral1", RawFileStatus::checksummed, BackupStatus::pending, format_utc(now), "");
  EXPECT_EQ(get("/metrics").body, before) << "within 5 s: the cached page";
  EXPECT_EQ(nlohmann::json::parse(get("/api/records").body)["records"].size(), 7u) << "records are never cached";
  now += std::chrono::seconds(6);
  EXPECT_NE(get("/metrics").body, before);
  site_.token = "0123456789abcdef-secret";
  EXPECT_EQ(get("/metrics").status, 401) << "the token is checked before the cache";
}

TEST(WebHelpers, SecretsEscapingAndAddresses) {
  EXPECT_TRUE(web::same_secret("abc", "abc"));
  EXPECT_FALSE(web::same_secret("abc", "abd"));
  EXPECT_FALSE(web::same_secret("abc", "abcd"));
  EXPECT_FALSE(web::same_secret("", "a"));
  EXPECT_EQ(web::escape_html("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(web::url_encode("a b/ü"), "a%20b%2F%C3%BC");
  EXPECT_EQ(web::csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
  EXPECT_EQ(web::csv_field("+1"), "'+1");
  auto parsed = parse_listen("[::1]:8080");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, "::1");
  EXPECT_EQ(parsed->second, 8080);
  EXPECT_FALSE(parse_listen("8080"));
  EXPECT_FALSE(parse_listen("0.0.0.0:99999"));
  EXPECT_TRUE(is_loopback("127.0.0.1"));
  EXPECT_FALSE(is_loopback("0.0.0.0"));
}

TEST_F(SiteTest, AnyAddressButLoopbackNeedsAToken) {
  unsetenv("RAWBACKUP_SERVE_TOKEN");
  auto out = run_serve(context(), ServeOptions{"0.0.0.0:0", ""});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_NE(out.error().message.find("bearer token"), std::string::npos);
  std::ofstream(dir_.path() / "short") << "abc\n";
  auto weak = run_serve(context(), ServeOptions{"127.0.0.1:0", (dir_.path() / "short").string()});
  ASSERT_FALSE(weak);
  EXPECT_NE(weak.error().message.find("at least 16"), std::string::npos);
}

}  // namespace
}  // namespace rawbackup
