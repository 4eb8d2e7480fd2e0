// Where S3 credentials come from (the chain) and how temporary ones are kept fresh.
#include "storage/s3/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "scoped_env.h"
#include "temp_dir.h"

namespace rawbackup::s3 {
namespace {

using std::chrono::seconds;

AwsProfile profile_with(std::map<std::string, std::string> values) {
  AwsProfile p;
  p.name = "lab";
  p.found = true;
  p.settings.values = std::move(values);
  p.config_path = "/c";
  p.credentials_path = "/k";
  return p;
}

TEST(CredentialsChain, EnvironmentBeatsTheProfile) {
  ScopedEnv key("AWS_ACCESS_KEY_ID", "ENVKEY");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "envsecret");
  auto choice = choose_credentials(profile_with({{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "SK"}}));
  ASSERT_TRUE(choice && choice->provider);
  EXPECT_EQ(choice->provider->name(), "environment");
  EXPECT_EQ(choice->provider->fetch()->credentials.access_key_id, "ENVKEY");
}

TEST(CredentialsChain, ProfileKeysThenCredentialProcessThenNothing) {
  ScopedEnv key("AWS_ACCESS_KEY_ID", std::nullopt);
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", std::nullopt);
  auto keys = choose_credentials(
      profile_with({{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "SK"}, {"aws_session_token", "T"}}));
  ASSERT_TRUE(keys && keys->provider);
  EXPECT_EQ(keys->provider->name(), "profile lab (static keys)");
  EXPECT_EQ(keys->provider->fetch()->credentials.session_token, "T");
  auto process = choose_credentials(profile_with({{"credential_process", "true"}}));
  ASSERT_TRUE(process && process->provider);
  EXPECT_EQ(process->provider->name(), "profile lab (credential_process)");
  auto none = choose_credentials(profile_with({{"region", "r"}}));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->provider);
  EXPECT_THAT(none->tried, ::testing::ElementsAre(::testing::HasSubstr("environment"),
                                                  ::testing::HasSubstr("profile lab in /k and /c")));
}

TEST(CredentialProcess, RunsTheCommandAndReadsItsJson) {
  TempDir dir;
  dir.write("vault.sh",
            "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AK\", \"SecretAccessKey\": \"SK\", "
            "\"SessionToken\": \"T\", \"Expiration\": \"2030-01-02T03:04:05Z\"}'\n");
  auto provider = process_credentials("sh " + (dir.path() / "vault.sh").string(), "lab");
  auto got = provider->fetch();
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_key_id, "AK");
  EXPECT_EQ(got->credentials.session_token, "T");
  ASSERT_TRUE(got->expiration);
  EXPECT_EQ(WallClock::to_time_t(*got->expiration), 1893553445);
}

TEST(CredentialProcess, FailuresNameTheProfileNeverTheOutput) {
  auto failing = process_credentials("echo SECRETVALUE; exit 3", "lab")->fetch();
  ASSERT_FALSE(failing);
  EXPECT_EQ(failing.error().message, "credential_process of profile lab failed (exit 3)");
  auto garbled = process_credentials("echo '{\"Version\": 1, \"AccessKeyId\": \"SECRETVALUE\"}'", "lab")->fetch();
  ASSERT_FALSE(garbled);
  EXPECT_THAT(garbled.error().message, ::testing::HasSubstr("lacks AccessKeyId or SecretAccessKey"));
  EXPECT_THAT(garbled.error().message, ::testing::Not(::testing::HasSubstr("SECRETVALUE")));
  EXPECT_FALSE(parse_process_output("not json"));
  EXPECT_FALSE(parse_process_output(R"({"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"})"));
  EXPECT_FALSE(
      parse_process_output(R"({"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "soon"})"));
  auto fractional = parse_process_output(
      R"({"Version": 1, "AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "2030-01-02T03:04:05.123+00:00"})");
  ASSERT_TRUE(fractional);
  EXPECT_EQ(WallClock::to_time_t(*fractional->expiration), 1893553445);
}

// Counts fetches; each gives credentials valid for `lifetime` from the fake clock's now.
class Counting final : public CredentialsProvider {
 public:
  Counting(WallClock::time_point* now, seconds lifetime) : now_(now), lifetime_(lifetime) {}
  std::string name() const override { return "counting"; }
  Result<TimedCredentials> fetch() override {
    ++fetches;
    return TimedCredentials{{"AK" + std::to_string(fetches), "SK", "T"}, *now_ + lifetime_};
  }
  int fetches = 0;

 private:
  WallClock::time_point* now_;
  seconds lifetime_;
};

TEST(RefreshingCredentials, FetchedAgainBeforeTheyExpire) {
  WallClock::time_point now = WallClock::from_time_t(1'800'000'000);
  auto provider = std::make_unique<Counting>(&now, seconds(60));
  Counting* counting = provider.get();
  RefreshingCredentials credentials(std::move(provider), [&] { return now; });
  EXPECT_EQ(credentials.get()->access_key_id, "AK1");
  now += seconds(29);
  EXPECT_EQ(credentials.get()->access_key_id, "AK1");  // cached
  now += seconds(2);                                   // past half of a 60 s lifetime
  EXPECT_EQ(credentials.get()->access_key_id, "AK2");
  credentials.invalidate();  // an ExpiredToken reply
  EXPECT_EQ(credentials.get()->access_key_id, "AK3");
  EXPECT_EQ(counting->fetches, 3);
}

TEST(RefreshingCredentials, LongLivedOnesRefreshFiveMinutesBefore) {
  WallClock::time_point now = WallClock::from_time_t(1'800'000'000);
  auto provider = std::make_unique<Counting>(&now, seconds(3600));
  RefreshingCredentials credentials(std::move(provider), [&] { return now; });
  EXPECT_EQ(credentials.get()->access_key_id, "AK1");
  now += seconds(3600 - 301);
  EXPECT_EQ(credentials.get()->access_key_id, "AK1");
  now += seconds(2);
  EXPECT_EQ(credentials.get()->access_key_id, "AK2");
}

}  // namespace
}  // namespace rawbackup::s3
