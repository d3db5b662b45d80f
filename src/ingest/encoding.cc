#include "ingest/encoding.h"

#include <cstdint>
#include <cstring>

namespace segmenta::ingest {

// ------------------------------------------------------------------ UTF-8

namespace {

// Length of the valid UTF-8 sequence at text[pos], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
  unsigned char lead = byte(pos);
  if (lead == 0) return 0;
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (lead >= 0xF5) length = 0;
  if (length == 0 || pos + length > text.size()) return 0;
  for (size_t offset = 1; offset < length; ++offset) {
    if ((byte(pos + offset) & 0xC0) != 0x80) return 0;
  }
  unsigned char second = byte(pos + 1);
  if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
  if (lead == 0xED && second > 0x9F) return 0;  // surrogate
  if (lead == 0xF0 && second < 0x90) return 0;  // overlong
  if (lead == 0xF4 && second > 0x8F) return 0;  // above U+10FFFF
  return length;
}

bool AllAscii(std::string_view text) {
  size_t pos = 0;
  for (; pos + 8 <= text.size(); pos += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + pos, 8);
    if (word & 0x8080808080808080ULL) return false;
  }
  for (; pos < text.size(); ++pos) {
    if (static_cast<unsigned char>(text[pos]) >= 0x80) return false;
  }
  return true;
}

}  // namespace

size_t FindInvalidUtf8(std::string_view text) {
  if (AllAscii(text)) {
    const void* nul = std::memchr(text.data(), 0, text.size());
    return nul ? static_cast<const char*>(nul) - text.data() : std::string_view::npos;
  }
  for (size_t pos = 0; pos < text.size();) {
    size_t length = Utf8SequenceLength(text, pos);
    if (length == 0) return pos;
    pos += length;
  }
  return std::string_view::npos;
}

std::string EscapeInvalidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    size_t length = Utf8SequenceLength(text, pos);
    if (length > 0) {
      out.append(text.substr(pos, length));
      pos += length;
      continue;
    }
    static const char kHex[] = "0123456789ABCDEF";
    unsigned char bad = static_cast<unsigned char>(text[pos++]);
    out += "\\x";
    out += kHex[bad >> 4];
    out += kHex[bad & 15];
  }
  return out;
}

// ------------------------------------------------------------------ encodings

std::string Latin1ToUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (unsigned char c : text) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

namespace {

void AppendCodePoint(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace

Result<std::string> Utf16ToUtf8(std::string_view text, bool big_endian) {
  std::string out;
  out.reserve(text.size() / 2);
  auto unit = [&](size_t at) -> uint32_t {
    auto hi = static_cast<unsigned char>(text[at + (big_endian ? 0 : 1)]);
    auto lo = static_cast<unsigned char>(text[at + (big_endian ? 1 : 0)]);
    return (hi << 8) | lo;
  };
  for (size_t pos = 0; pos + 1 < text.size(); pos += 2) {
    uint32_t code = unit(pos);
    if (code >= 0xD800 && code <= 0xDBFF && pos + 3 < text.size()) {
      uint32_t low = unit(pos + 2);
      if (low < 0xDC00 || low > 0xDFFF) {
        return Status::DataError("invalid UTF-16 surrogate pair at byte " + std::to_string(pos));
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
      pos += 2;
    }
    AppendCodePoint(out, code);
  }
  return out;
}

}  // namespace segmenta::ingest
