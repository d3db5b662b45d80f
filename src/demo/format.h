// Allocation-free text formatting for the generator's hot loop.
//
// Each Put* writes at `out` and returns the new end; the caller reserves room first:
//
//   char* line = BeginLine(buffer, 256);
//   line = PutCustomerId(line, 42);  // "C0000042"
//   *line++ = '\n';
//   EndLine(buffer, line);
#ifndef SEGMENTA_DEMO_FORMAT_H_
#define SEGMENTA_DEMO_FORMAT_H_

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace segmenta::demo_internal {

// Grows `buffer` by `max_len` bytes and returns where the next line starts.
inline char* BeginLine(std::string& buffer, size_t max_len) {
  const size_t used = buffer.size();
  buffer.resize(used + max_len);
  return buffer.data() + used;
}

// Trims `buffer` back to the bytes actually written, ending at `end`.
inline void EndLine(std::string& buffer, const char* end) {
  buffer.resize(static_cast<size_t>(end - buffer.data()));
}

inline char* PutText(char* out, std::string_view text) {
  return std::copy(text.begin(), text.end(), out);  // no memcpy: text.data() may be null
}

inline char* PutInt(char* out, int64_t value) { return std::to_chars(out, out + 20, value).ptr; }

// Non-negative `value`, left-padded with zeros to at least `width` digits.
inline char* PutPadded(char* out, int64_t value, int width) {
  char digits[20];
  char* end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
  const int count = static_cast<int>(end - digits);
  for (int pad_idx = count; pad_idx < width; ++pad_idx) *out++ = '0';
  return PutText(out, std::string_view(digits, count));
}

// Cents as a decimal amount with two places: -1230 -> "-12.30".
inline char* PutCents(char* out, int64_t cents) {
  if (cents < 0) {
    *out++ = '-';
    cents = -cents;
  }
  out = PutInt(out, cents / 100);
  *out++ = '.';
  return PutPadded(out, cents % 100, 2);
}

// Customer number 1 -> "C0000001" (more digits past 9,999,999).
inline char* PutCustomerId(char* out, int64_t number) {
  *out++ = 'C';
  return PutPadded(out, number, 7);
}

// Order number 1 -> "O00000001".
inline char* PutOrderId(char* out, int64_t number) {
  *out++ = 'O';
  return PutPadded(out, number, 8);
}

}  // namespace segmenta::demo_internal

#endif  // SEGMENTA_DEMO_FORMAT_H_
