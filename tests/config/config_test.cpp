// One test per class of config error, plus what a valid file turns into.
#include "config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/result.h"
#include "scoped_env.h"

namespace rawbackup {
namespace {

const std::string valid = R"(
store:
  path: var/rawbackup.sqlite
instruments:
  astral1: {type: thermo, path: /data/instruments/astral1}
  timstof1: {type: bruker, path: instruments/timstof1}
  zenotof1: {type: sciex, path: /data/instruments/zenotof1}
locations:
  backup: /data/backup
project_pattern: "_(PRID\\d+)_"
backup:
  backup_type: s3
  s3:
    region: eu-central-1
    bucket_prefix: alphakraken
    endpoint_url: null
    part_size_mb: 500
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return text.replace(pos, from.size(), to);
}

// The UsageError message for `text`, or "" when it loads.
std::string error_of(const std::string& text) {
  try {
    parse_config(text, "/etc/rawbackup/test.yaml");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, ValidFileBecomesStructs) {
  Config c = parse_config(valid, "/etc/rawbackup/test.yaml");
  EXPECT_EQ(c.store_url, "sqlite:///etc/rawbackup/var/rawbackup.sqlite");
  EXPECT_EQ(c.lease_seconds, 300);
  ASSERT_EQ(c.instruments.size(), 3u);
  EXPECT_EQ(c.instruments.at("timstof1").vendor, Vendor::bruker);
  EXPECT_EQ(c.instruments.at("timstof1").path, "/etc/rawbackup/instruments/timstof1");
  EXPECT_EQ(c.backup_path, "/data/backup");
  EXPECT_EQ(c.backup_type, BackupType::s3);
  ASSERT_TRUE(c.s3);
  EXPECT_EQ(c.s3->part_size, 500 * mebibyte);
  EXPECT_FALSE(c.s3->endpoint_url);
  EXPECT_EQ(c.part_size(), 500 * mebibyte);
  ASSERT_TRUE(c.project_regex);
}

TEST(Config, BackupSectionIsOptionalAndDefaultsToLocal) {
  auto text = valid.substr(0, valid.find("backup:\n  backup_type"));
  Config c = parse_config(text, "/x/c.yaml");
  EXPECT_EQ(c.backup_type, BackupType::local);
  EXPECT_EQ(c.part_size(), default_part_size);
}

TEST(Config, UnknownKeyIsATypo) {
  EXPECT_EQ(error_of(replaced(valid, "endpoint_url:", "endpoint_ulr:")),
            "/etc/rawbackup/test.yaml: backup.s3.endpoint_ulr: unknown key (typo?)");
  EXPECT_EQ(error_of(replaced(valid, "region:", "regoin:")),
            "/etc/rawbackup/test.yaml: backup.s3.regoin: unknown key (typo?)");
  EXPECT_THAT(error_of(valid + "extra: 1\n"), ::testing::HasSubstr("extra: unknown key"));
}

TEST(Config, MissingRequiredKey) {
  EXPECT_EQ(error_of(replaced(valid, "  backup: /data/backup", "  other: x")),
            "/etc/rawbackup/test.yaml: locations.backup: is required");
}

// The region may come from the environment or the AWS profile instead (issue 17): optional here.
TEST(Config, RegionAndProfileAreOptional) {
  Config c = parse_config(replaced(valid, "    region: eu-central-1\n", "    profile: facility\n"), "/x/c.yaml");
  EXPECT_EQ(c.s3->region, "");
  EXPECT_EQ(c.s3->profile, "facility");
}

TEST(Config, WrongType) {
  EXPECT_EQ(error_of(replaced(valid, "part_size_mb: 500", "part_size_mb: lots")),
            "/etc/rawbackup/test.yaml: backup.s3.part_size_mb: must be a whole number, got 'lots'");
  EXPECT_THAT(error_of(replaced(valid, "  backup: /data/backup", "  backup: [a, b]")),
              ::testing::HasSubstr("locations.backup: must be a string"));
  EXPECT_THAT(error_of(replaced(valid, "store:\n  path: var/rawbackup.sqlite", "store: here")),
              ::testing::HasSubstr("store: must be a mapping"));
}

// Found by fuzz/config_fuzz.cpp: yaml-cpp quoted the offending character, a newline.
TEST(Config, ErrorsAreOneLineWhateverTheInput) {
  std::string error = error_of(std::string("store: {path: \"a\\") + '\x01' + "\"}\n");  // an unknown escape
  EXPECT_THAT(error, ::testing::HasSubstr("invalid YAML")) << error;
  EXPECT_THAT(error, ::testing::Not(::testing::HasSubstr("\n"))) << error;
  EXPECT_EQ(one_line("a\nb\r\x01\tc ü"), "a\\nb\\r\\x01 c ü");
}

TEST(Config, BadEnumValue) {
  EXPECT_EQ(error_of(replaced(valid, "type: bruker", "type: waters")),
            "/etc/rawbackup/test.yaml: instruments.timstof1.type: must be one of bruker, sciex, "
            "thermo, got 'waters'");
  EXPECT_THAT(error_of(replaced(valid, "backup_type: s3", "backup_type: tape")),
              ::testing::HasSubstr("backup.backup_type: must be one of local, s3"));
}

TEST(Config, RequiredMembersAreAListOfRelativeNames) {
  EXPECT_FALSE(parse_config(valid, "/x/c.yaml").instruments.at("timstof1").required_members) << "the vendor's";
  Config c = parse_config(replaced(valid, "type: bruker,", "type: bruker, required_members: [analysis.baf],"), "/x/c.yaml");
  EXPECT_EQ(c.instruments.at("timstof1").required_members, std::vector<std::string>{"analysis.baf"});
  c = parse_config(replaced(valid, "type: bruker,", "type: bruker, required_members: [],"), "/x/c.yaml");
  EXPECT_EQ(c.instruments.at("timstof1").required_members, std::vector<std::string>{});
  EXPECT_THAT(error_of(replaced(valid, "type: bruker,", "type: bruker, required_members: analysis.tdf,")),
              ::testing::HasSubstr("instruments.timstof1.required_members: must be a list of strings"));
  EXPECT_THAT(error_of(replaced(valid, "type: bruker,", "type: bruker, required_members: [../x],")),
              ::testing::HasSubstr("'../x' must be a relative name without '..'"));
}

TEST(Config, S3SectionRequiredForS3Backups) {
  auto text = valid.substr(0, valid.find("  s3:"));
  EXPECT_EQ(error_of(text), "/etc/rawbackup/test.yaml: backup.s3: is required when backup_type is s3");
}

TEST(Config, PartSizeOutsideS3Limits) {
  EXPECT_THAT(error_of(replaced(valid, "part_size_mb: 500", "part_size_mb: 4")),
              ::testing::HasSubstr("between 5 and 5120"));
  EXPECT_THAT(error_of(replaced(valid, "part_size_mb: 500", "part_size_mb: 5121")),
              ::testing::HasSubstr("between 5 and 5120"));
  EXPECT_EQ(error_of(replaced(valid, "part_size_mb: 500", "part_size_mb: 5")), "");
  EXPECT_EQ(error_of(replaced(valid, "part_size_mb: 500", "part_size_mb: 5120")), "");
}

TEST(Config, StoreIsAPathOrAUrlWithoutPassword) {
  auto url = replaced(valid, "  path: var/rawbackup.sqlite", "  url: postgresql://rawbackup@db.example.org/rawbackup");
  EXPECT_EQ(parse_config(url, "/x/c.yaml").store_url, "postgresql://rawbackup@db.example.org/rawbackup");
  EXPECT_EQ(
      error_of(replaced(valid, "  path: var/rawbackup.sqlite", "  url: postgresql://rawbackup:hunter2@db/rb")),
      "/etc/rawbackup/test.yaml: store.url: must not contain a password (use PGPASSWORD, ~/.pgpass or a service file)");
  EXPECT_EQ(
      error_of(replaced(valid, "  path: var/rawbackup.sqlite", "  path: a.sqlite\n  url: sqlite:///b.sqlite")),
      "/etc/rawbackup/test.yaml: store: needs exactly one of path (SQLite file) or url (sqlite:// or postgresql://)");
  EXPECT_THAT(error_of(replaced(valid, "  path: var/rawbackup.sqlite", "  url: mysql://db/x")),
              ::testing::HasSubstr("store.url: store URL"));
  auto lease = replaced(valid, "  path: var/rawbackup.sqlite", "  path: s.sqlite\n  lease_seconds: 30");
  EXPECT_EQ(parse_config(lease, "/x/c.yaml").lease_seconds, 30);
}

// RAWBACKUP_STORE_URL overrides the section, so a config may leave it out then (not otherwise).
TEST(Config, StoreSectionMayBeLeftOutWhenTheEnvironmentNamesTheStore) {
  auto without = replaced(valid, "store:\n  path: var/rawbackup.sqlite\n", "");
  {
    ScopedEnv unset("RAWBACKUP_STORE_URL", std::nullopt);
    EXPECT_THAT(error_of(without), ::testing::HasSubstr("store: is required"));
  }
  ScopedEnv named("RAWBACKUP_STORE_URL", "sqlite:///tmp/x.sqlite");
  EXPECT_EQ(error_of(without), "");
}

TEST(Config, SettleTimeDefaultsTo120SecondsAndZeroDisablesIt) {
  EXPECT_EQ(parse_config(valid, "/x/c.yaml").settle_seconds, 120);
  EXPECT_EQ(parse_config(valid + "checksum: {settle_seconds: 0}\n", "/x/c.yaml").settle_seconds, 0);
  EXPECT_EQ(parse_config(valid + "checksum: {settle_seconds: 600}\n", "/x/c.yaml").settle_seconds, 600);
  EXPECT_EQ(error_of(valid + "checksum: {settle_seconds: -1}\n"),
            "/etc/rawbackup/test.yaml: checksum.settle_seconds: must be between 0 (off) and 86400, got -1");
  EXPECT_THAT(error_of(valid + "checksum: {settle: 5}\n"), ::testing::HasSubstr("checksum.settle: unknown key"));
}

TEST(Config, TransferWorkersDefaultToTheCoresAndAreCappedByTransferWorkers) {
  EXPECT_EQ(parse_config(valid, "/x/c.yaml").transfer_workers, 0u);  // 0: every usable core
  EXPECT_EQ(parse_config(valid + "transfer: {workers: 6}\n", "/x/c.yaml").transfer_workers, 6u);
  EXPECT_EQ(error_of(valid + "transfer: {workers: 0}\n"),
            "/etc/rawbackup/test.yaml: transfer.workers: must be between 1 and 1024, got 0");
  EXPECT_THAT(error_of(valid + "transfer: {threads: 5}\n"), ::testing::HasSubstr("transfer.threads: unknown key"));
}

TEST(Config, ServeAgeThresholdsDefaultTo2And8HoursAndMustGrow) {
  Config defaults = parse_config(valid, "/x/c.yaml");
  EXPECT_EQ(defaults.age_warn_hours, 2);
  EXPECT_EQ(defaults.age_alert_hours, 8);
  Config set = parse_config(valid + "serve: {age_warn_hours: 4, age_alert_hours: 24}\n", "/x/c.yaml");
  EXPECT_EQ(set.age_warn_hours, 4);
  EXPECT_EQ(set.age_alert_hours, 24);
  EXPECT_EQ(error_of(valid + "serve: {age_warn_hours: 9}\n"),
            "/etc/rawbackup/test.yaml: serve.age_alert_hours: must be more than serve.age_warn_hours (9)");
  EXPECT_THAT(error_of(valid + "serve: {age_warn_hours: 0}\n"), ::testing::HasSubstr("between 1 and 8760"));
  EXPECT_THAT(error_of(valid + "serve: {port: 1}\n"), ::testing::HasSubstr("serve.port: unknown key"));
}

TEST(Config, ProjectPatternMustCompileAndCapture) {
  EXPECT_THAT(error_of(replaced(valid, "_(PRID\\\\d+)_", "_(PRID")),
              ::testing::HasSubstr("project_pattern: is not a valid regular expression"));
  EXPECT_THAT(error_of(replaced(valid, "_(PRID\\\\d+)_", "_PRID\\\\d+_")),
              ::testing::HasSubstr("project_pattern: needs a capture group"));
}

TEST(Config, EndpointNeedsAScheme) {
  EXPECT_THAT(error_of(replaced(valid, "endpoint_url: null", "endpoint_url: localhost:9000")),
              ::testing::HasSubstr("backup.s3.endpoint_url: must start with http"));
  // The scheme in any case and a path, as the SDKs take them.
  Config upper =
      parse_config(replaced(valid, "endpoint_url: null", "endpoint_url: HTTPS://S3.Example.org/s3/"), "/etc/r.yaml");
  EXPECT_EQ(upper.s3->endpoint_url, "HTTPS://S3.Example.org/s3/");
}

TEST(Config, InstrumentIdsAreSafePathComponents) {
  EXPECT_THAT(error_of(replaced(valid, "astral1:", "\"../x\":")), ::testing::HasSubstr("instrument ids may use"));
  EXPECT_THAT(
      error_of(replaced(valid,
                        "  astral1: {type: thermo, path: /data/instruments/astral1}\n  timstof1: {type: bruker, path: "
                        "instruments/timstof1}\n  zenotof1: {type: sciex, path: /data/instruments/zenotof1}\n",
                        "  {}\n")),
      ::testing::HasSubstr("instruments"));
}

TEST(Config, InvalidYamlNamesTheLine) {
  EXPECT_THAT(error_of("store:\n  path: [unclosed\n"), ::testing::HasSubstr("/etc/rawbackup/test.yaml: line"));
  EXPECT_EQ(error_of(""), "/etc/rawbackup/test.yaml: the file is empty");
}

TEST(Config, MissingFileIsAUsageError) { EXPECT_THROW(load_config("/nonexistent/rawbackup.yaml"), UsageError); }

TEST(Config, UnknownInstrumentListsTheKnownOnes) {
  Config c = parse_config(valid, "/etc/rawbackup/test.yaml");
  try {
    c.instrument("orbi9");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("astral1, timstof1, zenotof1"));
  }
}

TEST(Config, ShippedExampleConfigsLoad) {
  for (const char* name : {"envs/demo.yaml", "envs/local.yaml", "envs/s3.yaml", "packaging/config.yaml"}) {
    EXPECT_NO_THROW(load_config(std::string(RAWBACKUP_SOURCE_DIR) + "/" + name)) << name;
  }
}

}  // namespace
}  // namespace rawbackup
