// The MPI fan-out: rank 0 is a dispatcher that answers each worker's report with the next cell
// (so a slow cell holds nobody else up) or -1 (stop); workers run each cell in a child process
// (run_in_child), so a crashing plugin costs its cell, never the job. Every wait polls
// (MPI_Iprobe/MPI_Test + a few ms of sleep): Open MPI's blocking calls spin a core at 100 %.
// It does not move data: each cell writes its own run file into the shared results folder.
#include "genlab/mpi_grid.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "genlab/error.hpp"

namespace genlab {

namespace {
constexpr int kTagReport = 1;  // worker -> rank 0: "<cell or -1>\n<status>\n<message>\n<metrics>"
constexpr int kTagCell = 2;    // rank 0 -> worker: long long cell position, -1 = stop
constexpr auto kPoll = std::chrono::milliseconds(5);

void wait_for(MPI_Request& request) {
  int done = 0;
  for (MPI_Test(&request, &done, MPI_STATUS_IGNORE); !done; MPI_Test(&request, &done, MPI_STATUS_IGNORE)) {
    std::this_thread::sleep_for(kPoll);
  }
}

std::string encode(long long cell, const RunResult& r) {
  std::ostringstream s;
  s << cell << "\n" << static_cast<int>(r.status) << "\n";
  for (const char c : r.message) s << (c == '\n' ? ' ' : c);
  s << "\n";
  for (const auto& [k, v] : r.final_eval) {
    char hex[64];
    std::snprintf(hex, sizeof hex, "%a", v);  // exact
    s << k << " " << hex << "\n";
  }
  return s.str();
}

long long decode(const std::string& text, RunResult& r) {
  std::istringstream in(text);
  long long cell = -1;
  int status = 0;
  in >> cell >> status;
  in.ignore(1);
  std::getline(in, r.message);
  r.status = static_cast<RunStatus>(status);
  std::string name, hex;
  while (in >> name >> hex) r.final_eval[name] = std::strtod(hex.c_str(), nullptr);
  return cell;
}

void send_report(long long cell, const RunResult& r) {
  const std::string text = encode(cell, r);
  MPI_Request request;
  MPI_Isend(text.data(), static_cast<int>(text.size()), MPI_CHAR, 0, kTagReport, MPI_COMM_WORLD, &request);
  wait_for(request);
}

long long receive_cell() {
  long long cell = -1;
  MPI_Request request;
  MPI_Irecv(&cell, 1, MPI_LONG_LONG, 0, kTagCell, MPI_COMM_WORLD, &request);
  wait_for(request);
  return cell;
}

RunResult run_cell(const RunSpec& run, const ExecutorOptions& o) {
  try {
    return run_in_child(run, o);
  } catch (const std::exception& e) {
    RunResult r;
    r.status = RunStatus::Failed;
    r.message = e.what();
    r.file = run.output_file;
    return r;
  }
}

void worker(const std::vector<const RunSpec*>& runs, const ExecutorOptions& o) {
  send_report(-1, RunResult{});  // "ready"
  for (long long cell = receive_cell(); cell >= 0; cell = receive_cell()) {
    send_report(cell, run_cell(*runs.at(static_cast<std::size_t>(cell)), o));
  }
}

GridOutcome dispatcher(const std::vector<const RunSpec*>& runs, const ExecutorOptions& o, int ranks) {
  GridOutcome outcome;
  std::ostream& out = o.out ? *o.out : std::cout;
  out << "genlab: " << runs.size() << " cells over " << ranks - 1 << " MPI worker ranks\n" << std::flush;
  std::size_t next = 0;
  for (int active = ranks - 1; active > 0;) {
    MPI_Status status;
    int arrived = 0;
    for (MPI_Iprobe(MPI_ANY_SOURCE, kTagReport, MPI_COMM_WORLD, &arrived, &status); !arrived;
         MPI_Iprobe(MPI_ANY_SOURCE, kTagReport, MPI_COMM_WORLD, &arrived, &status)) {
      std::this_thread::sleep_for(kPoll);
    }
    int size = 0;
    MPI_Get_count(&status, MPI_CHAR, &size);
    std::string text(static_cast<std::size_t>(size), '\0');
    MPI_Recv(text.data(), size, MPI_CHAR, status.MPI_SOURCE, kTagReport, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    RunResult r;
    const long long done = decode(text, r);
    if (done >= 0) {
      const RunSpec* run = runs.at(static_cast<std::size_t>(done));
      r.file = run->output_file;
      out << "[rank " << status.MPI_SOURCE << "] cell " << run->index << " (" << run->run_id << "): "
          << run_status_str(r.status) << (r.message.empty() ? "" : ": " + r.message) << "\n" << std::flush;
      outcome.results.emplace_back(run, std::move(r));
    }
    long long cell = next < runs.size() ? static_cast<long long>(next++) : -1;
    if (cell < 0) --active;
    MPI_Request request;
    MPI_Isend(&cell, 1, MPI_LONG_LONG, status.MPI_SOURCE, kTagCell, MPI_COMM_WORLD, &request);
    wait_for(request);
  }
  std::sort(outcome.results.begin(), outcome.results.end(),
            [](const auto& a, const auto& b) { return a.first->index < b.first->index; });
  return outcome;
}

struct MpiSession {
  MpiSession() { MPI_Init(nullptr, nullptr); }
  ~MpiSession() {
    MPI_Request request;  // a barrier that sleeps: early finishers must not spin in MPI_Finalize
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    wait_for(request);
    MPI_Finalize();
  }
};
}  // namespace

std::optional<GridOutcome> run_grid_mpi(const Experiment& experiment, const ExecutorOptions& o) {
  if (o.child_command.empty()) throw Error("run_grid_mpi: no child command to run cells with");
  const std::vector<const RunSpec*> runs = selected_runs(experiment, o);
  MpiSession session;
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  try {
    if (ranks == 1) {  // no workers: run the cells here, one child process after another
      GridOutcome outcome;
      for (const RunSpec* run : runs) outcome.results.emplace_back(run, run_cell(*run, o));
      return outcome;
    }
    if (rank != 0) {
      worker(runs, o);
      return std::nullopt;
    }
    return dispatcher(runs, o, ranks);
  } catch (const std::exception& e) {
    std::cerr << "genlab: MPI rank " << rank << ": " << e.what() << "; aborting the job\n";
    MPI_Abort(MPI_COMM_WORLD, 6);
    throw;
  }
}

}  // namespace genlab
