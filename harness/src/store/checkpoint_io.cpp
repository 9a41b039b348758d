// /checkpoint: named float32/float64/int64/uint64 tensors of any rank, stored contiguously. A new
// checkpoint is written whole into the new version of the file (the old one is not copied over),
// so files do not grow per checkpoint. It does not decide what goes into a checkpoint (the runner
// and the plugin's state() do). Attribute sha256 digests the step and every tensor (name, type,
// shape, bits), so resume can refuse a corrupt checkpoint.
#include "genlab/error.hpp"
#include "genlab/hash.hpp"
#include "store/h5_attrs.hpp"
#include "store/run_layout.hpp"

namespace genlab::store_detail {

namespace {
// (file type, memory type) of a tensor's element type.
std::pair<hid_t, hid_t> types_of(const CheckpointTensor& tensor) {
  switch (tensor.data.index()) {
    case 0: return {H5T_IEEE_F32LE, H5T_NATIVE_FLOAT};
    case 1: return {H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE};
    case 2: return {H5T_STD_I64LE, H5T_NATIVE_INT64};
    default: return {H5T_STD_U64LE, H5T_NATIVE_UINT64};
  }
}

const void* data_of(const CheckpointTensor& tensor) {
  return std::visit([](const auto& values) { return static_cast<const void*>(values.data()); }, tensor.data);
}

h5::Id space_of(const std::vector<std::size_t>& shape, const std::filesystem::path& path) {
  if (shape.empty()) return h5::Id(h5::check_id(H5Screate(H5S_SCALAR), path, "cannot create a dataspace"), H5Sclose);
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  return h5::Id(h5::check_id(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), path,
                             "cannot create a dataspace"),
                H5Sclose);
}

std::vector<std::size_t> shape_of(hid_t dataset, const std::filesystem::path& path) {
  const h5::Id space = h5::dataset_space(dataset, path);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank < 0 ? 0 : rank));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return std::vector<std::size_t>(dims.begin(), dims.end());
}

// Creates dataset `name` (intermediate groups included) and writes the tensor into it.
void write_tensor(hid_t group, const std::string& name, const CheckpointTensor& tensor, const std::filesystem::path& path) {
  const std::string what = "checkpoint tensor '" + name + "'";
  const auto [file_type, memory_type] = types_of(tensor);
  const h5::Id lcpl = h5::new_plist(H5P_LINK_CREATE, path);
  h5::check(H5Pset_create_intermediate_group(lcpl, 1), path, "cannot set up " + what);
  const h5::Id space = space_of(tensor.shape, path);
  const h5::Id dataset(h5::check_id(H5Dcreate2(group, name.c_str(), file_type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT),
                                    path, "cannot create " + what),
                       H5Dclose);
  if (value_count(tensor) == 0) return;
  h5::check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data_of(tensor)), path, "cannot write " + what);
}

// Reads a dataset into the variant alternative that matches its stored type.
CheckpointTensor read_tensor(hid_t group, const std::string& name, const std::filesystem::path& path) {
  const std::string what = "checkpoint tensor '" + name + "'";
  const h5::Id dataset = h5::open_dataset(group, name, path);
  const h5::Id type = h5::dataset_type(dataset, path);
  CheckpointTensor tensor;
  tensor.shape = shape_of(dataset, path);
  const std::size_t n = element_count(tensor.shape);
  const H5T_class_t cls = H5Tget_class(type);
  hid_t memory_type = -1;
  if (cls == H5T_FLOAT && H5Tget_size(type) == 4) {
    tensor.data = std::vector<float>(n);
    memory_type = H5T_NATIVE_FLOAT;
  } else if (cls == H5T_FLOAT) {
    tensor.data = std::vector<double>(n);
    memory_type = H5T_NATIVE_DOUBLE;
  } else if (cls == H5T_INTEGER && H5Tget_sign(type) == H5T_SGN_NONE) {
    tensor.data = std::vector<std::uint64_t>(n);
    memory_type = H5T_NATIVE_UINT64;
  } else if (cls == H5T_INTEGER) {
    tensor.data = std::vector<std::int64_t>(n);
    memory_type = H5T_NATIVE_INT64;
  } else {
    throw StoreError(path.string() + ": " + what + " has an unsupported type (not float or integer)");
  }
  if (n == 0) return tensor;
  void* out = std::visit([](auto& values) { return static_cast<void*>(values.data()); }, tensor.data);
  h5::check(H5Dread(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), path, "cannot read " + what);
  return tensor;
}

struct Visit {
  std::vector<std::string> names;  // every hard link below the group; filtered to datasets later
};

herr_t collect_link(hid_t /*group*/, const char* name, const H5L_info_t* info, void* data) {
  if (info->type == H5L_TYPE_HARD) static_cast<Visit*>(data)->names.emplace_back(name);
  return 0;  // never throw through HDF5's C frames
}
}  // namespace

std::vector<std::string> dataset_paths(hid_t group, const std::filesystem::path& path) {
  Visit visit;
  h5::check(H5Lvisit(group, H5_INDEX_NAME, H5_ITER_INC, collect_link, &visit), path, "cannot list the checkpoint");
  std::vector<std::string> out;
  for (const std::string& name : visit.names) {
    const h5::Id object(h5::check_id(H5Oopen(group, name.c_str(), H5P_DEFAULT), path, "cannot open '" + name + "'"),
                        H5Oclose);
    if (H5Iget_type(object) == H5I_DATASET) out.push_back(name);
  }
  return out;
}

std::string checkpoint_digest(std::int64_t step, const Checkpoint& checkpoint) {
  std::string bytes = "genlab checkpoint v1, step " + std::to_string(step) + "\n";
  for (const auto& [name, tensor] : checkpoint) {
    bytes += name + '\0' + std::to_string(tensor.data.index()) + checkpoint_shape_str(tensor.shape) + '\0';
    const std::size_t size = std::visit([](const auto& v) { return v.size() * sizeof(v[0]); }, tensor.data);
    bytes.append(static_cast<const char*>(data_of(tensor)), size);
  }
  return sha256_hex(bytes);
}

void write_checkpoint(hid_t file, const PendingCheckpoint& checkpoint, const std::filesystem::path& path) {
  if (h5::exists(file, checkpoint_group)) {  // normally not copied into the new version at all
    h5::check(H5Ldelete(file, checkpoint_group, H5P_DEFAULT), path, "cannot replace the checkpoint");
  }
  const h5::Id group = h5::create_group(file, checkpoint_group, path);
  for (const auto& [name, tensor] : checkpoint.tensors) write_tensor(group, name, tensor, path);
  h5::write_attr(group, "step", checkpoint.step, path);
  h5::write_attr(group, "sha256", checkpoint_digest(checkpoint.step, checkpoint.tensors), path);
}

Checkpoint read_checkpoint_tensors(hid_t group, const std::filesystem::path& path) {
  Checkpoint out;
  for (const std::string& name : dataset_paths(group, path)) out[name] = read_tensor(group, name, path);
  return out;
}

}  // namespace genlab::store_detail
