// Numbered schema migrations of the workspace. Migration N is applied once, in order,
// inside one transaction with the bump of schema_version; never edit a released one,
// add N+1 instead.
#ifndef SEGMENTA_STORE_MIGRATIONS_H_
#define SEGMENTA_STORE_MIGRATIONS_H_

#include <span>

namespace segmenta::store {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

std::span<const Migration> Migrations();

}  // namespace segmenta::store

#endif  // SEGMENTA_STORE_MIGRATIONS_H_
