// Attribute and string-dataset reading/writing for the store. Strings are variable-length UTF-8
// on write; both variable- and fixed-length strings are accepted on read (files from h5py too).
// It does not convert between attribute types: an int stays an int.
#include "store/h5_attrs.hpp"

#include <cstring>
#include <string>
#include <vector>

namespace genlab::h5 {

namespace {
Id string_type(const std::filesystem::path& file) {
  Id type(check_id(H5Tcopy(H5T_C_S1), file, "cannot copy the string type"), H5Tclose);
  check(H5Tset_size(type, H5T_VARIABLE), file, "cannot make a variable-length string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), file, "cannot set UTF-8");
  return type;
}

Id scalar_space(const std::filesystem::path& file) {
  return Id(check_id(H5Screate(H5S_SCALAR), file, "cannot create a scalar dataspace"), H5Sclose);
}

// Reads a string attribute or dataset (`is_attr` picks H5Aread or H5Dread) of stored type `stored`.
// genlab writes every attribute and string dataset as one value; reading one of another shape into
// one value's buffer would overflow it (a corrupt or foreign file; seen while triaging
// genlab_fuzz_runfile's findings, docs/RELIABILITY.md), so such a one is refused, naming it.
void require_one_value(hid_t id, bool is_attr, const std::filesystem::path& file, const std::string& what) {
  const Id space(check_id(is_attr ? H5Aget_space(id) : H5Dget_space(id), file, "cannot get the shape of " + what),
                 H5Sclose);
  const hssize_t values = H5Sget_simple_extent_npoints(space);
  if (values != 1) fail(file, what + " holds " + std::to_string(values) + " values, not one");
}

std::string read_string(hid_t id, hid_t stored, bool is_attr, const std::filesystem::path& file, const std::string& what) {
  require_one_value(id, is_attr, file, what);
  if (H5Tis_variable_str(stored) > 0) {
    const Id mem = string_type(file);
    char* text = nullptr;
    check(is_attr ? H5Aread(id, mem, &text) : H5Dread(id, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text), file,
          "cannot read " + what);
    std::string out = text != nullptr ? text : "";
    const Id space = scalar_space(file);
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, &text);
    return out;
  }
  const std::size_t size = H5Tget_size(stored);
  Id mem(check_id(H5Tcopy(H5T_C_S1), file, "cannot copy the string type"), H5Tclose);
  check(H5Tset_size(mem, size + 1), file, "cannot size a string type");
  std::vector<char> buffer(size + 1, '\0');
  check(is_attr ? H5Aread(id, mem, buffer.data()) : H5Dread(id, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()),
        file, "cannot read " + what);
  return std::string(buffer.data(), strnlen(buffer.data(), size));
}

herr_t collect_attr_name(hid_t /*obj*/, const char* name, const H5A_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);  // no throwing through HDF5's C frames
  return 0;
}

void read_one_attr(hid_t obj, const std::string& name, AttrMap& out, const std::filesystem::path& file) {
  const std::string what = "attribute '" + name + "'";
  const Id attr(check_id(H5Aopen(obj, name.c_str(), H5P_DEFAULT), file, "cannot open " + what), H5Aclose);
  const Id type(check_id(H5Aget_type(attr), file, "cannot get the type of " + what), H5Tclose);
  switch (H5Tget_class(type)) {
    case H5T_STRING:
      out[name] = read_string(attr, type, true, file, what);
      break;
    case H5T_INTEGER: {
      require_one_value(attr, true, file, what);
      std::int64_t value = 0;
      check(H5Aread(attr, H5T_NATIVE_INT64, &value), file, "cannot read " + what);
      out[name] = value;
      break;
    }
    case H5T_FLOAT: {
      require_one_value(attr, true, file, what);
      double value = 0;
      check(H5Aread(attr, H5T_NATIVE_DOUBLE, &value), file, "cannot read " + what);
      out[name] = value;
      break;
    }
    default:
      break;  // arrays, compounds ... written by other tools: not ours to interpret
  }
}
}  // namespace

void write_attr(hid_t obj, const std::string& name, const Attr& value, const std::filesystem::path& file) {
  const std::string what = "attribute '" + name + "'";
  if (H5Aexists(obj, name.c_str()) > 0) check(H5Adelete(obj, name.c_str()), file, "cannot replace " + what);
  const Id space = scalar_space(file);
  if (const auto* text = std::get_if<std::string>(&value)) {
    const Id type = string_type(file);
    const Id attr(check_id(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), file,
                           "cannot create " + what),
                  H5Aclose);
    const char* ptr = text->c_str();
    check(H5Awrite(attr, type, &ptr), file, "cannot write " + what);
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    const Id attr(check_id(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), file,
                           "cannot create " + what),
                  H5Aclose);
    check(H5Awrite(attr, H5T_NATIVE_INT64, integer), file, "cannot write " + what);
  } else {
    const Id attr(check_id(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), file,
                           "cannot create " + what),
                  H5Aclose);
    check(H5Awrite(attr, H5T_NATIVE_DOUBLE, &std::get<double>(value)), file, "cannot write " + what);
  }
}

void write_attrs(hid_t obj, const AttrMap& attrs, const std::filesystem::path& file) {
  for (const auto& [name, value] : attrs) write_attr(obj, name, value, file);
}

AttrMap read_attrs(hid_t obj, const std::filesystem::path& file) {
  std::vector<std::string> names;
  hsize_t index = 0;
  check(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attr_name, &names), file, "cannot list attributes");
  AttrMap out;
  for (const std::string& name : names) read_one_attr(obj, name, out, file);
  return out;
}

void write_string_dataset(hid_t loc, const std::string& name, const std::string& text, const std::filesystem::path& file) {
  const Id type = string_type(file);
  const Id space = scalar_space(file);
  const Id dataset(check_id(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), file,
                            "cannot create dataset '" + name + "'"),
                   H5Dclose);
  const char* ptr = text.c_str();
  check(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, &ptr), file, "cannot write dataset '" + name + "'");
}

std::string read_string_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  const Id dataset = open_dataset(loc, name, file);
  const Id type = dataset_type(dataset, file);
  if (H5Tget_class(type) != H5T_STRING) fail(file, "dataset '" + name + "' is not a string");
  return read_string(dataset, type, false, file, "dataset '" + name + "'");
}

}  // namespace genlab::h5
