#pragma once
// The roadmap sections of the human-readable reports (report_roadmap_model.h): the plan and its
// steps, the inventory with the dependency diagram, the lag and freeze charts, and the
// lessons learned. Each section is skipped when the model has nothing for it. Never throws;
// thread-safe as long as `writer` is not shared.

#include <nlohmann/json.hpp>

#include "engine/report/report_writer.h"

namespace peerlock {

void LayOutPlanSection(const nlohmann::json& model, ReportWriter& writer);
void LayOutInventorySection(const nlohmann::json& model, ReportWriter& writer);
void LayOutChartsSection(const nlohmann::json& model, ReportWriter& writer);
void LayOutLessonsSection(const nlohmann::json& model, ReportWriter& writer);

}  // namespace peerlock
