#include <cctype>
#include <string>
#include <string_view>

#include "engine/report/report_text.h"
#include "engine/report/report_writer.h"

namespace peerlock {
namespace {

// Every recorded string goes through here: table names, errors and audit details are data,
// and a table called <script> must stay text.
std::string Escape(std::string_view text) { return MarkupEscape(text); }

// A fixed set of class names, so no recorded text ever reaches an attribute.
const char* StatusClass(std::string_view status) {
  if (status == "succeeded" || status == "done") return "ok";
  if (status == "failed") return "bad";
  if (status == "interrupted" || status == "differences") return "warn";
  if (status == "running") return "info";
  return "plain";
}

constexpr const char* kStyle = R"CSS(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;
background:#f6f8fa;margin:0;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 32px 48px;background:#fff;min-height:100vh}
h1{font-size:1.8em;border-bottom:2px solid #d0d7de;padding-bottom:8px}
h2{font-size:1.35em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.92em;display:block;overflow-x:auto}
th,td{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f0f3f6}
tr:nth-child(even) td{background:#fafbfc}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 16px;margin:8px 0 16px}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
.status{padding:1px 8px;border-radius:10px;font-size:.85em;font-weight:600;white-space:nowrap}
.ok{background:#dafbe1;color:#116329}
.bad{background:#ffebe9;color:#a40e26}
.warn{background:#fff8c5;color:#7d4e00}
.info{background:#ddf4ff;color:#0550ae}
.plain{background:#eaeef2;color:#424a53}
p.alert{border-left:4px solid #cf222e;background:#ffebe9;padding:8px 12px}
ul.checklist{list-style:none;padding-left:0}
ul.checklist li{margin:4px 0}
ul.checklist .box{display:inline-block;width:1.4em;font-weight:700}
ul.checklist li.done .box{color:#1a7f37}
ul.checklist li.todo .box{color:#8c959f}
.evidence{color:#57606a}
figure{margin:12px 0 20px;overflow-x:auto}
figure svg{max-width:100%;height:auto}
figcaption{color:#57606a;font-size:.9em}
)CSS";

class HtmlReportWriter final : public ReportWriter {
 public:
  void Title(const std::string& title) override {
    title_ = Escape(title);
    body_ += "<h1>" + title_ + "</h1>\n";
  }

  void Heading(int level, const std::string& text) override {
    if (level <= 2) {
      // Sections get a stable id ("Lessons learned" -> section-lessons-learned) to link to.
      body_ += "<h2 id=\"section-" + Slug(text) + "\">" + Escape(text) + "</h2>\n";
      return;
    }
    body_ += "<h3>" + Escape(text) + "</h3>\n";
  }

  void Figure(const std::string& id, const std::string& caption, const std::string& svg,
              const std::string& /*fallback_language*/, const std::string& fallback) override {
    body_ += "<figure id=\"figure-" + Slug(id) + "\">\n";
    // The CSP already forbids scripts; refusing markup that tries keeps the page honest anyway.
    bool safe = svg.rfind("<svg", 0) == 0 && svg.find("<script") == std::string::npos &&
                svg.find("javascript:") == std::string::npos;
    body_ += safe ? svg : "<pre>" + Escape(fallback) + "</pre>";
    body_ += "\n<figcaption>" + Escape(caption) + "</figcaption>\n</figure>\n";
  }

  void Paragraph(const std::string& text) override { body_ += "<p>" + Escape(text) + "</p>\n"; }

  void Alert(const std::string& label, const std::string& text) override {
    body_ +=
        "<p class=\"alert\"><strong>" + Escape(label) + ":</strong> " + Escape(text) + "</p>\n";
  }

  void FactList(const Facts& facts) override {
    body_ += "<dl class=\"facts\">\n";
    for (const auto& [label, value] : facts)
      body_ += "<dt>" + Escape(label) + "</dt><dd>" + Escape(value) + "</dd>\n";
    body_ += "</dl>\n";
  }

  void Bullets(const std::vector<std::string>& items) override {
    body_ += "<ul>\n";
    for (const auto& item : items) body_ += "<li>" + Escape(item) + "</li>\n";
    body_ += "</ul>\n";
  }

  void Checklist(const std::vector<Check>& checks) override {
    body_ += "<ul class=\"checklist\">\n";
    for (const auto& check : checks) {
      body_ += std::string(check.done ? "<li class=\"done\"><span class=\"box\">&#10003;</span>"
                                      : "<li class=\"todo\"><span class=\"box\">&#9744;</span>");
      body_ += "<strong>" + Escape(check.item) + "</strong> " + Badge(check.state);
      if (!check.evidence.empty())
        body_ += " <span class=\"evidence\">" + Escape(check.evidence) + "</span>";
      body_ += "</li>\n";
    }
    body_ += "</ul>\n";
  }

  void Table(const Row& headers, const std::vector<Row>& rows, int status_column) override {
    body_ += "<table>\n<thead><tr>";
    for (const auto& header : headers) body_ += "<th>" + Escape(header) + "</th>";
    body_ += "</tr></thead>\n<tbody>\n";
    for (const auto& row : rows) {
      body_ += "<tr>";
      for (size_t i = 0; i < row.size(); ++i) {
        bool status = static_cast<int>(i) == status_column;
        body_ += "<td>" + (status ? Badge(row[i]) : Escape(row[i])) + "</td>";
      }
      body_ += "</tr>\n";
    }
    body_ += "</tbody>\n</table>\n";
  }

  std::string Finish() override {
    // The policy forbids scripts and fetches outright: the page is data to read, nothing more.
    return std::string("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n") +
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<title>" +
           title_ + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n" + body_ +
           "</main>\n</body>\n</html>\n";
  }

 private:
  static std::string Slug(const std::string& text) {
    std::string out;
    for (char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c))) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      } else if (!out.empty() && out.back() != '-') {
        out += '-';
      }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out;
  }

  static std::string Badge(const std::string& status) {
    return std::string("<span class=\"status ") + StatusClass(status) + "\">" + Escape(status) +
           "</span>";
  }

  std::string title_;
  std::string body_;
};

}  // namespace

std::unique_ptr<ReportWriter> NewHtmlReportWriter() { return std::make_unique<HtmlReportWriter>(); }

}  // namespace peerlock
