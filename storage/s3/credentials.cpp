#include "storage/s3/credentials.h"

#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "common/system.h"
#include "storage/s3/platform_credentials.h"
#include "storage/s3/profile_credentials.h"

namespace rawbackup::s3 {
namespace {

class StaticProvider final : public CredentialsProvider {
 public:
  StaticProvider(Credentials credentials, std::string name)
      : credentials_(std::move(credentials)), name_(std::move(name)) {}
  std::string name() const override { return name_; }
  Result<TimedCredentials> fetch() override { return TimedCredentials{credentials_, std::nullopt}; }

 private:
  Credentials credentials_;
  std::string name_;
};

class ProcessProvider final : public CredentialsProvider {
 public:
  ProcessProvider(std::string command, std::string profile)
      : command_(std::move(command)), profile_(std::move(profile)) {}
  std::string name() const override { return "profile " + profile_ + " (credential_process)"; }
  Result<TimedCredentials> fetch() override {
    std::FILE* pipe = popen(command_.c_str(), "r");
    if (pipe == nullptr) return fail("credential_process of profile " + profile_ + " could not be started");
    std::string output;
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
    int status = pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      int code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      return fail("credential_process of profile " + profile_ + " failed (exit " + std::to_string(code) + ")");
    }
    auto parsed = parse_process_output(output);
    if (!parsed) return fail("credential_process of profile " + profile_ + ": " + parsed.error().message);
    return parsed;
  }

 private:
  std::string command_;
  std::string profile_;
};

}  // namespace

// "2026-11-23T03:00:00Z", with fractional seconds or a "+00:00" offset.
std::optional<WallClock::time_point> parse_aws_time(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  if (*rest == '.') {
    ++rest;
    while (std::isdigit(static_cast<unsigned char>(*rest))) ++rest;
  }
  std::string zone(rest);
  if (zone != "Z" && zone != "+00:00" && zone != "+0000" && !zone.empty()) return std::nullopt;
  return WallClock::from_time_t(timegm(&tm));
}

std::unique_ptr<CredentialsProvider> static_credentials(Credentials credentials, std::string name) {
  return std::make_unique<StaticProvider>(std::move(credentials), std::move(name));
}

std::unique_ptr<CredentialsProvider> process_credentials(std::string command, std::string profile) {
  return std::make_unique<ProcessProvider>(std::move(command), std::move(profile));
}

Result<TimedCredentials> parse_process_output(const std::string& output) {
  nlohmann::json j = nlohmann::json::parse(output, nullptr, false);
  if (!j.is_object()) return fail("its output is not a JSON object");
  if (j.value("Version", 0) != 1) return fail("its output has no \"Version\": 1");
  auto text = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  TimedCredentials out;
  out.credentials = {text("AccessKeyId"), text("SecretAccessKey"), text("SessionToken")};
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty()) {
    return fail("its output lacks AccessKeyId or SecretAccessKey");
  }
  if (std::string expiration = text("Expiration"); !expiration.empty()) {
    out.expiration = parse_aws_time(expiration);
    if (!out.expiration) return fail("its Expiration is not an ISO 8601 UTC time");
  }
  return out;
}

RefreshingCredentials::RefreshingCredentials(std::unique_ptr<CredentialsProvider> provider,
                                             std::function<WallClock::time_point()> now)
    : provider_(std::move(provider)), now_(std::move(now)) {}

Result<Credentials> RefreshingCredentials::get() {
  std::lock_guard lock(mutex_);
  WallClock::time_point now = now_();
  if (current_ && (!current_->expiration || now < refresh_at_)) return current_->credentials;
  TRY_ASSIGN(fetched, provider_->fetch());
  if (fetched.expiration) {
    auto lifetime = *fetched.expiration - now;
    auto margin = std::min<WallClock::duration>(std::chrono::minutes(5), lifetime / 2);
    refresh_at_ = *fetched.expiration - margin;
    spdlog::debug("S3 credentials from {}, valid for {} s", provider_->name(),
                  std::chrono::duration_cast<std::chrono::seconds>(lifetime).count());
  } else if (!current_) {
    spdlog::debug("S3 credentials from {}", provider_->name());
  }
  current_ = std::move(fetched);
  return current_->credentials;
}

void RefreshingCredentials::invalidate() {
  std::lock_guard lock(mutex_);
  current_.reset();
}

Result<CredentialsChoice> choose_credentials(const AwsProfile& profile, const ChainContext& context) {
  CredentialsChoice choice;
  Credentials env{env_or("AWS_ACCESS_KEY_ID"), env_or("AWS_SECRET_ACCESS_KEY"), env_or("AWS_SESSION_TOKEN")};
  choice.tried.push_back("environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
  if (!env.access_key_id.empty() && !env.secret_access_key.empty()) {
    choice.provider = static_credentials(std::move(env), "environment");
    return choice;
  }
  if (context.connect) {
    choice.tried.push_back("web identity (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)");
    choice.provider = web_identity_credentials(sts_endpoint(profile, context.region), context.connect);
    if (choice.provider) return choice;
  }
  choice.tried.push_back("profile " + profile.name + " in " + profile.credentials_path + " and " + profile.config_path);
  TRY_ASSIGN(from_profile, profile_credentials(profile, context));
  if ((choice.provider = std::move(from_profile))) return choice;
  if (!context.connect) return choice;
  choice.tried.push_back("container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI)");
  if ((choice.provider = container_credentials(context.connect))) return choice;
  // The instance is asked now: on a host that is not an EC2 instance nothing answers, and
  // "no credentials" must be said before any S3 request.
  if (auto instance = instance_credentials(context.connect)) {
    choice.tried.push_back(instance->name());
    if (auto probe = instance->fetch()) {
      choice.provider = std::move(instance);
    } else {
      spdlog::debug("{}", probe.error().message);
    }
  }
  return choice;
}

}  // namespace rawbackup::s3
