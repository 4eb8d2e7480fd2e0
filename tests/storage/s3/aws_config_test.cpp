// The AWS shared config/credentials files, read as the SDKs read them.
#include "storage/s3/aws_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scoped_env.h"
#include "temp_dir.h"

namespace rawbackup::s3 {
namespace {

AwsIniFile parsed(const std::string& text, AwsFileKind kind) {
  auto file = parse_aws_ini(text, kind, "test");
  EXPECT_TRUE(file) << (file ? "" : file.error().message);
  return file ? *file : AwsIniFile{};
}

TEST(AwsConfig, ProfilesAreNamedDifferentlyInEachFile) {
  std::string text =
      "[default]\nregion = eu-west-1\n"
      "[profile lab]\nregion = eu-central-1\n"
      "[lab2]\nregion = us-east-1\n";
  AwsIniFile config = parsed(text, AwsFileKind::config);
  EXPECT_EQ(config.profiles.at("default").get("region"), "eu-west-1");
  EXPECT_EQ(config.profiles.at("lab").get("region"), "eu-central-1");
  EXPECT_FALSE(config.profiles.contains("lab2"));  // [NAME] without "profile" is ignored in config
  AwsIniFile credentials = parsed("[lab]\naws_access_key_id = AK\n[profile x]\na = b\n", AwsFileKind::credentials);
  EXPECT_EQ(credentials.profiles.at("lab").get("aws_access_key_id"), "AK");
  EXPECT_FALSE(credentials.profiles.contains("x"));
}

TEST(AwsConfig, CommentsFollowTheSdkRules) {
  AwsIniFile f = parsed(
      "# comment\n; another\n[profile a] # after the header\n"
      "region = eu-west-1 # trailing\n"
      "credential_process = /bin/vault#token;x ; comment\n",
      AwsFileKind::config);
  EXPECT_EQ(f.profiles.at("a").get("region"), "eu-west-1");
  // '#' and ';' start a comment only after whitespace
  EXPECT_EQ(f.profiles.at("a").get("credential_process"), "/bin/vault#token;x");
}

TEST(AwsConfig, NestedSectionsAndServices) {
  AwsIniFile f = parsed(
      "[profile a]\nservices = local\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 20\n"
      "region = r\n[services local]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n",
      AwsFileKind::config);
  EXPECT_EQ(f.profiles.at("a").get("s3.addressing_style"), "path");
  EXPECT_EQ(f.profiles.at("a").get("s3.max_concurrent_requests"), "20");
  EXPECT_EQ(f.profiles.at("a").get("region"), "r");
  EXPECT_EQ(f.services.at("local").get("s3.endpoint_url"), "http://127.0.0.1:9000");
}

TEST(AwsConfig, DuplicatesMergeAndPrefixedDefaultWins) {
  AwsIniFile f = parsed(
      "[profile a]\nregion = one\noutput = json\n[profile a]\nregion = two\n"
      "[profile default]\nregion = p\n[default]\nregion = plain\n",
      AwsFileKind::config);
  EXPECT_EQ(f.profiles.at("a").get("region"), "two");
  EXPECT_EQ(f.profiles.at("a").get("output"), "json");
  EXPECT_EQ(f.profiles.at("default").get("region"), "p");
}

TEST(AwsConfig, MalformedLinesNameFileAndLine) {
  auto f = parse_aws_ini("[default]\nregion eu-west-1\n", AwsFileKind::config, "/home/u/.aws/config");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::usage);
  EXPECT_THAT(f.error().message, ::testing::HasSubstr("/home/u/.aws/config:2: expected 'key = value'"));
  EXPECT_FALSE(parse_aws_ini("region = x\n", AwsFileKind::config, "c"));
  EXPECT_FALSE(parse_aws_ini("[default\n", AwsFileKind::config, "c"));
}

TEST(AwsConfig, ProfileMergesBothFilesCredentialsWin) {
  TempDir dir;
  dir.write("config",
            "[profile lab]\nregion = eu-central-1\naws_access_key_id = FROMCONFIG\nservices = s\n"
            "[services s]\ns3 =\n  endpoint_url = http://127.0.0.1:1\n");
  dir.write("credentials", "[lab]\naws_access_key_id = AK\naws_secret_access_key = SK\n");
  ScopedEnv config("AWS_CONFIG_FILE", (dir.path() / "config").string());
  ScopedEnv credentials("AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "credentials").string());
  auto profile = load_aws_profile("lab");
  ASSERT_TRUE(profile) << profile.error().message;
  EXPECT_TRUE(profile->found);
  EXPECT_EQ(profile->settings.get("aws_access_key_id"), "AK");
  EXPECT_EQ(profile->settings.get("region"), "eu-central-1");
  EXPECT_EQ(profile->services.get("s3.endpoint_url"), "http://127.0.0.1:1");
  auto missing = load_aws_profile("other");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->found);
}

TEST(AwsConfig, MissingFilesAreEmptyAndProfileNameFollowsTheEnvironment) {
  ScopedEnv config("AWS_CONFIG_FILE", "/nonexistent/config");
  ScopedEnv credentials("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
  auto profile = load_aws_profile("default");
  ASSERT_TRUE(profile);
  EXPECT_FALSE(profile->found);
  ScopedEnv chosen("AWS_PROFILE", "lab");
  EXPECT_EQ(aws_profile_name(""), "lab");
  EXPECT_EQ(aws_profile_name("cli"), "cli");
}

}  // namespace
}  // namespace rawbackup::s3
