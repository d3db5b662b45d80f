// Status and Result<T>: how every expected failure in Segmenta is reported.
//
// No exception leaves the library. A function that can fail returns Status, or
// Result<T> when it also produces a value:
//
//   segmenta::Result<Project> project = segmenta::LoadProject("segmenta.toml");
//   if (!project.ok()) {
//     std::cerr << project.status().ToString() << "\n";
//     return project.status().exit_code();
//   }
//   Use(*project);
//
// Inside the library, SEG_RETURN_IF_ERROR(expr) and SEG_ASSIGN_OR_RETURN(lhs, expr)
// keep the error path one line long. Values are cheap to copy and thread-compatible.
#ifndef SEGMENTA_STATUS_H_
#define SEGMENTA_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace segmenta {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // a caller or user mistake: bad flag, bad config value
  kNotFound,         // a file, table, key or customer that does not exist
  kDataError,        // input data rejected (not a program failure)
  kIoError,          // the file system said no
  kInternal,         // a failure inside Segmenta or DuckDB
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status DataError(std::string msg) { return {StatusCode::kDataError, std::move(msg)}; }
  static Status IoError(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "error: <message>" style text for people; the message alone for kOk.
  std::string ToString() const;
  // The CLI's exit code for this status: 0 ok, 1 failure, 2 usage/config, 3 data rejected.
  int exit_code() const;

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result built from an OK status carries no value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace segmenta

#define SEG_CONCAT_INNER_(a, b) a##b
#define SEG_CONCAT_(a, b) SEG_CONCAT_INNER_(a, b)

#define SEG_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::segmenta::Status seg_status_ = (expr);   \
    if (!seg_status_.ok()) return seg_status_; \
  } while (false)

// NOLINTBEGIN(bugprone-macro-parentheses): lhs may be a declaration, tmp is a name.
#define SEG_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#define SEG_ASSIGN_OR_RETURN(lhs, expr) \
  SEG_ASSIGN_OR_RETURN_IMPL_(SEG_CONCAT_(seg_result_, __LINE__), lhs, expr)

#endif  // SEGMENTA_STATUS_H_
