// Text encodings for the CSV reader: UTF-8 validation and escaping, and transcoding of
// latin-1 and UTF-16 input to UTF-8.
#ifndef SEGMENTA_INGEST_ENCODING_H_
#define SEGMENTA_INGEST_ENCODING_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "segmenta/status.h"

namespace segmenta::ingest {

// Byte offset of the first invalid UTF-8 sequence (or NUL byte) in `text`, or npos.
size_t FindInvalidUtf8(std::string_view text);
// `text` with every byte of an invalid sequence written as \xNN, safe to store.
std::string EscapeInvalidUtf8(std::string_view text);

// `text`, read as latin-1 (ISO 8859-1), in UTF-8.
std::string Latin1ToUtf8(std::string_view text);
// `text`, read as UTF-16 in the given byte order, in UTF-8; a BOM is the caller's to
// skip. A high surrogate followed by anything but a low one is a DataError.
Result<std::string> Utf16ToUtf8(std::string_view text, bool big_endian);

}  // namespace segmenta::ingest

#endif  // SEGMENTA_INGEST_ENCODING_H_
