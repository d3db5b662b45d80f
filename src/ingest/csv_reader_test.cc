#include "ingest/csv_reader.h"

#include <gtest/gtest.h>

#include "../tests/testing.h"

namespace segmenta::ingest {
namespace {

using segmenta::testing::TempDir;
using segmenta::testing::WriteFile;

struct ReadBack {
  std::vector<std::pair<int64_t, std::vector<std::string>>> rows;
  std::vector<CsvReject> rejects;
};

Result<ReadBack> ReadAll(const std::filesystem::path& file, const CsvOptions& options = {}) {
  SEG_ASSIGN_OR_RETURN(CsvFile csv, CsvFile::Open(file, options));
  ReadBack out;
  SEG_RETURN_IF_ERROR(csv.Read(
      [&](int64_t line, std::string_view, const std::vector<std::string_view>& fields) {
        std::vector<std::string> copy;
        for (std::string_view field : fields)
          copy.push_back(field.data() ? std::string(field) : "<null>");
        out.rows.emplace_back(line, copy);
        return Status::Ok();
      },
      [&](CsvReject reject) {
        out.rejects.push_back(std::move(reject));
        return Status::Ok();
      }));
  return out;
}

TEST(CsvReaderTest, DetectsDelimiterAndHeaderAndNumbersLines) {
  TempDir dir;
  WriteFile(dir / "a.csv", "id;amount;city\r\nC1;2.5;\"Cluj; Napoca\"\r\n\r\nC2;;Łódź\r\n");
  Result<CsvFile> csv = CsvFile::Open(dir / "a.csv", {});
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(csv->dialect().delimiter, ';');
  EXPECT_TRUE(csv->dialect().header);
  EXPECT_EQ(csv->columns(), (std::vector<std::string>{"id", "amount", "city"}));
  Result<ReadBack> back = ReadAll(dir / "a.csv");
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->rows.size(), 2u);
  EXPECT_EQ(back->rows[0].first, 2);
  EXPECT_EQ(back->rows[0].second[2], "Cluj; Napoca");
  EXPECT_EQ(back->rows[1].first, 4);  // the blank line 3 is not a record
  EXPECT_EQ(back->rows[1].second[1], "<null>");
  EXPECT_EQ(back->rows[1].second[2], "Łódź");
}

TEST(CsvReaderTest, NoHeaderGetsNumberedColumns) {
  TempDir dir;
  WriteFile(dir / "a.csv", "1,2.5,2020-01-01\n2,3,2020-01-02\n");
  Result<CsvFile> csv = CsvFile::Open(dir / "a.csv", {});
  ASSERT_TRUE(csv.ok());
  EXPECT_FALSE(csv->dialect().header);
  EXPECT_EQ(csv->columns(), (std::vector<std::string>{"column1", "column2", "column3"}));
}

TEST(CsvReaderTest, EachMalformedRowIsRejectedWithLineColumnAndReason) {
  TempDir dir;
  WriteFile(dir / "a.csv",
            "id,name,amount\n"
            "1,\"Ion,Popescu,3\n"         // unterminated quote: costs this line only
            "2,O\"Brien,4\n"              // quote inside an unquoted field
            "3,\"Ana\"x,5\n"              // text after the closing quote
            "4,Maria,6,7\n"               // too many fields
            "5,Jos\xE9,8\n"               // latin-1 byte in a UTF-8 file
            "6,\"Say \"\"hi\"\"\",9\n");  // doubled quotes are fine
  Result<ReadBack> back = ReadAll(dir / "a.csv", CsvOptions{.delimiter = ','});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->rows.size(), 1u);
  EXPECT_EQ(back->rows[0].first, 7);
  EXPECT_EQ(back->rows[0].second[1], "Say \"hi\"");
  ASSERT_EQ(back->rejects.size(), 5u);
  EXPECT_EQ(back->rejects[0].line, 2);
  EXPECT_EQ(back->rejects[0].column, "name");
  EXPECT_NE(back->rejects[0].reason.find("unterminated"), std::string::npos);
  EXPECT_EQ(back->rejects[1].line, 3);
  EXPECT_EQ(back->rejects[1].value, "O\"Brien");
  EXPECT_EQ(back->rejects[2].line, 4);
  EXPECT_EQ(back->rejects[3].reason, "wrong number of fields");
  EXPECT_EQ(back->rejects[4].line, 6);
  EXPECT_EQ(back->rejects[4].column, "name");
  EXPECT_EQ(back->rejects[4].raw, "5,Jos\\xE9,8");
  EXPECT_EQ(back->rejects[4].value, "Jos\\xE9");
}

TEST(CsvReaderTest, MultilineRecordsWhenDeclared) {
  TempDir dir;
  WriteFile(dir / "a.csv", "id,note\n1,\"two\nlines\"\n2,plain\n");
  Result<ReadBack> back = ReadAll(dir / "a.csv", CsvOptions{.multiline = true});
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->rows.size(), 2u);
  EXPECT_EQ(back->rows[0].second[1], "two\nlines");
  EXPECT_EQ(back->rows[1].first, 4);  // physical line of the second record
}

TEST(CsvReaderTest, Latin1AndUtf16AreTranscoded) {
  TempDir dir;
  WriteFile(dir / "l.csv", "id,name\n1,Jos\xE9\n");
  Result<ReadBack> latin = ReadAll(dir / "l.csv", CsvOptions{.encoding = "latin-1"});
  ASSERT_TRUE(latin.ok());
  EXPECT_EQ(latin->rows[0].second[1], "José");
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("id,name\n1,Ana\n")) utf16 += std::string{c, '\0'};
  WriteFile(dir / "u.csv", utf16);
  Result<ReadBack> wide = ReadAll(dir / "u.csv");
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  ASSERT_EQ(wide->rows.size(), 1u);
  EXPECT_EQ(wide->rows[0].second[1], "Ana");
}

TEST(CsvReaderTest, FilesThatAreNotCsvAreClearErrors) {
  TempDir dir;
  WriteFile(dir / "empty.csv", "");
  WriteFile(dir / "header.csv", "id,amount\n");
  WriteFile(dir / "parquet.csv", std::string("PAR1\0\0\x15\x04", 8));
  WriteFile(dir / "binary.csv", std::string("id,x\n\0\0\0\x01", 9));
  auto message = [&](const char* name) { return CsvFile::Open(dir / name, {}).status().message(); };
  EXPECT_NE(message("empty.csv").find("is empty"), std::string::npos);
  EXPECT_NE(message("header.csv").find("header but no data rows"), std::string::npos);
  EXPECT_NE(message("parquet.csv").find("is a Parquet file"), std::string::npos);
  EXPECT_NE(message("binary.csv").find("does not look like a text CSV"), std::string::npos);
  EXPECT_EQ(CsvFile::Open(dir / "missing.csv", {}).status().code(), StatusCode::kNotFound);
}

TEST(CsvReaderTest, ParallelRangesGiveTheSameRowsAndLinesAsOneReader) {
  TempDir dir;
  std::string text = "id,name,amount\n";
  const int64_t kRows = 900000;  // ~36 MB: large enough to be split
  for (int64_t row = 0; row < kRows; ++row) {
    if (row == 700000) text += "\n";               // a blank line shifts later lines
    if (row == 800000) text += "bad,\"quote,1\n";  // a reject in a later range
    text += std::to_string(row) + ",name number " + std::to_string(row) + " padded out,1.5\n";
  }
  WriteFile(dir / "big.csv", text);
  Result<CsvFile> csv = CsvFile::Open(dir / "big.csv", {});
  ASSERT_TRUE(csv.ok());
  std::vector<CsvRange> ranges = csv->Split(3);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(csv->Split(1).size(), 1u);
  std::vector<int64_t> lines(kRows, -1);
  std::vector<int64_t> reject_lines;
  for (const CsvRange& range : ranges) {
    ASSERT_TRUE(csv->ReadRange(
                       range,
                       [&](int64_t line, std::string_view, const std::vector<std::string_view>& f) {
                         lines[std::stoll(std::string(f[0]))] = line;
                         return Status::Ok();
                       },
                       [&](CsvReject reject) {
                         reject_lines.push_back(reject.line);
                         return Status::Ok();
                       })
                    .ok());
  }
  EXPECT_EQ(lines[0], 2);
  EXPECT_EQ(lines[699999], 700001);
  EXPECT_EQ(lines[700000], 700003);  // after the blank line
  EXPECT_EQ(lines[800000], 800004);  // after the rejected line
  EXPECT_EQ(lines[kRows - 1], kRows + 3);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), -1), 0);
  EXPECT_EQ(reject_lines, (std::vector<int64_t>{800003}));
}

TEST(CsvReaderTest, Utf8Validation) {
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("București Łódź"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("ab\xC3"), 2u);         // truncated sequence
  EXPECT_EQ(FindInvalidUtf8("a\xC0\xAF"), 1u);      // overlong
  EXPECT_EQ(FindInvalidUtf8("a\xED\xA0\x80"), 1u);  // surrogate
  EXPECT_EQ(FindInvalidUtf8(std::string_view("a\0b", 3)), 1u);
  EXPECT_EQ(EscapeInvalidUtf8("x\xFFy"), "x\\xFFy");
}

}  // namespace
}  // namespace segmenta::ingest
