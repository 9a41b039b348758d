// A private Slurm for one test: tests/cluster/slurm-up.sh under a temporary folder (munge,
// slurmctld, one slurmd; no systemd, nothing in /etc), free ports picked here, SLURM_CONF set
// for this process and its children, and slurm-down.sh (by PID files) at scope exit.
// It does not install Slurm: .ci/install-deps does; error() says what is missing.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "support/run_helpers.hpp"

namespace genlab::testing {

class PrivateSlurm {
 public:
  PrivateSlurm() : dir_("slurm") {
    if (::getuid() != 0) {
      error_ = "the private Slurm needs root (slurmd starts the tasks)";
      return;
    }
    const CommandResult tools = run_command("for t in munged slurmctld slurmd sbatch squeue scancel sinfo; do "
                                            "command -v $t >/dev/null || echo \"missing: $t\"; done");
    if (!tools.output.empty()) {
      error_ = tools.output + "install them with .ci/install-deps (slurmctld slurmd slurm-client munge)";
      return;
    }
    const int port = free_port_pair();
    if (port == 0) {
      error_ = "no two free consecutive TCP ports found for slurmctld/slurmd";
      return;
    }
    const std::string state = (dir_ / "cluster").string();
    const CommandResult up = run_command("D=" + state + " PORT=" + std::to_string(port) + " " +
                                         GENLAB_CLUSTER_SCRIPTS + "/slurm-up.sh > " + (dir_ / "up.log").string() + " 2>&1");
    if (up.exit_code != 0) {
      std::ifstream log(dir_ / "up.log");
      std::stringstream s;
      s << log.rdbuf();
      error_ = "slurm-up.sh failed (exit code " + std::to_string(up.exit_code) + "):\n" + s.str();
    }
    started_ = true;  // even a failed start may have left daemons: stop them
    ::setenv("SLURM_CONF", (dir_ / "cluster" / "slurm.conf").c_str(), 1);
  }
  ~PrivateSlurm() {
    if (started_) run_command("D=" + (dir_ / "cluster").string() + " " + GENLAB_CLUSTER_SCRIPTS + "/slurm-down.sh");
    ::unsetenv("SLURM_CONF");
  }
  PrivateSlurm(const PrivateSlurm&) = delete;
  PrivateSlurm& operator=(const PrivateSlurm&) = delete;

  // "" when the cluster is up; else why not.
  const std::string& error() const { return error_; }
  fs::path folder() const { return dir_.path(); }

  // Waits until squeue lists no task of job `id` (pending, running or completing).
  bool wait_for_job(const std::string& id, double timeout_s) const {
    for (double t = 0; t < timeout_s; t += 0.2) {
      const CommandResult q = run_command("squeue -h -j " + id);
      if (q.exit_code == 0 && q.output.empty()) return true;
      ::usleep(200000);
    }
    return false;
  }

 private:
  static bool port_free(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
  }
  static int free_port_pair() {
    for (int i = 0; i < 200; ++i) {
      const int port = 20000 + static_cast<int>((::getpid() * 7 + i * 2) % 20000);
      if (port_free(port) && port_free(port + 1)) return port;
    }
    return 0;
  }

  TempDir dir_;
  std::string error_;
  bool started_ = false;
};

}  // namespace genlab::testing
