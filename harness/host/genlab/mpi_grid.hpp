// A grid over MPI ranks (`mpirun -n N genlab run EXP --mpi`): rank 0 hands out cells, ranks
// 1..N-1 run them, each in a child process. Built only when CMake finds Open MPI (the CLI
// defines GENLAB_HAVE_MPI then); it needs no parallel HDF5, since every cell writes its own file.
#pragma once
#include <optional>

#include "genlab/executor.hpp"

namespace genlab {

// Calls MPI_Init/MPI_Finalize itself. Returns the outcome of every selected run on rank 0 and
// nullopt on the other ranks. With one rank (no mpirun), rank 0 runs the cells itself, one at a
// time, each in a child process. options.child_command must be set.
std::optional<GridOutcome> run_grid_mpi(const Experiment& experiment, const ExecutorOptions& options);

}  // namespace genlab
