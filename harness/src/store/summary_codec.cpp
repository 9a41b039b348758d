// Byte encoding of RunSummary (summary_codec.hpp): length-prefixed strings and arrays, attributes
// tagged by type. Decoding checks every length against what is left, so a short message is an
// error, never a read past the end.
#include "store/summary_codec.hpp"

#include <cstdint>
#include <cstring>

#include "genlab/error.hpp"

namespace genlab::store_detail {

namespace {
class Writer {
 public:
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void text(const std::string& s) {
    u64(s.size());
    out_ += s;
  }
  template <class T>
  void array(const std::vector<T>& v) {
    u64(v.size());
    raw(v.data(), v.size() * sizeof(T));
  }
  void attr(const Attr& a) {
    u64(a.index());
    if (const auto* s = std::get_if<std::string>(&a)) text(*s);
    else if (const auto* i = std::get_if<std::int64_t>(&a)) raw(i, sizeof *i);
    else raw(&std::get<double>(a), sizeof(double));
  }
  void attrs(const AttrMap& m) {
    u64(m.size());
    for (const auto& [k, v] : m) {
      text(k);
      attr(v);
    }
  }
  std::string take() { return std::move(out_); }

 private:
  void raw(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  std::uint64_t u64() {
    std::uint64_t v = 0;
    raw(&v, sizeof v);
    return v;
  }
  std::string text() {
    const std::uint64_t n = count(1);
    std::string s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  template <class T>
  std::vector<T> array() {
    std::vector<T> v(count(sizeof(T)));
    raw(v.data(), v.size() * sizeof(T));
    return v;
  }
  Attr attr() {
    switch (u64()) {
      case 0: return text();
      case 1: {
        std::int64_t i = 0;
        raw(&i, sizeof i);
        return i;
      }
      case 2: {
        double d = 0;
        raw(&d, sizeof d);
        return d;
      }
      default: bad();
    }
  }
  AttrMap attrs() {
    AttrMap m;
    for (std::uint64_t n = count(1); n > 0; --n) {
      std::string k = text();
      m[k] = attr();
    }
    return m;
  }
  // A count of items of `size` bytes each that must fit in what is left.
  std::uint64_t count(std::size_t size) {
    const std::uint64_t n = u64();
    if (n > (in_.size() - pos_) / size) bad();
    return n;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  [[noreturn]] static void bad() { throw StoreError("isolated reader: malformed summary message"); }
  void raw(void* p, std::size_t n) {
    if (n > in_.size() - pos_) bad();
    std::memcpy(p, in_.data() + pos_, n);
    pos_ += n;
  }
  const std::string& in_;
  std::size_t pos_ = 0;
};

template <class T>
void put_series(Writer& w, const std::map<std::string, std::vector<T>>& m) {
  w.u64(m.size());
  for (const auto& [k, v] : m) {
    w.text(k);
    w.array(v);
  }
}

template <class T>
std::map<std::string, std::vector<T>> get_series(Reader& r) {
  std::map<std::string, std::vector<T>> m;
  for (std::uint64_t n = r.count(1); n > 0; --n) {
    std::string k = r.text();
    m[k] = r.array<T>();
  }
  return m;
}
}  // namespace

std::string encode_summary(const RunSummary& s) {
  Writer w;
  w.attrs(s.attrs);
  w.text(s.config_text);
  w.u64(s.grid.size());
  for (const auto& [k, v] : s.grid) {
    w.text(k);
    w.text(v);
  }
  put_series(w, s.train);
  put_series(w, s.eval);
  w.u64(s.eval_attrs.size());
  for (const auto& [k, v] : s.eval_attrs) {
    w.text(k);
    w.attrs(v);
  }
  w.u64(s.image_names.size());
  for (const auto& n : s.image_names) w.text(n);
  put_series(w, s.image_steps);
  w.u64(s.has_checkpoint ? 1 : 0);
  w.u64(static_cast<std::uint64_t>(s.checkpoint_step));
  return w.take();
}

RunSummary decode_summary(const std::string& bytes) {
  Reader r(bytes);
  RunSummary s;
  s.attrs = r.attrs();
  s.config_text = r.text();
  for (std::uint64_t n = r.count(1); n > 0; --n) {
    std::string k = r.text();
    s.grid[k] = r.text();
  }
  s.train = get_series<double>(r);
  s.eval = get_series<double>(r);
  for (std::uint64_t n = r.count(1); n > 0; --n) {
    std::string k = r.text();
    s.eval_attrs[k] = r.attrs();
  }
  for (std::uint64_t n = r.count(1); n > 0; --n) s.image_names.push_back(r.text());
  s.image_steps = get_series<std::int64_t>(r);
  s.has_checkpoint = r.u64() != 0;
  s.checkpoint_step = static_cast<std::int64_t>(r.u64());
  if (!r.done()) throw StoreError("isolated reader: malformed summary message (trailing bytes)");
  return s;
}

}  // namespace genlab::store_detail
