// Numbers as text for the messages, descriptions and report the segment module writes.
#ifndef SEGMENTA_SEGMENT_FORMAT_H_
#define SEGMENTA_SEGMENT_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace segmenta::segment {

// 3.14159, 2 → "3.14"; NaN → "n/a".
std::string Fixed(double value, int decimals);
// 3.14159, 3 → "3.14"; 1.2e7, 3 → "1.2e+07" (printf's %g).
std::string Significant(double value, int digits);
// 0.456 → "46%" (decimals 0) or "45.6%".
std::string Percent(double share, int decimals = 0);
// 1234567 → "1,234,567".
std::string Count(int64_t value);
// Text safe inside HTML elements and attributes (& < > " ').
std::string HtmlEscape(std::string_view text);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_FORMAT_H_
