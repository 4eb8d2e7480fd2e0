// The credentials a profile of the shared AWS files names, resolved as the SDKs and awscli do:
// - `role_arn`: STS AssumeRole, signed (SigV4, service "sts") with the credentials of its source,
//   which is exactly one of
//   - `source_profile`: another profile's static keys, credential_process or role (chains are
//     followed, a loop is refused; a profile naming itself uses its own static keys),
//   - `credential_source`: Environment, EcsContainer or Ec2InstanceMetadata,
//   - `web_identity_token_file` (AssumeRoleWithWebIdentity instead);
//   `role_session_name`, `external_id` and `duration_seconds` are sent when set; `mfa_serial` is
//   refused (an unattended task cannot type a code). The role's credentials are asked for again
//   before they expire, the source's own temporary ones as they expire;
// - else `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`);
// - else `credential_process`.
// STS is reached at sts_endpoint() (platform_credentials.h), signed for the chain's region.
#pragma once
#include <ctime>
#include <memory>
#include <string>

#include "storage/s3/credentials.h"
#include "storage/s3/http.h"

namespace rawbackup::s3 {

struct RoleRequest {
  std::string role_arn;
  std::string session_name;
  std::string external_id{};  // "" when not set
  int duration_seconds = 0;   // 0: STS's default (one hour)
};

struct StsCall {
  std::string url;
  Headers headers;  // Host, Content-Type, X-Amz-Date, [X-Amz-Security-Token,] Authorization
  std::string form;
};

// The signed AssumeRole request of `role` at `sts` (no trailing '/'), as `source` (pure).
StsCall assume_role_call(const RoleRequest& role, const Credentials& source, const std::string& sts,
                         const std::string& region, std::time_t now);

// The provider `profile` names, nullptr when it names none (the chain goes on). Kind usage,
// naming the profile and what to change, for one that cannot work: a role without a source or
// with two, a source profile that is missing, has no credentials or loops back, an unknown
// credential_source, mfa_serial, a duration_seconds outside 900–43200.
Result<std::unique_ptr<CredentialsProvider>> profile_credentials(const AwsProfile& profile,
                                                                 const ChainContext& context);

}  // namespace rawbackup::s3
