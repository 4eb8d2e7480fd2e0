// Where S3 credentials come from, in the AWS SDKs' order, and keeping temporary ones fresh:
// the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), web
// identity, the profile (its role, static keys or credential_process: profile_credentials.h),
// container credentials, EC2 instance metadata (platform_credentials.h). Secrets never reach a
// log or an error: providers are named, not shown.
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/s3/aws_config.h"
#include "storage/s3/sigv4.h"

namespace rawbackup::s3 {

using WallClock = std::chrono::system_clock;

struct TimedCredentials {
  Credentials credentials;
  std::optional<WallClock::time_point> expiration;  // none: valid until replaced
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // For logs and doctor: "environment", "profile default (static keys in ~/.aws/credentials)".
  virtual std::string name() const = 0;
  // Kind failed when they cannot be had now (a credential_process that fails, a bad reply).
  virtual Result<TimedCredentials> fetch() = 0;
};

// Fixed keys (environment, profile, tests).
std::unique_ptr<CredentialsProvider> static_credentials(Credentials credentials, std::string name);

// Runs `command` with /bin/sh and reads the JSON it prints ({"Version": 1, "AccessKeyId",
// "SecretAccessKey", "SessionToken", "Expiration"}), as awscli's credential_process does.
std::unique_ptr<CredentialsProvider> process_credentials(std::string command, std::string profile);

// An expiration as AWS services write it: "2026-11-23T03:00:00Z" (fractional seconds and a
// "+00:00" offset allowed); nullopt for anything else.
std::optional<WallClock::time_point> parse_aws_time(const std::string& text);

// The JSON a credential_process prints. Kind failed naming what is wrong, never the values.
Result<TimedCredentials> parse_process_output(const std::string& output);

// Credentials shared by every request of a client: fetched once, fetched again shortly
// before they expire (5 minutes, or half their lifetime when that is shorter) or after
// invalidate() (an ExpiredToken reply). Thread-safe: one fetch at a time, others wait.
class RefreshingCredentials {
 public:
  explicit RefreshingCredentials(std::unique_ptr<CredentialsProvider> provider,
                                 std::function<WallClock::time_point()> now = WallClock::now);
  Result<Credentials> get();
  void invalidate();
  std::string provider_name() const { return provider_->name(); }

 private:
  std::unique_ptr<CredentialsProvider> provider_;
  std::function<WallClock::time_point()> now_;
  std::mutex mutex_;
  std::optional<TimedCredentials> current_;
  WallClock::time_point refresh_at_{};
};

// The first provider of the SDKs' chain that is configured: environment, web identity, the
// profile (role, static keys, credential_process), container, EC2 instance metadata (asked now, as
// it cannot be seen otherwise; the others are not fetched here). nullptr when none; `tried`
// lists what was looked at, for the one-line error.
struct CredentialsChoice {
  std::unique_ptr<CredentialsProvider> provider;
  std::vector<std::string> tried;
};
class HttpClient;
struct ChainContext {
  std::string region;                                    // for STS's regional endpoint
  std::function<std::unique_ptr<HttpClient>()> connect;  // empty: no platform providers (tests)
};
// Kind usage for a profile whose credentials cannot work (profile_credentials.h).
Result<CredentialsChoice> choose_credentials(const AwsProfile& profile, const ChainContext& context = {});

}  // namespace rawbackup::s3
