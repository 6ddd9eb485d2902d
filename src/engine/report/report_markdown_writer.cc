#include <string>
#include <string_view>

#include "engine/report/report_writer.h"

namespace peerlock {
namespace {

// Backslash-escapes what Markdown would read as markup (emphasis, code, links, raw HTML, table
// cells, entities) and folds line breaks, so any recorded string stays on its line as text.
std::string Inline(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
      case '`':
      case '*':
      case '[':
      case ']':
      case '<':
      case '>':
      case '|':
      case '&':
      case '~':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
      case '\t': out += ' '; break;
      default: out += c;
    }
  }
  return out;
}

class MarkdownReportWriter final : public ReportWriter {
 public:
  void Title(const std::string& title) override { out_ += "# " + Inline(title) + "\n\n"; }

  void Heading(int level, const std::string& text) override {
    out_ += std::string(level <= 2 ? 2 : 3, '#') + " " + Inline(text) + "\n\n";
  }

  void Paragraph(const std::string& text) override { out_ += Inline(text) + "\n\n"; }

  void Alert(const std::string& label, const std::string& text) override {
    out_ += "> **" + Inline(label) + ":** " + Inline(text) + "\n\n";
  }

  void FactList(const Facts& facts) override {
    for (const auto& [label, value] : facts)
      out_ += "- **" + Inline(label) + ":** " + Inline(value) + "\n";
    out_ += "\n";
  }

  void Bullets(const std::vector<std::string>& items) override {
    for (const auto& item : items) out_ += "- " + Inline(item) + "\n";
    out_ += "\n";
  }

  void Checklist(const std::vector<Check>& checks) override {
    for (const auto& check : checks) {
      out_ += std::string(check.done ? "- [x] **" : "- [ ] **") + Inline(check.item) +
              "**: " + Inline(check.state);
      if (!check.evidence.empty()) out_ += " (" + Inline(check.evidence) + ")";
      out_ += "\n";
    }
    out_ += "\n";
  }

  void Table(const Row& headers, const std::vector<Row>& rows, int /*status_column*/) override {
    AppendRow(headers);
    out_ += "|";
    for (size_t i = 0; i < headers.size(); ++i) out_ += " --- |";
    out_ += "\n";
    for (const auto& row : rows) AppendRow(row);
    out_ += "\n";
  }

  void Figure(const std::string& /*id*/, const std::string& caption, const std::string& /*svg*/,
              const std::string& fallback_language, const std::string& fallback) override {
    out_ += "**" + Inline(caption) + "**\n\n```" + fallback_language + "\n" + fallback;
    if (!fallback.empty() && fallback.back() != '\n') out_ += "\n";
    out_ += "```\n\n";
  }

  std::string Finish() override { return std::move(out_); }

 private:
  void AppendRow(const Row& cells) {
    out_ += "|";
    for (const auto& cell : cells) out_ += " " + Inline(cell) + " |";
    out_ += "\n";
  }

  std::string out_;
};

}  // namespace

std::unique_ptr<ReportWriter> NewMarkdownReportWriter() {
  return std::make_unique<MarkdownReportWriter>();
}

}  // namespace peerlock
