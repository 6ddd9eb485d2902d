#include "proxy/control_protocol.h"

#include <nlohmann/json.hpp>

namespace peerlock {
namespace {

constexpr std::pair<ControlOp, const char*> kOps[] = {{ControlOp::kStatus, "status"},
                                                      {ControlOp::kHold, "hold"},
                                                      {ControlOp::kDrain, "drain"},
                                                      {ControlOp::kSwitch, "switch"},
                                                      {ControlOp::kRelease, "release"}};

ErrorCode ErrorCodeFromName(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    auto code = static_cast<ErrorCode>(i);
    if (name == ErrorCodeName(code)) return code;
  }
  return ErrorCode::kInternal;
}

}  // namespace

std::string EncodeControlRequest(const ControlRequest& request) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [op, name] : kOps)
    if (op == request.op) json["op"] = name;
  if (request.backend) json["backend"] = request.backend->ToString();
  return json.dump() + "\n";
}

Result<ControlRequest> DecodeControlRequest(const std::string& line) {
  auto bad = [](const std::string& why) {
    return Fail(Error(ErrorCode::kInvalidArgument, "bad control request: " + why)
                    .WithHint("send one JSON line such as {\"op\":\"status\"} or "
                              "{\"op\":\"switch\",\"backend\":\"HOST:PORT\"}"));
  };
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) return bad("not a JSON object");
  auto op = json.find("op");
  if (op == json.end() || !op->is_string()) return bad("no \"op\"");
  ControlRequest request;
  bool known = false;
  for (const auto& [value, name] : kOps) {
    if (op->get<std::string>() == name) {
      request.op = value;
      known = true;
    }
  }
  if (!known) return bad("unknown op '" + op->get<std::string>() + "'");
  auto backend = json.find("backend");
  if (request.op == ControlOp::kSwitch) {
    if (backend == json.end() || !backend->is_string()) return bad("switch needs \"backend\"");
    PL_ASSIGN(request.backend, ParseHostPort(backend->get<std::string>(), "backend"));
  } else if (backend != json.end()) {
    return bad("only switch takes a backend");
  }
  return request;
}

std::string EncodeControlReply(const Result<ProxyStatus>& reply) {
  nlohmann::json json;
  if (reply) {
    json = {{"ok", true}, {"status", ProxyStatusToJson(*reply)}};
  } else {
    const Error& e = reply.error();
    json = {{"ok", false},
            {"error",
             {{"code", ErrorCodeName(e.code())}, {"message", e.message()}, {"hint", e.hint()}}}};
  }
  return json.dump() + "\n";
}

Result<ProxyStatus> DecodeControlReply(const std::string& line) {
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("ok"))
    return Fail(ErrorCode::kInternal, "the proxy sent a malformed reply");
  if (json["ok"] == true) {
    if (!json.contains("status")) return Fail(ErrorCode::kInternal, "the reply has no status");
    return ProxyStatusFromJson(json["status"]);
  }
  const nlohmann::json& e = json.value("error", nlohmann::json::object());
  return Fail(Error(ErrorCodeFromName(e.value("code", "")), e.value("message", "unknown error"))
                  .WithHint(e.value("hint", "")));
}

}  // namespace peerlock
