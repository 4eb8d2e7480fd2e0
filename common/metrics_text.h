// Prometheus text exposition format (version 0.0.4, what node_exporter's textfile collector
// reads): metric families with # HELP and # TYPE, samples with escaped label values. Pure:
// the caller decides where the text goes.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace rawbackup {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricsText {
 public:
  // Starts a family; `name` gets the "rawbackup_" prefix. Families must not repeat.
  MetricsText& family(const std::string& name, const std::string& help, const char* type = "gauge");
  // A sample of the current family.
  MetricsText& sample(const MetricLabels& labels, double value);
  const std::string& text() const { return text_; }

 private:
  std::string name_;
  std::string text_;
};

// A label value escaped as the format says: backslash, double quote and newline.
std::string escape_label_value(const std::string& value);

}  // namespace rawbackup
