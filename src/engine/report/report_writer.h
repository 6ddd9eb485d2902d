#pragma once
// The syntax side of the human-readable reports. What a report shows and in which order is
// decided once, in LayOutReport (report_layout.h); a ReportWriter only turns those blocks into
// Markdown or HTML. Every string a writer is given is plain text that it escapes for its syntax:
// callers never pre-escape and never pass markup.
// Not thread-safe: one writer per report, used from one thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace peerlock {

class ReportWriter {
 public:
  struct Check {
    bool done = false;
    std::string item;      // "inventory completed"
    std::string state;     // "done" or "not yet"
    std::string evidence;  // why
  };
  using Facts = std::vector<std::pair<std::string, std::string>>;  // (label, value)
  using Row = std::vector<std::string>;

  virtual ~ReportWriter() = default;

  // The document title; called once, first.
  virtual void Title(const std::string& title) = 0;
  // `level` 2 = section, 3 = subsection.
  virtual void Heading(int level, const std::string& text) = 0;
  virtual void Paragraph(const std::string& text) = 0;
  // Something the reader must not miss (a run's error, a broken audit chain).
  virtual void Alert(const std::string& label, const std::string& text) = 0;
  virtual void FactList(const Facts& facts) = 0;
  virtual void Bullets(const std::vector<std::string>& items) = 0;
  virtual void Checklist(const std::vector<Check>& checks) = 0;
  // Every row has headers.size() cells. The cells of column `status_column` are run or step
  // statuses (styled by the HTML writer); -1 when there is none.
  virtual void Table(const Row& headers, const std::vector<Row>& rows, int status_column) = 0;
  // A drawing: `svg` is markup PeerLock or Graphviz made (never recorded text), shown inline
  // by HTML under `caption`; `id` names it ("dependencies" -> figure-dependencies). Text
  // formats show `fallback` instead, as a code block in `fallback_language` ("mermaid", "text").
  virtual void Figure(const std::string& id, const std::string& caption, const std::string& svg,
                      const std::string& fallback_language, const std::string& fallback) = 0;
  // The finished document; the writer is spent afterwards.
  virtual std::string Finish() = 0;
};

// GitHub-flavoured Markdown.
std::unique_ptr<ReportWriter> NewMarkdownReportWriter();
// One self-contained HTML page: inline CSS, no scripts, no external assets.
std::unique_ptr<ReportWriter> NewHtmlReportWriter();

}  // namespace peerlock
