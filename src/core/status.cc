#include "segmenta/status.h"

namespace segmenta {

std::string Status::ToString() const {
  if (ok()) return "ok";
  return "error: " + message_;
}

int Status::exit_code() const {
  switch (code_) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return 2;
    case StatusCode::kDataError:
      return 3;
    case StatusCode::kNotFound:
    case StatusCode::kIoError:
    case StatusCode::kInternal:
      return 1;
  }
  return 1;
}

Status Status::WithContext(const std::string& context) const {
  if (ok()) return *this;
  return {code_, context + ": " + message_};
}

}  // namespace segmenta
