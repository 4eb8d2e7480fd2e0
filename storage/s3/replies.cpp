#include "storage/s3/replies.h"

#include <charconv>
#include <pugixml.hpp>

#include "storage/s3/errors.h"

namespace rawbackup::s3 {
namespace {

// Parses `xml` and returns its root element, which must be named `root_name`.
Result<pugi::xml_node> root_of(pugi::xml_document& doc, std::string_view xml, const char* root_name) {
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) return fail(std::string("malformed S3 reply (") + parsed.description() + ")");
  pugi::xml_node root = doc.child(root_name);
  if (root) return root;
  if (doc.child("Error")) return fail(describe(parse_error_reply(200, xml)));
  return fail(std::string("unexpected S3 reply: no <") + root_name + ">");
}

// The decimal number in `child`, at most `max`.
Result<uint64_t> number_of(pugi::xml_node node, const char* child, uint64_t max = UINT64_MAX) {
  std::string_view text = node.child_value(child);
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value > max) {
    return fail(std::string("unexpected S3 reply: <") + child + "> is '" + one_line(std::string(text.substr(0, 40))) +
                "'");
  }
  return value;
}

constexpr uint64_t max_part_number = 10000;

bool is_true(pugi::xml_node node, const char* child) { return std::string_view(node.child_value(child)) == "true"; }

}  // namespace

std::string unquoted(std::string_view etag) {
  std::string out;
  for (char c : etag) {
    if (c != '"') out += c;
  }
  return out;
}

Result<std::string> parse_upload_id(std::string_view xml) {
  pugi::xml_document doc;
  TRY_ASSIGN(root, root_of(doc, xml, "InitiateMultipartUploadResult"));
  std::string id = root.child_value("UploadId");
  if (id.empty()) return fail("unexpected S3 reply: no UploadId");
  return id;
}

Result<PartsPage> parse_parts_page(std::string_view xml) {
  pugi::xml_document doc;
  TRY_ASSIGN(root, root_of(doc, xml, "ListPartsResult"));
  PartsPage page;
  for (pugi::xml_node part : root.children("Part")) {
    auto number = number_of(part, "PartNumber", max_part_number);
    auto size = number_of(part, "Size");
    if (!number) return std::unexpected(number.error());
    if (!size) return std::unexpected(size.error());
    page.parts.push_back({static_cast<int>(*number), unquoted(part.child_value("ETag")), *size});
  }
  page.truncated = is_true(root, "IsTruncated");
  if (page.truncated) {
    TRY_ASSIGN(marker, number_of(root, "NextPartNumberMarker", max_part_number));
    page.next_marker = static_cast<int>(marker);
  }
  return page;
}

Result<ObjectsPage> parse_objects_page(std::string_view xml) {
  pugi::xml_document doc;
  TRY_ASSIGN(root, root_of(doc, xml, "ListBucketResult"));
  ObjectsPage page;
  for (pugi::xml_node object : root.children("Contents")) {
    TRY_ASSIGN(size, number_of(object, "Size"));
    page.objects.push_back(
        {object.child_value("Key"), unquoted(object.child_value("ETag")), size, object.child_value("StorageClass")});
  }
  page.truncated = is_true(root, "IsTruncated");
  page.next_token = root.child_value("NextContinuationToken");
  if (page.truncated && page.next_token.empty()) {
    return fail("unexpected S3 reply: truncated listing without NextContinuationToken");
  }
  return page;
}

Result<std::string> parse_bucket_encryption(std::string_view xml) {
  pugi::xml_document doc;
  TRY_ASSIGN(root, root_of(doc, xml, "ServerSideEncryptionConfiguration"));
  std::string algorithm = root.child("Rule").child("ApplyServerSideEncryptionByDefault").child_value("SSEAlgorithm");
  if (algorithm.empty()) return fail("unexpected S3 reply: bucket encryption without SSEAlgorithm");
  return algorithm;
}

Result<std::string> parse_complete_etag(std::string_view xml) {
  pugi::xml_document doc;
  TRY_ASSIGN(root, root_of(doc, xml, "CompleteMultipartUploadResult"));
  return unquoted(root.child_value("ETag"));
}

std::string restore_request_body(int days, const std::string& tier) {
  return "<RestoreRequest xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Days>" + std::to_string(days) +
         "</Days><GlacierJobParameters><Tier>" + tier + "</Tier></GlacierJobParameters></RestoreRequest>";
}

std::string complete_request_body(const std::vector<UploadedPart>& parts) {
  std::string body = "<CompleteMultipartUpload>";
  for (const UploadedPart& part : parts) {
    body +=
        "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>\"" + part.etag + "\"</ETag></Part>";
  }
  return body + "</CompleteMultipartUpload>";
}

}  // namespace rawbackup::s3
