#include "app/manual.h"

#include <CLI/CLI.hpp>
#include <sstream>

namespace rawbackup {
namespace {

std::vector<const CLI::Option*> visible_options(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return !o->get_group().empty() && !o->get_positional(); });
}

std::vector<const CLI::Option*> positionals(const CLI::App& app) {
  return app.get_options([](const CLI::Option* o) { return o->get_positional(); });
}

std::vector<const CLI::App*> tasks_of(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); });
}

bool takes_value(const CLI::Option& o) { return o.get_type_size_max() > 0; }

// "-h, --help" or "--config FILE": every name, and the value's type name.
std::string option_synopsis(const CLI::Option& o) {
  std::string names;
  for (const std::string& s : o.get_snames()) names += (names.empty() ? "\\fB\\-" : "\\fR, \\fB\\-") + s;
  for (const std::string& l : o.get_lnames()) {
    names += (names.empty() ? "\\fB\\-\\-" : "\\fR, \\fB\\-\\-") + roff_escape(l);
  }
  names += "\\fR";
  if (std::string type = o.get_type_name(); takes_value(o) && !type.empty()) {
    names += " \\fI" + roff_escape(type) + "\\fR";  // flags have no type name
  }
  return names;
}

void options_section(std::ostringstream& out, const CLI::App& app) {
  for (const CLI::Option* o : positionals(app)) {
    out << ".TP\n\\fI" << roff_escape(o->get_name(true)) << "\\fR ...\n" << roff_escape(o->get_description()) << "\n";
  }
  for (const CLI::Option* o : visible_options(app)) {
    out << ".TP\n" << option_synopsis(*o) << "\n" << roff_escape(o->get_description()) << "\n";
  }
}

// A block printed as written (examples, the exit codes table).
void literal(std::ostringstream& out, std::string_view text) {
  out << ".PP\n.nf\n.RS 4\n";
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) out << roff_escape(line) << "\n";
  out << ".RE\n.fi\n";
}

void task_section(std::ostringstream& out, const CLI::App& task, const std::string& prefix) {
  std::string name = prefix + task.get_name();
  out << ".SS " << roff_escape(name) << "\n" << roff_escape(task.get_description()) << "\n";
  options_section(out, task);
  std::string footer = task.get_footer();
  if (auto example = footer.find("Example:"); example != std::string::npos) {
    std::string text = footer.substr(example, footer.find("\n\n", example) - example);
    literal(out, text);
  }
  for (const CLI::App* sub : tasks_of(task)) task_section(out, *sub, name + " ");
}

constexpr std::string_view environment =
    R"(.TP
\fBRAWBACKUP_CONFIG\fR
The config file when \fB\-\-config\fR is not given.
.TP
\fBRAWBACKUP_STORE_URL\fR
The record store (sqlite:///abs/path.sqlite or postgresql://user@host/db), over store.url in the config.
.TP
\fBRAWBACKUP_LOG_LEVEL\fR, \fBRAWBACKUP_LOG_FORMAT\fR
Defaults of \fB\-\-log\-level\fR and \fB\-\-log\-format\fR.
.TP
\fBRAWBACKUP_HOST_ID\fR
This host's name in records, events and locks (default: the host name).
.TP
\fBAWS_PROFILE\fR, \fBAWS_CONFIG_FILE\fR, \fBAWS_SHARED_CREDENTIALS_FILE\fR, \fBAWS_ACCESS_KEY_ID\fR, \fBAWS_SECRET_ACCESS_KEY\fR, \fBAWS_SESSION_TOKEN\fR, \fBAWS_REGION\fR, \fBAWS_ENDPOINT_URL_S3\fR, \fBAWS_CA_BUNDLE\fR, \fBAWS_WEB_IDENTITY_TOKEN_FILE\fR, \fBAWS_ROLE_ARN\fR, \fBAWS_CONTAINER_CREDENTIALS_FULL_URI\fR, \fBAWS_EC2_METADATA_DISABLED\fR
S3 credentials and settings, read as the AWS SDKs read them (README: S3 credentials and settings).
.TP
\fBPGPASSWORD\fR, \fBPGPASSFILE\fR, \fBPGSERVICE\fR, \fBPGSSLROOTCERT\fR
PostgreSQL connection settings, read by libpq.
)";

}  // namespace

std::string roff_escape(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

std::string man_page(const CLI::App& app, const ManualText& text) {
  std::ostringstream out;
  out << ".TH RAWBACKUP 1 \"\" \"rawbackup " << roff_escape(text.version) << "\" \"User Commands\"\n"
      << ".SH NAME\nrawbackup \\- " << roff_escape(text.summary) << "\n"
      << ".SH SYNOPSIS\n.B rawbackup\n[\\fIGLOBAL OPTIONS\\fR] \\fITASK\\fR [\\fIOPTIONS\\fR] [\\fIID\\fR ...]\n"
      << ".SH DESCRIPTION\n"
      << "Each task works on one raw\\-file set (a Thermo .raw file, a Bruker .d folder, a Sciex set) or on\n"
      << "a selection of them, and is safe to run twice or concurrently: a DAG scheduler calls\n"
      << "\\fBchecksum\\fR, then \\fBcopy\\-local\\fR and \\fBupload\\-s3\\fR, then \\fBverify\\fR; "
         "\\fBrestore\\fR brings a set back.\n"
      << "Results go to standard output (one JSON object with \\fB\\-\\-json\\fR), diagnostics to "
         "standard error.\n"
      << ".SH GLOBAL OPTIONS\n";
  options_section(out, app);
  out << ".SH TASKS\n";
  for (const CLI::App* task : tasks_of(app)) task_section(out, *task, "");
  out << ".SH EXIT STATUS\n";
  literal(out, text.exit_codes);
  out << ".SH ENVIRONMENT\n" << environment;
  out << ".SH FILES\n.TP\n\\fI/etc/rawbackup/config.yaml\\fR\nThe configuration (\\fB\\-\\-config\\fR, "
         "\\fBRAWBACKUP_CONFIG\\fR); a commented example is "
         "\\fI/usr/share/doc/rawbackup/examples/config.yaml\\fR.\n"
      << ".TP\n\\fI~/.aws/config\\fR, \\fI~/.aws/credentials\\fR\nAWS profiles (\\fB\\-\\-profile\\fR).\n"
      << ".SH SEE ALSO\n\\fIREADME.md\\fR in the source tree: the config file, the record store, the Airflow "
         "guide.\n";
  return out.str();
}

}  // namespace rawbackup
