#pragma once
// The order and wording of the human-readable reports: header, timeline, incidents, checklist,
// one section per run, audit trail. Reads a report model (report_model.h) tolerantly and never
// throws. Pure apart from writing to `writer`; thread-safe as long as `writer` is not shared.

#include <nlohmann/json.hpp>

#include "engine/report/report_writer.h"

namespace peerlock {

void LayOutReport(const nlohmann::json& model, ReportWriter& writer);

}  // namespace peerlock
