// The PII expressions against known SHA-256 vectors (computed once with Python's
// hashlib: hashlib.sha256(b"test@example.com").hexdigest()) and the consent values.
#include "activate/pii.h"

#include <gtest/gtest.h>

#include "store/database.h"

namespace segmenta::activate {
namespace {

// sha256("test@example.com")
constexpr const char* kTestEmail =
    "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";
// sha256("+40712345678")
constexpr const char* kRomanianPhone =
    "cd7b11e308a59fd9ab810bce5faf83933e2b151e12ef93a5add3fcafb9e169cb";
// sha256("+14155552671")
constexpr const char* kUsPhone = "cb6880e416769253645cb9c6b8989154bf66a56a77fc14c81fb1019663cbb928";
// sha256("Jane Doe")
constexpr const char* kJaneDoe = "01332c876518a793b7c1b8dfaf6d4b404ff5db09b21c6627ca59710cc24f696a";

class PiiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<store::Database> db = store::Database::Open("");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::make_unique<store::Database>(std::move(*db));
  }

  // `expression` (over the column x) for one value of x typed `type`; "NULL" for NULL.
  std::string Eval(const std::string& expression, const store::Value& value,
                   const std::string& type = "VARCHAR") {
    Result<store::Rows> rows = db_->connection().Query(
        "SELECT CAST(" + expression + " AS VARCHAR) FROM (SELECT CAST($1 AS " + type + ") AS x)",
        {value});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString() << "\n" << expression;
    if (!rows.ok() || rows->rows.empty()) return "ERROR";
    return store::IsNull(rows->rows[0][0]) ? "NULL" : store::ToText(rows->rows[0][0]);
  }
  std::string Hashed(ContactKind kind, const store::Value& value, const std::string& country = "") {
    return Eval(HashedContactSql(kind, TrimmedTextSql("x", AttributeType::kText), country), value);
  }
  std::string Unreadable(const store::Value& value, const std::string& country = "") {
    std::string text = TrimmedTextSql("x", AttributeType::kText);
    return Eval(UnreadableContactSql(ContactKind::kPhone, text, country), value);
  }

  std::unique_ptr<store::Database> db_;
};

TEST_F(PiiTest, ContactKindsComeFromTheAttributeName) {
  EXPECT_EQ(ClassifyContact("email"), ContactKind::kEmail);
  EXPECT_EQ(ClassifyContact("Work_EMail"), ContactKind::kEmail);
  EXPECT_EQ(ClassifyContact("e_mail_address"), ContactKind::kEmail);
  EXPECT_EQ(ClassifyContact("phone"), ContactKind::kPhone);
  EXPECT_EQ(ClassifyContact("MobileNumber"), ContactKind::kPhone);
  EXPECT_EQ(ClassifyContact("tel"), ContactKind::kPhone);
  EXPECT_EQ(ClassifyContact("full_name"), ContactKind::kOther);
  EXPECT_EQ(ClassifyContact("address"), ContactKind::kOther);
}

TEST_F(PiiTest, EmailsAreTrimmedLowerCasedThenHashed) {
  EXPECT_EQ(Hashed(ContactKind::kEmail, std::string("test@example.com")), kTestEmail);
  EXPECT_EQ(Hashed(ContactKind::kEmail, std::string("  Test@Example.COM \t\r\n")), kTestEmail);
  EXPECT_EQ(Hashed(ContactKind::kEmail, std::string("   ")), "NULL");
  EXPECT_EQ(Hashed(ContactKind::kEmail, store::Value()), "NULL");
}

TEST_F(PiiTest, PhonesWrittenThreeWaysHashAlike) {
  for (std::string phone :
       {"+40 712-345-678", "0040712345678", "0712 345 678", "(0712) 345.678", " +40712345678 "}) {
    EXPECT_EQ(Hashed(ContactKind::kPhone, phone, "40"), kRomanianPhone) << phone;
    EXPECT_EQ(Unreadable(phone, "40"), "false") << phone;
  }
  EXPECT_EQ(Hashed(ContactKind::kPhone, std::string("+1 (415) 555-2671"), "40"), kUsPhone);
  EXPECT_EQ(Eval(E164Sql("x", "1"), std::string("4155552671")), "+14155552671");
}

TEST_F(PiiTest, UnreadablePhonesAreLeftEmptyAndCounted) {
  // A national number needs [export] phone_country.
  EXPECT_EQ(Hashed(ContactKind::kPhone, std::string("0712 345 678")), "NULL");
  EXPECT_EQ(Unreadable(std::string("0712 345 678")), "true");
  EXPECT_EQ(Hashed(ContactKind::kPhone, std::string("+40712345678")), kRomanianPhone);
  for (std::string phone : {"+40 712 ABC 678", "call me", "+4071234", "+4071234567890123",
                            "0712#345678", "+0712345678", "000"}) {
    EXPECT_EQ(Hashed(ContactKind::kPhone, phone, "40"), "NULL") << phone;
    EXPECT_EQ(Unreadable(phone, "40"), "true") << phone;
  }
  EXPECT_EQ(Unreadable(std::string(" "), "40"), "false");  // absent, not unreadable
  EXPECT_EQ(Unreadable(store::Value(), "40"), "false");
  // Eight and fifteen digits are the bounds.
  EXPECT_EQ(Eval(E164Sql("x", ""), std::string("+12345678")), "+12345678");
  EXPECT_EQ(Eval(E164Sql("x", ""), std::string("+123456789012345")), "+123456789012345");
}

TEST_F(PiiTest, APhoneStoredAsANumberKeepsItsDigits) {
  std::string text = TrimmedTextSql("x", AttributeType::kNumber);
  EXPECT_EQ(Eval(E164Sql(text, "40"), 712345678.0, "DOUBLE"), "+40712345678");
}

TEST_F(PiiTest, OtherContactsAreTrimmedThenHashed) {
  EXPECT_EQ(Hashed(ContactKind::kOther, std::string(" Jane Doe  ")), kJaneDoe);
  EXPECT_NE(Hashed(ContactKind::kOther, std::string("jane doe")), kJaneDoe);  // case kept
}

TEST_F(PiiTest, ConsentIsAYesInAnyOfItsSpellings) {
  std::string consent = ConsentSql("x", AttributeType::kCategory);
  for (std::string yes :
       {"yes", "Y", " TRUE ", "1", "opt_in", "Opt-In", "opted_in", "granted", "subscribed"}) {
    EXPECT_EQ(Eval(consent, yes), "true") << yes;
  }
  for (std::string no : {"no", "n", "false", "0", "", "opt_out", "unsubscribed", "yes please"}) {
    EXPECT_EQ(Eval(consent, no), "false") << no;
  }
  EXPECT_EQ(Eval(consent, store::Value()), "false");
  std::string number = ConsentSql("x", AttributeType::kNumber);
  EXPECT_EQ(Eval(number, 1.0, "DOUBLE"), "true");
  EXPECT_EQ(Eval(number, 0.0, "DOUBLE"), "false");
  EXPECT_EQ(Eval(number, store::Value(), "DOUBLE"), "false");
}

}  // namespace
}  // namespace segmenta::activate
