#include "activate/pii.h"

#include <algorithm>
#include <cctype>

#include "engine/dialect.h"

namespace segmenta::activate {
namespace {

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool Contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

std::string Wrap(std::string_view open, std::string_view inner, std::string_view close) {
  std::string sql(open);
  sql += inner;
  sql += close;
  return sql;
}

}  // namespace

ContactKind ClassifyContact(std::string_view attribute_name) {
  std::string name = Lower(attribute_name);
  if (Contains(name, "mail")) return ContactKind::kEmail;
  if (Contains(name, "phone") || Contains(name, "mobile") || Contains(name, "tel")) {
    return ContactKind::kPhone;
  }
  return ContactKind::kOther;
}

std::string TrimmedTextSql(std::string_view value, AttributeType type) {
  std::string text = type == AttributeType::kNumber
                         ? Wrap("CAST(TRY_CAST(", value, " AS BIGINT) AS VARCHAR)")
                         : Wrap("CAST(", value, " AS VARCHAR)");
  return "nullif(trim(" + text + ", ' ' || chr(9) || chr(10) || chr(13)), '')";
}

std::string NormalizedEmailSql(std::string_view text) { return Wrap("lower(", text, ")"); }

std::string E164Sql(std::string_view text, std::string_view phone_country) {
  std::string compact = Wrap("regexp_replace(", text, ", '[ \\t.()-]', '', 'g')");
  std::string national = phone_country.empty()
                             ? "NULL"
                             : DuckDbDialect().QuoteString("+" + std::string(phone_country)) +
                                   " || ltrim(" + compact + ", '0')";
  // Only the final check reads digits: a candidate with anything else fails it.
  std::string candidate = "(CASE WHEN starts_with(" + compact + ", '+') THEN " + compact +
                          " WHEN starts_with(" + compact + ", '00') THEN '+' || substr(" + compact +
                          ", 3) ELSE " + national + " END)";
  return "(CASE WHEN regexp_full_match(" + candidate + ", '\\+[1-9][0-9]{7,14}') THEN " +
         candidate + " END)";
}

std::string NormalizedContactSql(ContactKind kind, std::string_view text,
                                 std::string_view phone_country) {
  switch (kind) {
    case ContactKind::kEmail:
      return NormalizedEmailSql(text);
    case ContactKind::kPhone:
      return E164Sql(text, phone_country);
    case ContactKind::kOther:
      return std::string(text);
  }
  return std::string(text);
}

std::string HashedContactSql(ContactKind kind, std::string_view text,
                             std::string_view phone_country) {
  return Wrap("sha256(", NormalizedContactSql(kind, text, phone_country), ")");
}

std::string UnreadableContactSql(ContactKind kind, std::string_view text,
                                 std::string_view phone_country) {
  if (kind != ContactKind::kPhone) return "false";
  return "(" + std::string(text) + " IS NOT NULL AND " + E164Sql(text, phone_country) + " IS NULL)";
}

std::string ConsentSql(std::string_view value, AttributeType type) {
  if (type == AttributeType::kNumber) return Wrap("coalesce(", value, " = 1, false)");
  return "coalesce(lower(" + TrimmedTextSql(value, type) +
         ") IN ('yes', 'y', 'true', '1', 'opt_in', 'opt-in', 'opted_in', 'granted', "
         "'subscribed'), false)";
}

}  // namespace segmenta::activate
