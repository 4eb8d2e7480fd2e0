// The S3 client over a scripted HttpClient: addressing, signed headers, retries, errors.
#include "storage/s3/client.h"
#include "storage/retrying_object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "error_of.h"
#include "fakes/scripted_http.h"
#include "integrity/md5.h"
#include "scoped_env.h"

namespace rawbackup::s3 {
namespace {

std::string error_xml(const std::string& code) {
  return "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>m</Message></Error>";
}

class Client : public ::testing::Test {
 protected:
  Client() {
    http = &scripted;
    S3ClientOptions options;
    options.region = "us-east-1";
    options.endpoint = parse_endpoint("http://127.0.0.1:9000", "us-east-1");
    options.credentials =
        std::make_shared<RefreshingCredentials>(static_credentials({"AKIDEXAMPLE", "secret-never-sent", ""}, "test"));
    // As connect_s3 makes it: the client inside the retry wrapper.
    client = std::make_unique<RetryingObjectStore>(std::make_unique<S3Client>(options, connect_to(http)),
                                                   RetryPolicy{.base_delay = std::chrono::milliseconds(1)});
  }
  ScriptedHttp scripted;
  ScriptedHttp* http;
  std::unique_ptr<ObjectStore> client;
};

TEST_F(Client, PutIsPathStyleSignedAndCarriesContentMd5) {
  http->replies.push_back(reply(200, "", {{"etag", "\"5d41402abc4b2a76b9719d911017c592\""}}));
  auto etag = client->put_object("bucket", "dir one/ü.raw", text_body("hello"));
  ASSERT_TRUE(etag);
  EXPECT_EQ(etag->etag, "5d41402abc4b2a76b9719d911017c592");
  const HttpRequest& r = http->sent.at(0);
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/bucket/dir%20one/%C3%BC.raw");
  EXPECT_EQ(header(r, "host"), "127.0.0.1:9000");
  EXPECT_EQ(header(r, "content-md5"), "XUFAKrxLKna5cZ2REBfFkg==");
  EXPECT_EQ(header(r, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  std::string auth = header(r, "Authorization");
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")) << auth;
  EXPECT_THAT(auth, ::testing::HasSubstr(
                        "/us-east-1/s3/aws4_request, SignedHeaders=content-md5;host;x-amz-content-sha256;x-amz-date"))
      << auth;
  EXPECT_THAT(auth, ::testing::Not(::testing::HasSubstr("secret-never-sent")));
}

TEST_F(Client, QueriesAreCanonical) {
  http->replies.push_back(
      reply(200, "<InitiateMultipartUploadResult><UploadId>2~x/y</UploadId></InitiateMultipartUploadResult>"));
  http->replies.push_back(reply(200, "", {{"etag", "\"e\""}}));
  auto id = client->create_multipart_upload("b", "k");
  ASSERT_TRUE(id);
  EXPECT_EQ(http->sent[0].url, "http://127.0.0.1:9000/b/k?uploads=");
  ASSERT_TRUE(client->upload_part("b", "k", *id, 7, text_body("x")));
  EXPECT_EQ(http->sent[1].url, "http://127.0.0.1:9000/b/k?partNumber=7&uploadId=2~x%2Fy");
}

TEST_F(Client, TransientErrorsAreRetriedThenSucceed) {
  http->replies.push_back(reply(500, error_xml("InternalError")));
  http->replies.push_back(reply(503, error_xml("SlowDown")));
  http->replies.push_back(std::unexpected(TransportError{TransportError::Cause::network, "Connection reset"}));
  http->replies.push_back(reply(200, "", {{"etag", "\"abc\""}}));
  auto etag = client->put_object("b", "k", text_body("x"));
  ASSERT_TRUE(etag) << describe(etag.error());
  EXPECT_EQ(http->sent.size(), 4U);
  EXPECT_NE(header(http->sent[0], "x-amz-date"), "");  // each attempt signed anew
}

TEST_F(Client, RetriesAreBounded) {
  for (int i = 0; i < 5; ++i) http->replies.push_back(reply(500, error_xml("InternalError")));
  auto etag = client->put_object("b", "k", text_body("x"));
  ASSERT_FALSE(etag);
  EXPECT_EQ(etag.error().code, "InternalError");
  EXPECT_EQ(http->sent.size(), 5U);
}

TEST_F(Client, PermanentErrorsAreNotRetried) {
  http->replies.push_back(reply(400, error_xml("BadDigest")));
  http->replies.push_back(std::unexpected(TransportError{TransportError::Cause::body_read, "disk error"}));
  EXPECT_EQ(error_of(client->put_object("b", "k", text_body("x"))).code, "BadDigest");
  EXPECT_EQ(error_of(client->put_object("b", "k", text_body("x"))).origin, S3ErrorOrigin::local_read);
  EXPECT_EQ(http->sent.size(), 2U);
}

TEST_F(Client, HeadBucketNamesTheErrorThatHeadCannotCarry) {
  http->replies.push_back(reply(404));
  EXPECT_EQ(error_of(client->head_bucket("b")).code, "NoSuchBucket");
  http->replies.push_back(reply(403));
  http->replies.push_back(reply(403, error_xml("SignatureDoesNotMatch")));
  EXPECT_EQ(error_of(client->head_bucket("b")).code, "SignatureDoesNotMatch");
  EXPECT_EQ(http->sent.back().url, "http://127.0.0.1:9000/b?list-type=2&max-keys=0");
}

TEST_F(Client, HeadObjectMissingIsNoObject) {
  http->replies.push_back(reply(404));
  http->replies.push_back(reply(200, "", {{"content-length", "12"}, {"etag", "\"a-2\""}}));
  EXPECT_FALSE(*client->head_object("b", "k"));
  auto info = client->head_object("b", "k");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->size, 12U);
  EXPECT_EQ((*info)->etag, "a-2");
}

// A garbled Content-Length is an error reply, not an exception (std::stoull threw here).
TEST_F(Client, HeadObjectWithAGarbledLengthIsAnError) {
  http->replies.push_back(reply(200, "", {{"content-length", "twelve"}, {"etag", "\"a\""}}));
  auto info = client->head_object("b", "k");
  ASSERT_FALSE(info);
  EXPECT_THAT(info.error().message, ::testing::HasSubstr("HEAD without a Content-Length"));
}

TEST_F(Client, CompleteReplyCarryingAnErrorIsRetried) {
  http->replies.push_back(reply(200, error_xml("InternalError")));
  http->replies.push_back(
      reply(200, "<CompleteMultipartUploadResult><ETag>\"x-1\"</ETag></CompleteMultipartUploadResult>"));
  auto etag = client->complete_multipart_upload("b", "k", "id", {{1, "e", 1}});
  ASSERT_TRUE(etag) << describe(etag.error());
  EXPECT_EQ(*etag, "x-1");
  EXPECT_EQ(http->sent.size(), 2U);
}

// A bucket in another region: one line naming it, not retried (301 to HEAD names it in a
// header; other requests in <Region>).
TEST_F(Client, ABucketInAnotherRegionIsNamedNotRetried) {
  http->replies.push_back(reply(301, "", {{"x-amz-bucket-region", "eu-west-1"}}));
  auto head = client->head_bucket("b");
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().code, "WrongRegion");
  EXPECT_EQ(head.error().message,
            "bucket b is in region eu-west-1, not us-east-1: set backup.s3.region (or AWS_REGION) to eu-west-1");
  http->replies.push_back(reply(400,
                                "<Error><Code>AuthorizationHeaderMalformed</Code><Message>m</Message>"
                                "<Region>ap-south-1</Region></Error>"));
  auto put = client->put_object("b", "k", text_body("x"));
  ASSERT_FALSE(put);
  EXPECT_THAT(put.error().message, ::testing::HasSubstr("is in region ap-south-1"));
  EXPECT_EQ(http->sent.size(), 2U);
}

// Temporary credentials revoked or expired early: fetched again, the request sent once more.
TEST_F(Client, ExpiredTokenIsRetriedOnceWithFreshCredentials) {
  http->replies.push_back(reply(400, error_xml("ExpiredToken")));
  http->replies.push_back(reply(200, "", {{"etag", "\"e\""}}));
  ASSERT_TRUE(client->put_object("b", "k", text_body("x")));
  EXPECT_EQ(http->sent.size(), 2U);
  http->replies.push_back(reply(400, error_xml("ExpiredToken")));
  http->replies.push_back(reply(400, error_xml("ExpiredToken")));
  auto twice = client->put_object("b", "k", text_body("x"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, "ExpiredToken");
  EXPECT_EQ(http->sent.size(), 4U);  // not retried further: 400 is permanent
}

TEST_F(Client, SkewedClockIsCorrectedFromTheServersDate) {
  std::time_t later = std::time(nullptr) + 3600;
  std::tm tm{};
  gmtime_r(&later, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  http->replies.push_back(reply(403, error_xml("RequestTimeTooSkewed"), {{"date", date}}));
  http->replies.push_back(reply(200, "", {{"etag", "\"e\""}}));
  ASSERT_TRUE(client->put_object("b", "k", text_body("x")));
  // x-amz-date (20261204T203015Z) as seconds; compared with the server's clock within S3's
  // own tolerance (15 min), not to the hour, which a run across an hour boundary would fail.
  auto seconds_of = [](const std::string& amz_date) {
    std::tm parsed{};
    EXPECT_NE(strptime(amz_date.c_str(), "%Y%m%dT%H%M%SZ", &parsed), nullptr) << amz_date;
    return timegm(&parsed);
  };
  std::time_t first = seconds_of(header(http->sent[0], "x-amz-date"));
  std::time_t second = seconds_of(header(http->sent[1], "x-amz-date"));
  EXPECT_GT(std::abs(first - later), 15 * 60) << "the first request used the local clock";
  EXPECT_LE(std::abs(second - later), 15 * 60) << "the retry uses the server's clock";
}

TEST(Endpoint, AwsIsVirtualHostedCustomIsPathStyle) {
  S3Endpoint aws = parse_endpoint("", "eu-central-1");
  EXPECT_EQ(aws.scheme, "https");
  EXPECT_EQ(aws.host, "s3.eu-central-1.amazonaws.com");
  EXPECT_FALSE(aws.path_style);
  S3Endpoint custom = parse_endpoint("https://s3.example.org:443/", "r");
  EXPECT_EQ(custom.host, "s3.example.org");
  EXPECT_TRUE(custom.path_style);
  EXPECT_EQ(parse_endpoint("http://[::1]:8080", "r").host, "[::1]:8080");
  EXPECT_THROW(parse_endpoint("ftp://x", "r"), UsageError);
  EXPECT_THROW(parse_endpoint("http://x?query", "r"), UsageError);
  EXPECT_THROW(parse_endpoint("http://x/a/../b", "r"), UsageError);
  EXPECT_THROW(parse_endpoint("http://x/a#f", "r"), UsageError);
}

// As the SDKs read an endpoint URL: scheme and host in any case, and a path kept.
TEST(Endpoint, UpperCaseSchemeAndAPathAreTheSdksForm) {
  S3Endpoint upper = parse_endpoint("HTTPS://S3.Example.ORG:443", "r");
  EXPECT_EQ(upper.scheme, "https");
  EXPECT_EQ(upper.host, "s3.example.org");
  EXPECT_EQ(upper.base_path, "");
  S3Endpoint prefixed = parse_endpoint("Http://gw.example.org:8080/storage/s3/", "r");
  EXPECT_EQ(prefixed.scheme, "http");
  EXPECT_EQ(prefixed.host, "gw.example.org:8080");
  EXPECT_EQ(prefixed.base_path, "/storage/s3");
}

// The endpoint's path goes before the bucket and key, and the signature covers it: a gateway
// under a prefix sees (and checks) the whole path.
TEST(Endpoint, APathPrefixesEveryRequestAndIsSigned) {
  ScriptedHttp scripted;
  ScriptedHttp* http = &scripted;
  auto credentials = std::make_shared<RefreshingCredentials>(static_credentials({"AK", "SK", ""}, "test"));
  S3Client client({parse_endpoint("http://127.0.0.1:9000/s3/", "us-east-1"), "us-east-1", credentials},
                  connect_to(http));
  EXPECT_EQ(client.endpoint(), "http://127.0.0.1:9000/s3");
  http->replies.push_back(reply(200, "", {{"etag", "\"5d41402abc4b2a76b9719d911017c592\""}}));
  ASSERT_TRUE(client.put_object("bucket", "a b.raw", text_body("hello")));
  const HttpRequest& r = http->sent.at(0);
  EXPECT_EQ(r.url, "http://127.0.0.1:9000/s3/bucket/a%20b.raw");
  // The same request signed over the whole path gives the Authorization sent.
  Headers signed_headers;
  for (const auto& [name, value] : r.headers) {
    if (name != "Authorization") signed_headers.emplace_back(name, value);
  }
  auto keys = credentials->get();
  ASSERT_TRUE(keys);
  Signature expected = sign_v4({"PUT", "/s3/bucket/a%20b.raw", "", signed_headers, "UNSIGNED-PAYLOAD"}, *keys,
                               {"us-east-1", "s3", header(r, "x-amz-date")}, false);
  EXPECT_EQ(header(r, "Authorization"), expected.authorization);

  S3Client virtual_hosted({{"https", "s3.example.org", "/s3", false}, "us-east-1", credentials}, connect_to(http));
  http->replies.push_back(reply(200, ""));
  ASSERT_TRUE(virtual_hosted.head_bucket("bucket"));
  EXPECT_EQ(http->sent.at(1).url, "https://bucket.s3.example.org/s3/");
}

TEST(Endpoint, VirtualHostedRequestsPutTheBucketInTheHost) {
  ScriptedHttp scripted;
  ScriptedHttp* http = &scripted;
  S3Client client({parse_endpoint("", "eu-central-1"), "eu-central-1",
                   std::make_shared<RefreshingCredentials>(static_credentials({"AK", "SK", "token"}, "test"))},
                  connect_to(http));
  http->replies.push_back(reply(404));
  (void)client.head_object("my-bucket", "a/b.raw");
  EXPECT_EQ(http->sent[0].url, "https://my-bucket.s3.eu-central-1.amazonaws.com/a/b.raw");
  EXPECT_EQ(header(http->sent[0], "x-amz-security-token"), "token");
}

TEST(Connect, MissingCredentialsIsOneLineBeforeAnyRequest) {
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", std::nullopt);
  ScopedEnv config_file("AWS_CONFIG_FILE", "/nonexistent/config");
  ScopedEnv credentials_file("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials");
  ScopedEnv no_instance("AWS_EC2_METADATA_DISABLED", "true");
  S3Config config{"us-east-1", "b", "http://127.0.0.1:1", 5 << 20};
  try {
    (void)connect_s3(config);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"));
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("tried: environment"));
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("profile default in /nonexistent/credentials"));
  }
}

TEST(Base64, ContentMd5Form) { EXPECT_EQ(hex_to_base64(md5_hex("")), "1B2M2Y8AsgTpgAmY7PhCfg=="); }

}  // namespace
}  // namespace rawbackup::s3
