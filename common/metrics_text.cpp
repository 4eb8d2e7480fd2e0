#include "common/metrics_text.h"

#include <fmt/format.h>

#include <cmath>

namespace rawbackup {

std::string escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

MetricsText& MetricsText::family(const std::string& name, const std::string& help, const char* type) {
  name_ = "rawbackup_" + name;
  std::string escaped_help;  // HELP escapes backslash and newline only
  for (char c : help) escaped_help += c == '\\' ? "\\\\" : c == '\n' ? "\\n" : std::string(1, c);
  text_ += "# HELP " + name_ + " " + escaped_help + "\n# TYPE " + name_ + " " + type + "\n";
  return *this;
}

MetricsText& MetricsText::sample(const MetricLabels& labels, double value) {
  text_ += name_;
  if (!labels.empty()) {
    text_ += "{";
    for (size_t i = 0; i < labels.size(); ++i) {
      text_ += (i ? "," : "") + labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
    }
    text_ += "}";
  }
  // Whole numbers without an exponent (byte counts up to 2^53 stay exact), others as %g.
  bool whole = std::isfinite(value) && std::floor(value) == value && std::fabs(value) < 9.007199254740992e15;
  text_ += whole ? fmt::format(" {:.0f}\n", value) : fmt::format(" {}\n", value);
  return *this;
}

}  // namespace rawbackup
