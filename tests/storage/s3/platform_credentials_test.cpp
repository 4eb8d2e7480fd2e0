// Platform credentials (web identity, container, EC2 instance metadata): their replies and
// the requests they make, against a scripted HTTP client.
#include "storage/s3/platform_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/scripted_http.h"
#include "scoped_env.h"
#include "temp_dir.h"

namespace rawbackup::s3 {
namespace {

const char* json = R"({"Code": "Success", "AccessKeyId": "AK", "SecretAccessKey": "SK", "Token": "T",
                       "Expiration": "2030-01-02T03:04:05Z"})";

TEST(PlatformCredentials, InstanceMetadataTakesASessionTokenFirst) {
  ScopedEnv endpoint("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/");
  ScopedEnv enabled("AWS_EC2_METADATA_DISABLED", std::nullopt);
  ScriptedHttp script;
  script.replies = {reply(200, "session"), reply(200, "role-a\nrole-b"), reply(200, json)};
  auto provider = instance_credentials(connect_to(&script));
  ASSERT_TRUE(provider);
  auto got = provider->fetch();
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.session_token, "T");
  ASSERT_EQ(script.sent.size(), 3U);
  EXPECT_EQ(script.sent[0].method, "PUT");
  EXPECT_EQ(script.sent[0].url, "http://127.0.0.1:9/latest/api/token");
  EXPECT_EQ(header(script.sent[0], "x-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(script.sent[2].url, "http://127.0.0.1:9/latest/meta-data/iam/security-credentials/role-a");
  EXPECT_EQ(header(script.sent[2], "x-aws-ec2-metadata-token"), "session");
}

TEST(PlatformCredentials, InstanceMetadataCanBeTurnedOff) {
  ScopedEnv disabled("AWS_EC2_METADATA_DISABLED", "TRUE");
  ScriptedHttp script;
  EXPECT_FALSE(instance_credentials(connect_to(&script)));
}

TEST(PlatformCredentials, ContainerSendsTheTokenFromItsFile) {
  TempDir dir;
  dir.write("token", "secret-token\n");
  ScopedEnv full("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds");
  ScopedEnv token("AWS_CONTAINER_AUTHORIZATION_TOKEN", std::nullopt);
  ScopedEnv token_file("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", (dir.path() / "token").string());
  ScriptedHttp script;
  script.replies = {reply(200, json)};
  auto provider = container_credentials(connect_to(&script));
  ASSERT_TRUE(provider);
  ASSERT_TRUE(provider->fetch());
  EXPECT_EQ(header(script.sent.at(0), "Authorization"), "secret-token");
  script.replies = {reply(403, "{}")};
  auto refused = provider->fetch();
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, ::testing::HasSubstr("HTTP 403 from http://127.0.0.1:9/creds"));
  EXPECT_THAT(refused.error().message, ::testing::Not(::testing::HasSubstr("secret-token")));
}

TEST(PlatformCredentials, WebIdentityPostsTheTokenToSts) {
  TempDir dir;
  dir.write("token", "jwt-token");
  ScopedEnv file("AWS_WEB_IDENTITY_TOKEN_FILE", (dir.path() / "token").string());
  ScopedEnv role("AWS_ROLE_ARN", "arn:aws:iam::1:role/r");
  ScopedEnv session("AWS_ROLE_SESSION_NAME", "s");
  ScopedEnv sts("AWS_ENDPOINT_URL_STS", std::nullopt);
  ScopedEnv any("AWS_ENDPOINT_URL", std::nullopt);
  ScriptedHttp script;
  script.replies = {reply(200, sts_reply("AssumeRoleWithWebIdentity", "AK", "SK", "T"))};
  auto provider = web_identity_credentials(sts_endpoint(AwsProfile{}, "eu-central-1"), connect_to(&script));
  ASSERT_TRUE(provider);
  auto got = provider->fetch();
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->credentials.access_key_id, "AK");
  const HttpRequest& r = script.sent.at(0);
  EXPECT_EQ(r.url, "https://sts.eu-central-1.amazonaws.com/");
  EXPECT_EQ(script.bodies.at(0),
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr"
            "&RoleSessionName=s&WebIdentityToken=jwt-token");
}

TEST(PlatformCredentials, RepliesWithoutKeysOrTimesAreErrors) {
  EXPECT_FALSE(parse_platform_json("nope"));
  EXPECT_FALSE(parse_platform_json(R"({"Code": "Failure"})"));
  EXPECT_FALSE(parse_platform_json(R"({"AccessKeyId": "a", "SecretAccessKey": "b", "Expiration": "x"})"));
  EXPECT_TRUE(parse_platform_json(R"({"AccessKeyId": "a", "SecretAccessKey": "b"})"));
  EXPECT_FALSE(parse_sts_reply("<x/>"));
  EXPECT_FALSE(parse_sts_reply("<R><Credentials><AccessKeyId>a</AccessKeyId></Credentials></R>"));
}

}  // namespace
}  // namespace rawbackup::s3
