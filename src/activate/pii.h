// PII in audience files, as SQL expressions over a column: how contact attributes are
// normalised and hashed (the customer-match layout ad platforms accept) and what counts
// as marketing consent. The work stays in the database, so a million-row export is one
// COPY.
//
//   std::string sql = HashedContactSql(ContactKind::kEmail, "c.\"email\"", "");
//   // sha256(lower(trim(...))), NULL for an empty value
//
// `value` arguments are SQL expressions the caller built from quoted identifiers;
// `phone_country` is the project's [export] phone_country (digits only, checked when
// the project is read).
#ifndef SEGMENTA_ACTIVATE_PII_H_
#define SEGMENTA_ACTIVATE_PII_H_

#include <string>
#include <string_view>

#include "segmenta/project.h"

namespace segmenta::activate {

// What a contact attribute holds, from its name: "mail" (email, e_mail) → kEmail;
// "phone", "mobile", "tel" → kPhone; anything else → kOther. Case-insensitive.
enum class ContactKind { kEmail, kPhone, kOther };
ContactKind ClassifyContact(std::string_view attribute_name);

// The value as trimmed text (spaces, tabs, line ends); NULL when empty. Numbers are
// read as whole numbers first, so a phone typed as a number keeps its digits.
std::string TrimmedTextSql(std::string_view value, AttributeType type);

// Emails: trimmed and lower-cased.
std::string NormalizedEmailSql(std::string_view text);
// Phones in E.164, "+<8 to 15 digits>": spaces, '-', '.', '(' and ')' dropped; a leading
// '+' kept; a leading "00" read as '+'; otherwise a national number, its leading zeros
// dropped and `phone_country` put before it (none configured: unreadable). Letters or
// a wrong length: unreadable. NULL when unreadable or empty.
std::string E164Sql(std::string_view text, std::string_view phone_country);

// The normalised value of a contact attribute of `kind` (`text` from TrimmedTextSql).
std::string NormalizedContactSql(ContactKind kind, std::string_view text,
                                 std::string_view phone_country);
// Its SHA-256 as 64 lower-case hex digits; NULL when empty or unreadable.
std::string HashedContactSql(ContactKind kind, std::string_view text,
                             std::string_view phone_country);
// True when the value is present but cannot be normalised (only phones can fail).
std::string UnreadableContactSql(ContactKind kind, std::string_view text,
                                 std::string_view phone_country);

// True when a consent attribute says yes: one of yes, y, true, 1, opt_in, opt-in,
// opted_in, granted, subscribed (trimmed, any case); false otherwise, NULL included.
std::string ConsentSql(std::string_view value, AttributeType type);

}  // namespace segmenta::activate

#endif  // SEGMENTA_ACTIVATE_PII_H_
