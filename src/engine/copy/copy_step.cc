#include "engine/copy/copy_step.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "base/bounded_queue.h"
#include "base/elapsed.h"
#include "base/fault_points.h"
#include "base/log.h"
#include "base/strings.h"
#include "engine/copy/schema_setup.h"
#include "engine/progress.h"
#include "engine/row_pipeline.h"

namespace peerlock {
namespace {

using Clock = std::chrono::steady_clock;

struct ChunkJob {
  const TableMapping* mapping;
  int chunk;
  KeyRange range;
  bool raw = false;  // pass the dialect's bulk format through undecoded
};

struct ChunkPayload {
  const ChunkJob* job;
  std::vector<RowBatch> batches;
  Digest digest;
  std::optional<RawChunk> raw;
};

// Tables whose chunks can travel raw: same dialect, values untouched by the plan, the table
// not reshaped, and identical native column types on both sides.
Result<std::set<std::string>> RawTables(const EngineContext& ctx, const Inventory& inv,
                                        Session& source, Session& target) {
  std::set<std::string> raw;
  if (ctx.source_connector->dialect().name() != ctx.target_connector->dialect().name()) return raw;
  for (const auto& t : inv.tables) {
    const TableMapping& m = t.mapping;
    if (m.changes_values || m.target.native_sql.empty()) continue;
    PL_ASSIGN(auto source_types, source.ColumnTypes(m.source_table, m.source_columns));
    PL_ASSIGN(auto target_types, target.ColumnTypes(m.target_table, m.target_columns));
    if (!source_types.empty() && source_types == target_types) raw.insert(m.source_table);
  }
  return raw;
}

// The run to write into: a fresh one, or the interrupted one being resumed.
Result<RunRecord> ChooseRun(const EngineContext& ctx, const CopyOptions& options) {
  if (options.resume) {
    // The newest copy that planned chunks and did not finish; a copy refused before planning
    // (e.g. a non-empty target) must not hide the interrupted one behind it.
    PL_ASSIGN(auto runs, ctx.state->Runs(ctx.migration));
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
      if (it->kind != "copy") continue;
      if (it->status == "succeeded") break;
      PL_ASSIGN(auto chunks, ctx.state->ChunkPlan(it->id));
      if (!chunks.empty()) return *it;
    }
    return Fail(Error(ErrorCode::kNotFound, "there is no interrupted copy of " +
                                                ctx.source.Redacted() + " -> " +
                                                ctx.target.Redacted() + " to resume")
                    .WithHint("run `peerlock copy` without --resume"));
  }
  nlohmann::json opts = {
      {"workers", options.workers}, {"tables", options.tables}, {"chunk_rows", options.chunk_rows}};
  return ctx.state->StartRun(ctx.migration, "copy", ctx.source.Redacted(), ctx.target.Redacted(),
                             opts);
}

// Whether the interrupted run `run` created the target schema by cloning the source's.
Result<bool> SchemaWasCloned(StateStore& state, int64_t run) {
  PL_ASSIGN(auto steps, state.Steps(run));
  for (const auto& s : steps)
    if (s.name == "create-tables" && s.detail.is_object() && s.detail.contains("schema_cloned"))
      return s.detail["schema_cloned"].get<bool>();
  return false;
}

// Splits every table into chunks (fresh run) and records the plan, or reloads it (resume).
Result<std::vector<ChunkJob>> PlanChunks(const EngineContext& ctx, const Inventory& inv,
                                         const RunRecord& run, const CopyOptions& options,
                                         Session& source) {
  std::map<std::string, const TableMapping*> by_table;
  for (const auto& t : inv.tables) by_table[t.table.name] = &t.mapping;
  std::vector<ChunkJob> jobs;
  if (options.resume) {
    PL_ASSIGN(auto records, ctx.state->ChunkPlan(run.id));
    for (const auto& r : records) {
      auto it = by_table.find(r.table);
      if (it == by_table.end())
        return Fail(Error(ErrorCode::kBlocked, "the interrupted copy planned table " + r.table +
                                                   ", which is no longer in scope")
                        .WithHint("restore the plan as it was, or start over with "
                                  "--if-exists replace"));
      PL_ASSIGN(KeyRange range, DecodeKeyRange(r.range));
      jobs.push_back(ChunkJob{it->second, r.chunk, std::move(range)});
    }
    return jobs;
  }
  std::vector<ChunkRecord> records;
  for (const auto& t : inv.tables) {
    ReadSpec spec = MakeReadSpec(t.mapping, Side::kSource, {}, 1);
    PL_ASSIGN(auto points, WithContext(source.SplitPoints(spec, options.chunk_rows),
                                       "splitting " + t.table.name));
    auto ranges = RangesFromPoints(points);
    for (size_t i = 0; i < ranges.size(); ++i) {
      records.push_back(ChunkRecord{
          .table = t.table.name, .chunk = static_cast<int>(i), .range = EncodeKeyRange(ranges[i])});
      jobs.push_back(ChunkJob{&t.mapping, static_cast<int>(i), ranges[i]});
    }
  }
  PL_TRY(ctx.state->SaveChunkPlan(run.id, records));
  return jobs;
}

// Readers pull jobs, read + transform + hash whole chunks, and queue them for the writer.
class ChunkReaders {
 public:
  ChunkReaders(const EngineContext& ctx, const std::vector<const ChunkJob*>& jobs, int workers,
               int batch_rows, std::string snapshot)
      : ctx_(ctx),
        jobs_(jobs),
        queue_(static_cast<size_t>(workers) + 1),
        batch_rows_(batch_rows),
        snapshot_(std::move(snapshot)) {
    running_ = workers;  // before any thread can finish and count down
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~ChunkReaders() { Stop(); }

  std::optional<ChunkPayload> Next() { return queue_.Pop(); }
  // Idempotent; any thread may call it (a failing writer does).
  void Stop() {
    stop_ = true;
    queue_.Close();
    std::lock_guard lock(stop_mu_);
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  // The first reader error, if any (valid after the queue drained or Stop()).
  std::optional<Error> error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  void Work() {
    auto status = WorkOrFail();
    if (!status) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = status.error();
      stop_ = true;
    }
    if (--running_ == 0 || stop_) queue_.Close();
  }

  Status WorkOrFail() {
    PL_ASSIGN(auto session, ctx_.OpenSource());
    PL_TRY(session->JoinSnapshot(snapshot_));
    while (!stop_) {
      size_t i = next_++;
      if (i >= jobs_.size()) break;
      PL_TRY(ctx_.CheckCancelled());
      const ChunkJob* job = jobs_[i];
      ChunkPayload payload{job, {}, {}, {}};
      ReadSpec spec = MakeReadSpec(*job->mapping, Side::kSource, job->range, batch_rows_);
      if (job->raw) {
        PL_ASSIGN(payload.raw, WithContext(session->ReadRaw(spec),
                                           fmt::format("reading {} chunk {}",
                                                       job->mapping->source_table, job->chunk)));
        if (payload.raw) {
          // Verify hashes these rows later; the marker records the count.
          payload.digest.rows = payload.raw->rows;
          if (!queue_.Push(std::move(payload))) break;
          continue;
        }
      }
      PL_ASSIGN(
          payload.digest,
          WithContext(ReadAndHash(*session, spec, *job->mapping, Side::kSource,
                                  [&](RowBatch&& b) -> Status {
                                    payload.batches.push_back(std::move(b));
                                    return {};
                                  }),
                      fmt::format("reading {} chunk {}", job->mapping->source_table, job->chunk)));
      if (!queue_.Push(std::move(payload))) break;
    }
    return session->EndSnapshot();
  }

  const EngineContext& ctx_;
  const std::vector<const ChunkJob*>& jobs_;
  BoundedQueue<ChunkPayload> queue_;
  int batch_rows_;
  std::string snapshot_;  // shared read point ("" where the dialect cannot share one)
  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> running_{0};
  std::mutex mu_;
  std::mutex stop_mu_;
  std::optional<Error> error_;
  std::vector<std::thread> threads_;
};

}  // namespace

Result<CopySummary> RunCopy(const EngineContext& ctx, const CopyOptions& options) {
  auto start = Clock::now();
  PL_ASSIGN(Inventory inv, LoadInventory(ctx, /*count_rows=*/true));
  PL_TRY(SelectTables(inv, options.tables));
  PL_ASSIGN(RunRecord run, ChooseRun(ctx, options));
  CopySummary summary;
  summary.resumed = options.resume;
  auto& state = *ctx.state;
  PL_TRY(state.audit().Append(ctx.migration, options.resume ? "copy.resume" : "copy.start",
                              {{"run", run.uid}, {"source", run.source}, {"target", run.target}}));

  auto body = [&]() -> Status {
    PL_ASSIGN(auto source, ctx.OpenSource());
    PL_ASSIGN(auto target, ctx.OpenTarget(/*create=*/true));
    bool schema_cloned = false;  // the target's schema came from the source's own dump tool
    if (options.resume) {
      PL_ASSIGN(schema_cloned, SchemaWasCloned(state, run.id));
    }
    if (!options.resume) {
      PL_TRY(state.StepStarted(run.id, "create-tables"));
      PL_ASSIGN(schema_cloned, PrepareTargetTables(ctx, inv, options.if_exists, *target));
      // Starting over abandons earlier interrupted runs: their markers must not outlive them.
      PL_ASSIGN(auto earlier, state.Runs(ctx.migration));
      for (const auto& r : earlier)
        if (r.kind == "copy" && r.id != run.id) PL_TRY(target->ForgetChunks(r.uid));
      PL_TRY(state.StepFinished(run.id, "create-tables", "succeeded",
                                {{"schema_cloned", schema_cloned}}));
    }
    PL_ASSIGN(auto jobs, PlanChunks(ctx, inv, run, options, *source));
    PL_ASSIGN(auto raw_tables, RawTables(ctx, inv, *source, *target));
    for (auto& job : jobs) job.raw = raw_tables.count(job.mapping->source_table) > 0;
    if (!raw_tables.empty())
      PL_LOG_INFO("{} of {} table(s) pass through in the native bulk format (identical types)",
                  raw_tables.size(), inv.tables.size());
    // Every reader joins this one snapshot, so the copy is consistent while the source takes
    // writes; the exporting session holds it open until the readers are done.
    // A sync hands in the snapshot its capture starts from instead.
    std::string snapshot = options.snapshot;
    const bool exported = snapshot.empty();
    if (exported) {
      PL_ASSIGN(snapshot, source->ExportSnapshot());
    }

    PL_ASSIGN(auto markers, target->LoadedChunks(run.uid));
    std::set<std::pair<std::string, int>> done;
    std::map<std::string, CopyTableSummary> per_table;
    for (const auto& t : inv.tables)
      per_table[t.table.name] = {t.table.name, t.mapping.target_table};
    for (const auto& m : markers) {
      done.insert({m.table, m.chunk});
      per_table[m.table].rows += m.rows;
      per_table[m.table].chunks++;
      summary.rows += m.rows;
    }
    std::vector<const ChunkJob*> todo;
    for (const auto& job : jobs)
      if (!done.count({job.mapping->source_table, job.chunk})) todo.push_back(&job);
    summary.chunks_already_done = static_cast<int>(jobs.size() - todo.size());
    if (options.resume)
      PL_LOG_INFO("resuming copy run {}: {} of {} chunks already loaded", run.uid,
                  summary.chunks_already_done, jobs.size());

    PL_TRY(state.StepStarted(run.id, "copy-data"));
    Progress progress("copy", inv.total_rows(), ctx.terminal);
    progress.Add(summary.rows);
    int workers = std::max(1, options.workers);
    ChunkReaders readers(ctx, todo, workers, options.batch_rows, snapshot);
    // Loads run on several target sessions at once where the target takes parallel writers.
    int writers = std::max(1, std::min(workers, ctx.target_connector->capabilities().max_writers));
    std::mutex mu;
    Status write_status;
    auto write_one = [&](Session& tgt, ChunkPayload& payload) -> Status {
      auto load_start = Clock::now();
      const ChunkJob& job = *payload.job;
      int64_t rows = payload.digest.rows;
      ChunkMarker marker{.run_id = run.uid,
                         .table = job.mapping->source_table,
                         .chunk = job.chunk,
                         .digest = payload.digest.ToString()};
      std::string what = fmt::format("loading {} chunk {}", job.mapping->target_table, job.chunk);
      Result<int64_t> loaded = 0;
      if (payload.raw) {
        loaded = WithContext(tgt.LoadRawChunk(job.mapping->target_table,
                                              job.mapping->target_columns, *payload.raw, marker),
                             what);
      } else {
        BatchListSource batches(std::move(payload.batches));
        loaded = WithContext(
            tgt.LoadChunk(job.mapping->target_table, job.mapping->target_columns, batches, marker),
            what);
      }
      if (loaded && *loaded != rows)
        return Fail(ErrorCode::kInternal, "loaded row count differs from rows read");
      if (!loaded) return Fail(std::move(loaded.error()));
      FaultPoint("copy.chunk_committed");  // crash tests: after the target commit
      double seconds = SecondsSince(load_start);
      PL_TRY(state.ChunkDone(run.id, job.mapping->source_table, job.chunk, rows, marker.digest,
                             seconds));
      std::lock_guard lock(mu);
      auto& t = per_table[job.mapping->source_table];
      t.rows += rows;
      t.chunks++;
      t.seconds += seconds;
      summary.rows += rows;
      progress.Add(rows);
      return ctx.CheckCancelled();
    };
    auto writer = [&](Session* tgt) {
      std::unique_ptr<Session> own;
      Status st;
      if (!tgt) {
        auto opened = ctx.OpenTarget();
        if (opened) {
          own = std::move(*opened);
          tgt = own.get();
        } else {
          st = Fail(std::move(opened.error()));
        }
      }
      while (st) {
        auto payload = readers.Next();
        if (!payload) break;
        st = write_one(*tgt, *payload);
      }
      if (!st) {
        std::lock_guard lock(mu);
        if (write_status) write_status = st;
        readers.Stop();
      }
    };
    std::vector<std::thread> writer_threads;
    for (int i = 1; i < writers; ++i) writer_threads.emplace_back(writer, nullptr);
    writer(target.get());
    for (auto& t : writer_threads) t.join();
    readers.Stop();
    if (exported) PL_TRY(source->EndSnapshot());
    source.reset();
    progress.Finish();
    if (auto e = readers.error()) return Fail(std::move(*e));
    PL_TRY(write_status);
    PL_TRY(ctx.CheckCancelled());
    PL_TRY(state.StepFinished(run.id, "copy-data", "succeeded", {{"rows", summary.rows}}));

    PL_TRY(state.StepStarted(run.id, "post-data"));
    PL_ASSIGN(auto post, FinishTargetSchema(ctx, inv, *target, schema_cloned));
    summary.warnings = post.warnings;
    summary.foreign_key_problems = post.foreign_key_problems;
    PL_TRY(state.StepFinished(
        run.id, "post-data", "succeeded",
        {{"warnings", post.warnings}, {"foreign_key_problems", post.foreign_key_problems}}));
    PL_TRY(target->ForgetChunks(run.uid));
    summary.chunks = static_cast<int>(jobs.size());
    for (const auto& t : inv.tables) {
      summary.tables.push_back(per_table[t.table.name]);
      const auto& s = summary.tables.back();
      PL_TRY(state.SaveTableResult(run.id, s.source_table,
                                   {{"source_table", s.source_table},
                                    {"target_table", s.target_table},
                                    {"rows", s.rows},
                                    {"chunks", s.chunks},
                                    {"seconds", s.seconds}}));
      for (const auto& w : t.warnings) summary.warnings.push_back(t.table.name + ": " + w);
    }
    return {};
  };

  Status status = body();
  summary.seconds = SecondsSince(start);
  if (!status) {
    const Error& e = status.error();
    std::string outcome = e.code() == ErrorCode::kCancelled ? "interrupted" : "failed";
    (void)state.FinishRun(run.id, outcome, {{"error", e.message()}});  // report the first error
    (void)state.audit().Append(ctx.migration, "copy." + outcome,
                               {{"run", run.uid}, {"error", e.message()}});
    return Fail(status.error());
  }
  nlohmann::json result = {
      {"tables", summary.tables.size()},
      {"rows", summary.rows},
      {"chunks", summary.chunks},
      {"seconds", summary.seconds},
      {"rows_per_second", summary.seconds > 0 ? summary.rows / summary.seconds : 0},
      {"resumed", summary.resumed},
      {"warnings", summary.warnings},
      {"foreign_key_problems", summary.foreign_key_problems}};
  PL_TRY(state.FinishRun(run.id, "succeeded", result));
  PL_TRY(state.audit().Append(ctx.migration, "copy.finish",
                              {{"run", run.uid}, {"rows", summary.rows}}));
  return summary;
}

}  // namespace peerlock
