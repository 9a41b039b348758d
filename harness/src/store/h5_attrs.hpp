// HDF5 attributes and string datasets as genlab::Attr values: UTF-8 variable-length strings (h5py
// reads them as str), int64 and float64. It does not interpret names or values.
#pragma once
#include <filesystem>
#include <string>

#include "genlab/store.hpp"
#include "store/h5.hpp"

namespace genlab::h5 {

// Adds or replaces attribute `name` of object `obj`.
void write_attr(hid_t obj, const std::string& name, const Attr& value, const std::filesystem::path& file);
void write_attrs(hid_t obj, const AttrMap& attrs, const std::filesystem::path& file);
// Every attribute of `obj` (strings, integers and floats; other types are skipped).
AttrMap read_attrs(hid_t obj, const std::filesystem::path& file);

// A scalar UTF-8 string dataset (the resolved config text).
void write_string_dataset(hid_t loc, const std::string& name, const std::string& text, const std::filesystem::path& file);
std::string read_string_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);

}  // namespace genlab::h5
