#include "storage/s3/naming.h"

#include <cctype>

#include "common/text.h"

namespace rawbackup::s3 {
namespace {

std::string problem_with(const std::string& name) {
  if (name.size() < 3 || name.size() > 63) return "must be 3 to 63 characters long";
  for (unsigned char c : name) {
    if (!std::islower(c) && !std::isdigit(c) && c != '-') {
      return std::string("may not contain '") + static_cast<char>(c) + "'";
    }
  }
  if (!std::isalnum(static_cast<unsigned char>(name.front())) ||
      !std::isalnum(static_cast<unsigned char>(name.back()))) {
    return "must start and end with a letter or digit";
  }
  if (name.rfind("xn--", 0) == 0 || name.rfind("sthree-", 0) == 0) return "uses a reserved prefix";
  if (name.size() >= 8 && name.substr(name.size() - 8) == "-s3alias") return "uses a reserved suffix";
  return "";
}

}  // namespace

Result<std::string> bucket_name(const std::string& prefix, const std::string& project_id) {
  std::string name = to_lower(prefix + "-" + project_id);
  for (char& c : name) {
    if (c == '_' || c == '.' || c == ' ') c = '-';
  }
  std::string problem = problem_with(name);
  if (problem.empty()) return name;
  return fail(ErrorKind::usage,
              "project " + project_id + " gives bucket name '" + name + "', which S3 refuses: it " + problem);
}

}  // namespace rawbackup::s3
