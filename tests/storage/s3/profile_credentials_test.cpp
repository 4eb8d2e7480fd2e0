// Profiles that assume a role (role_arn with source_profile, credential_source or
// web_identity_token_file), static keys and credential_process, against shared files in a
// temporary folder and a scripted STS.
#include "storage/s3/profile_credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "error_of.h"
#include "fakes/scripted_http.h"
#include "scoped_env.h"
#include "storage/s3/platform_credentials.h"
#include "temp_dir.h"

namespace rawbackup::s3 {
namespace {

using ::testing::HasSubstr;

TEST(AssumeRoleCall, IsAFormPostSignedForSts) {
  RoleRequest role{"arn:aws:iam::123456789012:role/backup", "nightly"};
  Credentials source{"SRC", "srcsecret", "SRCTOKEN"};
  StsCall call = assume_role_call(role, source, "https://sts.eu-central-1.amazonaws.com", "eu-central-1",
                                  1795403045);  // 2026-11-23T03:04:05Z
  EXPECT_EQ(call.url, "https://sts.eu-central-1.amazonaws.com/");
  EXPECT_EQ(call.form,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fbackup"
            "&RoleSessionName=nightly");
  HttpRequest as_sent{"POST", call.url, call.headers};
  EXPECT_EQ(header(as_sent, "x-amz-date"), "20261123T030405Z");
  EXPECT_EQ(header(as_sent, "x-amz-security-token"), "SRCTOKEN");
  // The signature computed independently (Python's hmac over the canonical request).
  EXPECT_EQ(header(as_sent, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=SRC/20261123/eu-central-1/sts/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
            "Signature=aedc33b34f596f0de9aa71d5259e4da13022907dda5328d3ef0b9a4ecfad1e9b");
}

TEST(AssumeRoleCall, SendsExternalIdAndDurationWhenSet) {
  RoleRequest role{"arn:aws:iam::1:role/r", "s", "ext 1", 900};
  StsCall call = assume_role_call(role, {"SRC", "s", ""}, "http://127.0.0.1:9/sts", "r", 0);
  EXPECT_EQ(call.url, "http://127.0.0.1:9/sts/");
  EXPECT_THAT(call.form, HasSubstr("&ExternalId=ext%201&DurationSeconds=900"));
  EXPECT_EQ(header(HttpRequest{"POST", call.url, call.headers}, "x-amz-security-token"), "");
}

// Shared files in a temporary folder, a scripted STS, no environment credentials.
class ProfileCredentials : public ::testing::Test {
 protected:
  void files(const std::string& config, const std::string& credentials = "") {
    dir_.write("config", config);
    dir_.write("credentials", credentials);
  }
  Result<std::unique_ptr<CredentialsProvider>> provider(const std::string& name) {
    auto profile = load_aws_profile(name);
    if (!profile) return std::unexpected(profile.error());
    return profile_credentials(*profile, {"eu-central-1", connect_to(&sts_)});
  }

  TempDir dir_;
  ScopedEnv config_{"AWS_CONFIG_FILE", (dir_.path() / "config").string()};
  ScopedEnv credentials_{"AWS_SHARED_CREDENTIALS_FILE", (dir_.path() / "credentials").string()};
  ScopedEnv key_{"AWS_ACCESS_KEY_ID", std::nullopt};
  ScopedEnv secret_{"AWS_SECRET_ACCESS_KEY", std::nullopt};
  ScopedEnv sts_url_{"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/sts"};
  ScriptedHttp sts_;
};

TEST_F(ProfileCredentials, ARoleIsAssumedWithItsSourceProfilesKeys) {
  files(
      "[profile backup]\nrole_arn = arn:aws:iam::1:role/backup\nsource_profile = lab\nrole_session_name = nightly\n"
      "external_id = facility\nduration_seconds = 7200\naws_access_key_id = IGNORED\naws_secret_access_key = x\n",
      "[lab]\naws_access_key_id = LABKEY\naws_secret_access_key = labsecret\n");
  sts_.replies = {reply(200, sts_reply("AssumeRole", "ROLEKEY", "rolesecret", "roletoken"))};
  auto got = provider("backup");
  ASSERT_TRUE(got && *got) << error_of(got).message;
  EXPECT_EQ((*got)->name(), "profile backup (role arn:aws:iam::1:role/backup, as profile lab (static keys))");
  auto fetched = (*got)->fetch();
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->credentials.access_key_id, "ROLEKEY");
  EXPECT_EQ(fetched->credentials.session_token, "roletoken");
  EXPECT_TRUE(fetched->expiration);
  ASSERT_EQ(sts_.sent.size(), 1u);
  EXPECT_EQ(sts_.sent[0].url, "http://127.0.0.1:9/sts/");
  EXPECT_THAT(header(sts_.sent[0], "Authorization"), HasSubstr("Credential=LABKEY/"));
  EXPECT_THAT(sts_.bodies[0], HasSubstr("RoleSessionName=nightly&ExternalId=facility&DurationSeconds=7200"));
}

TEST_F(ProfileCredentials, ChainedRolesAskStsInTurn) {
  files(
      "[profile outer]\nrole_arn = arn:aws:iam::1:role/outer\nsource_profile = inner\n"
      "[profile inner]\nrole_arn = arn:aws:iam::1:role/inner\nsource_profile = lab\n",
      "[lab]\naws_access_key_id = LABKEY\naws_secret_access_key = labsecret\n");
  sts_.replies = {reply(200, sts_reply("AssumeRole", "INNERKEY", "s1", "t1")),
                  reply(200, sts_reply("AssumeRole", "OUTERKEY", "s2", "t2"))};
  auto got = provider("outer");
  ASSERT_TRUE(got && *got) << error_of(got).message;
  auto fetched = (*got)->fetch();
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->credentials.access_key_id, "OUTERKEY");
  ASSERT_EQ(sts_.sent.size(), 2u);
  EXPECT_THAT(header(sts_.sent[0], "Authorization"), HasSubstr("Credential=LABKEY/"));
  EXPECT_THAT(sts_.bodies[0], HasSubstr("role%2Finner"));
  EXPECT_THAT(header(sts_.sent[1], "Authorization"), HasSubstr("Credential=INNERKEY/"));
  EXPECT_EQ(header(sts_.sent[1], "x-amz-security-token"), "t1");
  EXPECT_THAT(sts_.bodies[1], HasSubstr("role%2Fouter"));
}

TEST_F(ProfileCredentials, AProfileThatIsItsOwnSourceUsesItsKeys) {
  files("[profile self]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = self\n",
        "[self]\naws_access_key_id = SELFKEY\naws_secret_access_key = s\n");
  sts_.replies = {reply(200, sts_reply("AssumeRole", "ROLEKEY", "s", "t"))};
  auto got = provider("self");
  ASSERT_TRUE(got && *got) << error_of(got).message;
  ASSERT_TRUE((*got)->fetch());
  EXPECT_THAT(header(sts_.sent.at(0), "Authorization"), HasSubstr("Credential=SELFKEY/"));
}

TEST_F(ProfileCredentials, CredentialSourceEnvironmentAndWebIdentityTokenFile) {
  dir_.write("token", "jwt");
  files(
      "[profile env]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n"
      "[profile k8s]\nrole_arn = arn:aws:iam::1:role/k\nweb_identity_token_file = " +
      (dir_.path() / "token").string() + "\n");
  ScopedEnv key("AWS_ACCESS_KEY_ID", "ENVKEY");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "envsecret");
  sts_.replies = {reply(200, sts_reply("AssumeRole", "A", "s", "t")),
                  reply(200, sts_reply("AssumeRoleWithWebIdentity", "B", "s", "t"))};
  auto env = provider("env");
  ASSERT_TRUE(env && *env) << error_of(env).message;
  ASSERT_TRUE((*env)->fetch());
  EXPECT_THAT(header(sts_.sent.at(0), "Authorization"), HasSubstr("Credential=ENVKEY/"));
  auto k8s = provider("k8s");
  ASSERT_TRUE(k8s && *k8s) << error_of(k8s).message;
  auto fetched = (*k8s)->fetch();
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(fetched->credentials.access_key_id, "B");
  EXPECT_THAT(sts_.bodies.at(1), HasSubstr("Action=AssumeRoleWithWebIdentity"));
  EXPECT_THAT(sts_.bodies.at(1), HasSubstr("WebIdentityToken=jwt"));
}

TEST_F(ProfileCredentials, ProfilesThatCannotWorkAreRefusedNamingWhatToChange) {
  files(
      "[profile none]\nrole_arn = r\n"
      "[profile two]\nrole_arn = r\nsource_profile = lab\ncredential_source = Environment\n"
      "[profile mfa]\nrole_arn = r\nsource_profile = lab\nmfa_serial = arn:aws:iam::1:mfa/me\n"
      "[profile odd]\nrole_arn = r\ncredential_source = Laptop\n"
      "[profile gone]\nrole_arn = r\nsource_profile = nowhere\n"
      "[profile empty]\nrole_arn = r\nsource_profile = bare\n[profile bare]\nregion = r\n"
      "[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n"
      "[profile long]\nrole_arn = r\nsource_profile = lab\nduration_seconds = 99999\n"
      "[profile unset]\nrole_arn = r\ncredential_source = Environment\n",
      "[lab]\naws_access_key_id = K\naws_secret_access_key = S\n");
  auto refusal = [&](const std::string& name) {
    auto got = provider(name);
    EXPECT_FALSE(got) << name;
    return got ? Error{} : got.error();
  };
  auto expect = [&](const std::string& name, const std::string& says) {
    Error e = refusal(name);
    EXPECT_EQ(e.kind, ErrorKind::usage) << name;
    EXPECT_THAT(e.message, HasSubstr("profile " + name + ": ")) << name;
    EXPECT_THAT(e.message, HasSubstr(says)) << name;
  };
  expect("none", "exactly one of source_profile, credential_source, web_identity_token_file");
  expect("two", "exactly one of");
  expect("mfa", "mfa_serial");
  expect("odd", "credential_source must be Environment, EcsContainer or Ec2InstanceMetadata, not 'Laptop'");
  expect("gone", "source_profile nowhere is in neither");
  expect("empty", "source_profile bare has no credentials");
  EXPECT_EQ(refusal("a").message, "profile b: source_profile loops: a → b → a");
  expect("long", "duration_seconds must be a whole number from 900 to 43200");
  expect("unset", "credential_source Environment is not set up on this host");
  EXPECT_TRUE(sts_.sent.empty());
}

TEST_F(ProfileCredentials, StaticKeysThenCredentialProcessThenNothing) {
  files(
      "[profile keys]\naws_access_key_id = K\naws_secret_access_key = S\n"
      "[profile process]\ncredential_process = true\n[profile bare]\nregion = r\n");
  EXPECT_EQ((*provider("keys"))->name(), "profile keys (static keys)");
  EXPECT_EQ((*provider("process"))->name(), "profile process (credential_process)");
  auto bare = provider("bare");
  ASSERT_TRUE(bare);
  EXPECT_FALSE(*bare);
}

TEST(StsEndpoint, FollowsTheSdksOrder) {
  AwsProfile profile;
  profile.settings.values = {{"endpoint_url", "http://profile"}};
  profile.services.values = {{"sts.endpoint_url", "http://service/"}};
  ScopedEnv sts("AWS_ENDPOINT_URL_STS", std::nullopt);
  ScopedEnv any("AWS_ENDPOINT_URL", std::nullopt);
  EXPECT_EQ(sts_endpoint(AwsProfile{}, "eu-west-1"), "https://sts.eu-west-1.amazonaws.com");
  EXPECT_EQ(sts_endpoint(profile, "r"), "http://service");
  profile.services.values.clear();
  EXPECT_EQ(sts_endpoint(profile, "r"), "http://profile");
  ScopedEnv global("AWS_ENDPOINT_URL", "http://global");
  EXPECT_EQ(sts_endpoint(profile, "r"), "http://global");
  ScopedEnv specific("AWS_ENDPOINT_URL_STS", "http://specific/");
  EXPECT_EQ(sts_endpoint(profile, "r"), "http://specific");
}

}  // namespace
}  // namespace rawbackup::s3
