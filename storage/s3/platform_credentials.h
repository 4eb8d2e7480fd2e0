// Credentials the platform hands out, all temporary (they carry an expiration and are fetched
// again before it, see RefreshingCredentials):
// - web identity (Kubernetes/EKS service accounts): AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN
//   [+ AWS_ROLE_SESSION_NAME], exchanged at STS (AssumeRoleWithWebIdentity, at sts_endpoint());
// - container (ECS, EKS Pod Identity): AWS_CONTAINER_CREDENTIALS_FULL_URI or
//   http://169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, with
//   AWS_CONTAINER_AUTHORIZATION_TOKEN or the token in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE;
// - EC2 instance metadata, IMDSv2 (a session token PUT, then GETs): AWS_EC2_METADATA_SERVICE_ENDPOINT,
//   else http://169.254.169.254; off with AWS_EC2_METADATA_DISABLED=true.
// Replies are parsed without ever putting a secret into an error.
#pragma once
#include <memory>
#include <string>

#include "storage/s3/credentials.h"
#include "storage/s3/http.h"

namespace rawbackup::s3 {

using HttpConnect = std::function<std::unique_ptr<HttpClient>()>;

// STS's endpoint as the SDKs choose it: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's
// services section (sts.endpoint_url), its endpoint_url, else https://sts.<region>.amazonaws.com
// (no trailing '/').
std::string sts_endpoint(const AwsProfile& profile, const std::string& region);

// From the environment, exchanged at `sts` (an sts_endpoint()); nullptr when the variables are
// not set.
std::unique_ptr<CredentialsProvider> web_identity_credentials(const std::string& sts, HttpConnect connect);
// The same from a profile's web_identity_token_file and role_arn.
std::unique_ptr<CredentialsProvider> web_identity_provider(std::string token_file, std::string role,
                                                           std::string session, std::string sts, HttpConnect connect);
// The session name sent to STS: the configured one, else "rawbackup-<host>".
std::string role_session_name(const std::string& configured);
std::unique_ptr<CredentialsProvider> container_credentials(HttpConnect connect);
// nullptr when disabled; the instance is asked only when credentials are fetched.
std::unique_ptr<CredentialsProvider> instance_credentials(HttpConnect connect);

// The JSON of the container and instance endpoints: AccessKeyId, SecretAccessKey, Token,
// Expiration.
Result<TimedCredentials> parse_platform_json(const std::string& body);
// STS's AssumeRoleWithWebIdentity (or AssumeRole) reply.
Result<TimedCredentials> parse_sts_reply(const std::string& body);

// One request of a credentials provider (Host added from the URL unless given). Kind failed
// naming `what`, the URL and the HTTP status (with STS's error code): never a reply's body.
Result<HttpResponse> provider_call(const HttpConnect& connect, const std::string& method, const std::string& url,
                                   Headers headers, const std::string& what, const Body* body = nullptr);
// host[:port] of an http(s) URL, for the Host header.
std::string host_of(const std::string& url);

// The HTTP client these providers use: short timeouts (a host without the service answers
// nothing), the given CA bundle.
HttpConnect platform_http(const std::string& ca_bundle);

}  // namespace rawbackup::s3
